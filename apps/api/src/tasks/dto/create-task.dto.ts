import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { WORKER_ID_PATTERN } from '../../workers/dto/register-worker.dto';
import { IsTaskMetadata } from './task-metadata.validator';
import { TaskPriority } from './task-priority.property';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_PROMPT_LENGTH = 256 * 1024;

/** Body of POST /codebases/:id/tasks. */
export class CreateCodebaseTaskDto {
  @ApiPropertyOptional({ example: 'Add authentication', description: 'Defaults to the first line of the prompt' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @ApiProperty({ example: 'Implement JWT authentication for the API endpoints' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_PROMPT_LENGTH)
  prompt: string;

  @ApiPropertyOptional({ example: 'build', default: 'build', description: 'Agent mode (OpenCode --agent), or echo/noop for smoke tests' })
  @IsOptional()
  @IsString()
  @Matches(NAME_PATTERN, { message: 'agent_type must be 1-64 letters, digits, ".", "_" or "-"' })
  agent_type?: string;

  @ApiPropertyOptional({ example: 'opencode', description: 'Agent CLI to run (opencode, claude, codex, gemini, aider, command). Default: the worker\'s default' })
  @IsOptional()
  @IsString()
  @Matches(NAME_PATTERN, { message: 'tool must be 1-64 letters, digits, ".", "_" or "-"' })
  tool?: string;

  @TaskPriority()
  priority?: number;

  @ApiPropertyOptional({
    example: { model: 'anthropic/claude-sonnet-4-20250514', resume_session_id: 'ses_xyz789', notify_email: 'dev@example.com', timeout_s: 1800, idle_timeout_s: 600 },
    description:
      'model, resume_session_id, notify_email, timeout_s (wall-clock limit, seconds) and idle_timeout_s (stop the agent after this many seconds without output; 0: never; default: the worker\'s idle_timeout_s) are typed; other keys are kept as given',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsTaskMetadata()
  metadata?: Record<string, unknown>;
}

/** Body of POST /tasks: the codebase in the body, or a worker for a worker-global task. */
export class CreateTaskDto extends CreateCodebaseTaskDto {
  @ApiPropertyOptional({ example: 'cb_k3j5m2n4p6q7r8s9' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  codebase_id?: string;

  @ApiPropertyOptional({ example: 'abc123', description: 'Without codebase_id: a worker-global task that runs in that worker\'s home' })
  @IsOptional()
  @IsString()
  @Matches(WORKER_ID_PATTERN, { message: 'worker_id is not a valid worker id' })
  worker_id?: string;
}
