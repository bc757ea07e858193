import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An agent's own session as a worker synced it. */
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

  /** Tool name -> number of calls, as the worker counted them in the CLI's store. */
  @Column('jsonb', { default: () => "'{}'" })
  tool_usage: Record<string, number>;

  /** A short summary (the first prompt, shortened) for lists and search. */
  @Column('text', { nullable: true })
  summary: string | null;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  synced_at: Date;
}
