import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AgentToolInfo, WorkerResources } from '#contracts';

/** A worker daemon. `status` is `active` or `offline`; stale is derived from heartbeat age. */
@Entity({ name: 'workers' })
export class WorkerEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  hostname: string | null;

  @Column('text', { nullable: true })
  role: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  capabilities: string[];

  @Column('text', { array: true, default: () => "'{}'" })
  models: string[];

  /** Installed agent CLIs as the worker reported them. */
  @Column('jsonb', { default: () => "'[]'" })
  agents: AgentToolInfo[];

  /** Names of `agents`, for the "is this tool installed" check on task creation. */
  @Column('text', { array: true, default: () => "'{}'" })
  tools: string[];

  @Column('integer', { default: 1 })
  max_concurrent: number;

  @Column('text', { default: 'active' })
  status: 'active' | 'offline';

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  last_heartbeat_at: Date | null;

  @Column('jsonb', { nullable: true })
  resources: WorkerResources | null;

  @Column('text', { nullable: true })
  version: string | null;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  registered_at: Date;

  @Column('integer', { default: 0 })
  tasks_completed: number;

  @Column('integer', { default: 0 })
  tasks_failed: number;
}
