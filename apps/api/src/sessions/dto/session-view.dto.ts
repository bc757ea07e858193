import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { RejectedSession, SessionDetailView, SessionMessagePage, SessionMessageView, SessionPage, SessionSyncResponse, SessionView } from '#contracts';

export class SessionViewDto implements SessionView {
  @ApiProperty({ example: 'sess_xyz' }) id: string;
  @ApiProperty({ example: 'cb_k3j5m2n4p6q7r8s9', nullable: true, type: String }) codebase_id: string | null;
  @ApiProperty({ example: 'abc123', nullable: true, type: String }) worker_id: string | null;
  @ApiProperty({ example: 'opencode', description: 'The tool that owns the session (resume runs this tool)' }) agent_type: string;
  @ApiProperty({ example: 'Added unit tests', nullable: true, type: String }) title: string | null;
  @ApiProperty({ example: 'Add unit tests for the auth module', nullable: true, type: String }) summary: string | null;
  @ApiProperty({ example: '2025-12-10T15:00:00.000Z', nullable: true, type: String }) created_at: string | null;
  @ApiProperty({ example: '2025-12-10T15:20:00.000Z', nullable: true, type: String }) updated_at: string | null;
  @ApiProperty({ example: 12 }) message_count: number;
  @ApiProperty({ example: { read: 4, edit: 2 }, type: 'object', additionalProperties: { type: 'integer' } }) tool_usage: Record<string, number>;
  @ApiProperty({ example: '2025-12-10T15:21:00.000Z' }) synced_at: string;
}

export class SessionMessageViewDto implements SessionMessageView {
  @ApiProperty({ example: 'msg_01HZX3' }) id: string;
  @ApiProperty({ example: 'user' }) role: string;
  @ApiProperty({ example: 0, description: 'Position in the conversation' }) seq: number;
  @ApiProperty({ example: '2025-12-10T15:00:05.000Z', nullable: true, type: String }) created_at: string | null;
  @ApiProperty({ example: 'Add unit tests for the auth module' }) text: string;
  @ApiProperty({ example: [], type: [String] }) tool_calls: string[];
}

export class SessionDetailViewDto extends SessionViewDto implements SessionDetailView {
  @ApiProperty({ type: [SessionMessageViewDto], description: 'The most recent messages (messages_limit, default 200), oldest first' })
  messages: SessionMessageViewDto[];
}

export class SessionPageDto implements SessionPage {
  @ApiProperty({ type: [SessionViewDto] }) sessions: SessionViewDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page; null on the last page' }) next_cursor: string | null;
}

export class SessionMessagePageDto implements SessionMessagePage {
  @ApiProperty({ type: [SessionMessageViewDto] }) messages: SessionMessageViewDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page; null on the last page' }) next_cursor: string | null;
}

export class RejectedSessionDto implements RejectedSession {
  @ApiProperty({ example: 'sess_xyz' }) id: string;
  @ApiProperty({ example: 'session sess_xyz belongs to another codebase' }) reason: string;
}

export class SessionSyncResponseDto implements SessionSyncResponse {
  @ApiProperty({ example: 'cb_k3j5m2n4p6q7r8s9' }) codebase_id: string;
  @ApiProperty({ example: 3, description: 'Sessions created or updated' }) synced: number;
  @ApiProperty({ example: '2025-12-10T15:21:00.000Z' }) synced_at: string;
  @ApiPropertyOptional({ type: [RejectedSessionDto], description: 'Sessions left untouched (the rest was stored)' }) rejected: RejectedSessionDto[];
}
