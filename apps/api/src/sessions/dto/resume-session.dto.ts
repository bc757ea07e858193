import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ResumeSessionRequest } from '#contracts';
import { MAX_PROMPT_LENGTH } from '../../tasks/dto/create-task.dto';
import { IsTaskMetadata } from '../../tasks/dto/task-metadata.validator';
import { TaskPriority } from '../../tasks/dto/task-priority.property';

export class ResumeSessionDto implements ResumeSessionRequest {
  @ApiProperty({ example: 'Continue the database refactoring from where we left off' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_PROMPT_LENGTH)
  prompt: string;

  @ApiPropertyOptional({ example: 'Continue refactoring', description: 'Default: "Resume <session title>"' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @TaskPriority()
  priority?: number;

  @ApiPropertyOptional({
    example: { model: 'anthropic/claude-sonnet-4-20250514' },
    description: 'As for tasks; resume_session_id is always the session being resumed',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsTaskMetadata()
  metadata?: Record<string, unknown>;
}
