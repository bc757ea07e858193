import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IntInRange, PageCursor } from '../../common/page-query';

export const DEFAULT_SESSION_PAGE = 50;
export const MAX_SESSION_PAGE = 500;
export const DEFAULT_DETAIL_MESSAGES = 200;
export const MAX_DETAIL_MESSAGES = 1000;
export const DEFAULT_MESSAGE_PAGE = 100;
export const MAX_MESSAGE_PAGE = 500;

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

  @IntInRange('limit', MAX_SESSION_PAGE, DEFAULT_SESSION_PAGE)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class SessionDetailQuery {
  @IntInRange('messages_limit', MAX_DETAIL_MESSAGES, DEFAULT_DETAIL_MESSAGES, 'How many of the most recent messages')
  messages_limit?: number;
}

export class ListSessionMessagesQuery {
  @IntInRange('limit', MAX_MESSAGE_PAGE, DEFAULT_MESSAGE_PAGE)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
