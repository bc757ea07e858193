import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { SESSION_SYNC_LIMITS, type SessionSyncRequest, type SyncedSession, type SyncedSessionMessage } from '#contracts';
import { WORKER_ID_PATTERN } from '../../workers/dto/register-worker.dto';
import { IsTimestamp } from './timestamp.validator';
import { IsToolUsage } from './tool-usage.validator';
import { PG_INT_MAX } from '../../common/int-bounds';

/** OpenCode `ses_...`, Claude Code / Codex / Gemini uuids: safe to hand back to a CLI as an argument. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const MESSAGE_ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,200}$/;
const TOOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Text longer than the sync limits is shortened, not rejected; this only bounds abuse. */
const MAX_RAW_TEXT = 1024 * 1024;

export class SyncedSessionMessageDto implements SyncedSessionMessage {
  @ApiProperty({ example: 'msg_01HZX3' })
  @IsString()
  @Matches(MESSAGE_ID_PATTERN, { message: 'id must be 1-200 characters without control characters' })
  id: string;

  @ApiProperty({ example: 'user', description: 'user, assistant, tool, system (as the CLI names it)' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, { message: 'role must be 1-32 letters, digits, "_" or "-"' })
  role: string;

  @ApiPropertyOptional({ example: '2025-12-10T15:00:05Z', nullable: true, type: String })
  @IsOptional()
  @IsTimestamp()
  created_at?: string | null;

  @ApiPropertyOptional({ example: 'Add unit tests for the auth module', description: `Shortened to ${SESSION_SYNC_LIMITS.maxMessageText} characters` })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RAW_TEXT)
  text?: string;

  @ApiPropertyOptional({ example: ['read', 'edit'], type: [String], description: 'Tools this message called' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tool_calls?: string[];
}

export class SyncedSessionDto implements SyncedSession {
  @ApiProperty({ example: 'sess_xyz', description: "The CLI's own session id (what resume_session_id takes)" })
  @IsString()
  @Matches(SESSION_ID_PATTERN, { message: 'id must be 1-200 letters, digits, ".", "_", ":" or "-"' })
  id: string;

  @ApiPropertyOptional({ example: 'opencode', default: 'opencode', description: 'The tool that owns the session: opencode, claude_code, codex, gemini' })
  @IsOptional()
  @IsString()
  @Matches(TOOL_PATTERN, { message: 'agent_type must be 1-64 letters, digits, ".", "_" or "-"' })
  agent_type?: string;

  @ApiPropertyOptional({ example: 'Added unit tests', nullable: true, type: String, description: `Shortened to ${SESSION_SYNC_LIMITS.maxTitle} characters` })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RAW_TEXT)
  title?: string | null;

  @ApiPropertyOptional({ example: 'Add unit tests for the auth module', nullable: true, type: String, description: 'Default: the first user message' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RAW_TEXT)
  summary?: string | null;

  @ApiPropertyOptional({ example: '2025-12-10T15:00:00Z', nullable: true, type: String })
  @IsOptional()
  @IsTimestamp()
  created_at?: string | null;

  @ApiPropertyOptional({ example: '2025-12-10T15:20:00Z', nullable: true, type: String })
  @IsOptional()
  @IsTimestamp()
  updated_at?: string | null;

  @ApiPropertyOptional({ example: 12, description: 'Messages in the whole session (the synced ones may be fewer)' })
  @IsOptional()
  @IsInt({ message: 'message_count must be a non-negative integer' })
  @Min(0, { message: 'message_count must be a non-negative integer' })
  @Max(PG_INT_MAX, { message: `message_count must be at most ${PG_INT_MAX}` })
  message_count?: number;

  @ApiPropertyOptional({ example: { read: 4, edit: 2, bash: 1 }, type: 'object', additionalProperties: { type: 'integer' } })
  @IsOptional()
  @IsToolUsage()
  tool_usage?: Record<string, number>;

  @ApiPropertyOptional({
    type: [SyncedSessionMessageDto],
    description: `The most recent messages (at most ${SESSION_SYNC_LIMITS.maxMessages}), oldest first; they replace the stored ones. Omitted: stored messages are kept.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SESSION_SYNC_LIMITS.maxMessages, {
    message: `messages: at most ${SESSION_SYNC_LIMITS.maxMessages} messages per session (send the most recent ones)`,
  })
  @ValidateNested({ each: true })
  @Type(() => SyncedSessionMessageDto)
  messages?: SyncedSessionMessageDto[];
}

export class SessionSyncRequestDto implements SessionSyncRequest {
  @ApiProperty({ example: 'abc123', description: 'Must be the worker that owns the codebase' })
  @IsString()
  @Matches(WORKER_ID_PATTERN, { message: 'worker_id is not a valid worker id' })
  worker_id: string;

  @ApiProperty({ type: [SyncedSessionDto], description: `At most ${SESSION_SYNC_LIMITS.maxSessions}; sessions not listed are kept` })
  @IsArray()
  @ArrayMaxSize(SESSION_SYNC_LIMITS.maxSessions, {
    message: `sessions: at most ${SESSION_SYNC_LIMITS.maxSessions} sessions per sync (send the most recently updated first, in several requests)`,
  })
  @ValidateNested({ each: true })
  @Type(() => SyncedSessionDto)
  sessions: SyncedSessionDto[];
}
