import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An agent's own session as a worker synced it (filled by the session-sync feature). */
@Entity({ name: 'sessions' })
@Index('sessions_codebase_updated_idx', ['codebase_id', 'updated'])
export class SessionEntity {
  /** The agent's own session id (e.g. OpenCode `ses_...`, Claude Code uuid). */
  @PrimaryColumn('text')
  id: string;

  @Column('text', { nullable: true })
  codebase_id: string | null;

  @Column('text', { nullable: true })
  worker_id: string | null;

  @Column('text')
  agent_type: string;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  created: Date | null;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  updated: Date | null;

  @Column('integer', { default: 0 })
  message_count: number;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  synced_at: Date;
}
