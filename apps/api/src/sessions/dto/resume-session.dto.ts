import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ResumeSessionRequest } from '#contracts';
import { MAX_PROMPT_LENGTH } from '../../tasks/dto/create-task.dto';
import { IsTaskMetadata } from '../../tasks/dto/task-metadata.validator';

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

  @ApiPropertyOptional({ example: 50, minimum: 0, maximum: 100, default: 0 })
  @IsOptional()
  @IsInt({ message: 'priority must be an integer between 0 and 100' })
  @Min(0, { message: 'priority must be an integer between 0 and 100' })
  @Max(100, { message: 'priority must be an integer between 0 and 100' })
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
