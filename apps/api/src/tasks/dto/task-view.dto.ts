import { ApiProperty } from '@nestjs/swagger';
import { type ClaimResponse, FAILURE_REASONS, type FailureReason, TASK_STATUSES, type TaskStatus, type TaskView } from '#contracts';

export class TaskViewDto implements TaskView {
  @ApiProperty({ example: 'task_k3j5m2n4p6q7r8s9' }) id: string;
  @ApiProperty({ example: 'cb_k3j5m2n4p6q7r8s9', nullable: true, type: String }) codebase_id: string | null;
  @ApiProperty({ example: 'Add authentication' }) title: string;
  @ApiProperty({ example: 'Implement JWT authentication for the API endpoints' }) prompt: string;
  @ApiProperty({ example: 'build' }) agent_type: string;
  @ApiProperty({ example: 'opencode', nullable: true, type: String }) tool: string | null;
  @ApiProperty({ example: 'anthropic/claude-sonnet-4-20250514', nullable: true, type: String }) model: string | null;
  @ApiProperty({ example: 0 }) priority: number;
  @ApiProperty({ enum: TASK_STATUSES, example: 'pending' }) status: TaskStatus;
  @ApiProperty({ example: 0, description: 'Fencing generation; every claim increments it' }) attempt: number;
  @ApiProperty({ example: 'abc123', nullable: true, type: String }) worker_id: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) session_id: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) result: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) error: string | null;
  @ApiProperty({ enum: FAILURE_REASONS, example: null, nullable: true }) failure_reason: FailureReason | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) exit_code: number | null;
  @ApiProperty({ example: { model: 'anthropic/claude-sonnet-4-20250514' }, type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ example: false }) cancel_requested: boolean;
  @ApiProperty({ example: '2025-12-10T15:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2025-12-10T15:00:00.000Z', nullable: true, type: String }) queued_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) started_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) finished_at: string | null;
  @ApiProperty({ example: 0 }) output_bytes: number;
  @ApiProperty({ example: false }) output_truncated: boolean;
}

export class TaskListDto {
  @ApiProperty({ type: [TaskViewDto] }) tasks: TaskViewDto[];
  @ApiProperty({ example: 'WyIyMDI1LTEyLTEwVDE1OjAwOjAwLjAwMFoiLCJ0YXNrX2sza...', nullable: true, type: String, description: 'Pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}

export class ClaimResponseDto implements ClaimResponse {
  @ApiProperty({ type: TaskViewDto }) task: TaskViewDto;
  @ApiProperty({ example: 1, description: 'The attempt every later callback must carry' }) attempt: number;
  @ApiProperty({ example: 0, description: 'Where this run\'s output continues (stored output length)' }) output_offset: number;
}
