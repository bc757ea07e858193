import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '#contracts';

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

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be an integer between 1 and ${MAX_PAGE_SIZE}` })
  @Min(1, { message: `limit must be an integer between 1 and ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `limit must be an integer between 1 and ${MAX_PAGE_SIZE}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
