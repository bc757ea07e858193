import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FailureReason, TaskStatus } from '#contracts';

/**
 * A unit of agent work. `attempt` is the fencing generation: every claim increments it and
 * every worker callback must carry it. `codebase_id` is null for worker-global tasks and for
 * codebase registration tasks.
 */
@Entity({ name: 'tasks' })
@Index('tasks_status_idx', ['status'])
@Index('tasks_worker_status_idx', ['worker_id', 'status'])
export class TaskEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text', { nullable: true })
  codebase_id: string | null;

  @Column('text')
  title: string;

  @Column('text')
  prompt: string;

  @Column('text')
  agent_type: string;

  @Column('text', { nullable: true })
  tool: string | null;

  @Column('text', { nullable: true })
  model: string | null;

  @Column('integer', { default: 0 })
  priority: number;

  @Column('text', { default: 'pending' })
  status: TaskStatus;

  @Column('integer', { default: 0 })
  attempt: number;

  /** The worker the task is routed to (codebase owner or worker-global target), then the claimer. */
  @Column('text', { nullable: true })
  worker_id: string | null;

  @Column('text', { nullable: true })
  session_id: string | null;

  @Column('text', { nullable: true })
  result: string | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text', { nullable: true })
  failure_reason: FailureReason | null;

  @Column('integer', { nullable: true })
  exit_code: number | null;

  @Column('jsonb', { default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  cancel_requested_at: Date | null;

  @Column('text', { nullable: true })
  correlation_id: string | null;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  created_at: Date;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  queued_at: Date | null;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  started_at: Date | null;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  finished_at: Date | null;

  /** bigint: the pg driver returns it as a string. */
  @Column('bigint', { default: 0 })
  output_bytes: string | number;

  @Column('boolean', { default: false })
  output_truncated: boolean;
}

/** A row as raw SQL returns it (same column names as the entity). */
export type TaskRow = TaskEntity;
