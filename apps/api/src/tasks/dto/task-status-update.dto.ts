import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { FAILURE_REASONS, type FailureReason, type TaskStatus, type TaskStatusUpdate } from '#contracts';
import { WORKER_ID_PATTERN } from '../../workers/dto/register-worker.dto';
import { PG_INT_MAX, PG_INT_MIN } from '../../common/int-bounds';

export const CALLBACK_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
const MAX_RESULT_LENGTH = 1024 * 1024;

export class TaskStatusUpdateDto implements TaskStatusUpdate {
  @ApiProperty({ example: 'abc123' })
  @IsString()
  @Matches(WORKER_ID_PATTERN, { message: 'worker_id is not a valid worker id' })
  worker_id: string;

  @ApiProperty({ example: 0, description: 'Claim (running): the job\'s attempt. Afterwards: the attempt the claim returned.' })
  @IsInt()
  @Min(0)
  @Max(PG_INT_MAX)
  attempt: number;

  @ApiProperty({ enum: CALLBACK_STATUSES, example: 'running' })
  @IsIn(CALLBACK_STATUSES)
  status: TaskStatus;

  @ApiPropertyOptional({ example: 'ses_6a1bC9xYz' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  session_id?: string;

  @ApiPropertyOptional({ example: 'Added 12 unit tests; all pass.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RESULT_LENGTH)
  result?: string;

  @ApiPropertyOptional({ example: 'opencode exited with code 1' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RESULT_LENGTH)
  error?: string;

  @ApiPropertyOptional({ enum: FAILURE_REASONS, example: 'agent_exit_nonzero', description: 'failed without one becomes internal; cancelled without one becomes cancelled' })
  @IsOptional()
  @IsIn(FAILURE_REASONS)
  failure_reason?: FailureReason;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsInt()
  @Min(PG_INT_MIN)
  @Max(PG_INT_MAX)
  exit_code?: number;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  output_truncated?: boolean;
}
