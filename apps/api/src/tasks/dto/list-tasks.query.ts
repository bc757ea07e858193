import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '#contracts';
import { IntInRange, PageCursor } from '../../common/page-query';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES, example: 'pending' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ example: 'abc123', description: 'Tasks routed to or run by this worker' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  worker_id?: string;

  @ApiPropertyOptional({ example: 'cb_k3j5m2n4p6q7r8s9' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  codebase_id?: string;

  @IntInRange('limit', MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
