import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_SESSION_PAGE = 50;
export const MAX_SESSION_PAGE = 500;
export const DEFAULT_DETAIL_MESSAGES = 200;
export const MAX_DETAIL_MESSAGES = 1000;
export const DEFAULT_MESSAGE_PAGE = 100;
export const MAX_MESSAGE_PAGE = 500;

const limitMessage = (max: number) => `limit must be an integer between 1 and ${max}`;

export class ListSessionsQuery {
  @ApiPropertyOptional({ example: 'auth module', description: 'Case-insensitive text in the title, summary or any message' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: 'claude_code', description: 'Only sessions of this tool' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'agent_type must be 1-64 letters, digits, ".", "_" or "-"' })
  agent_type?: string;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: MAX_SESSION_PAGE, default: DEFAULT_SESSION_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: limitMessage(MAX_SESSION_PAGE) })
  @Min(1, { message: limitMessage(MAX_SESSION_PAGE) })
  @Max(MAX_SESSION_PAGE, { message: limitMessage(MAX_SESSION_PAGE) })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class SessionDetailQuery {
  @ApiPropertyOptional({ example: 200, minimum: 1, maximum: MAX_DETAIL_MESSAGES, default: DEFAULT_DETAIL_MESSAGES, description: 'How many of the most recent messages' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `messages_limit must be an integer between 1 and ${MAX_DETAIL_MESSAGES}` })
  @Min(1, { message: `messages_limit must be an integer between 1 and ${MAX_DETAIL_MESSAGES}` })
  @Max(MAX_DETAIL_MESSAGES, { message: `messages_limit must be an integer between 1 and ${MAX_DETAIL_MESSAGES}` })
  messages_limit?: number;
}

export class ListSessionMessagesQuery {
  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: MAX_MESSAGE_PAGE, default: DEFAULT_MESSAGE_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: limitMessage(MAX_MESSAGE_PAGE) })
  @Min(1, { message: limitMessage(MAX_MESSAGE_PAGE) })
  @Max(MAX_MESSAGE_PAGE, { message: limitMessage(MAX_MESSAGE_PAGE) })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
