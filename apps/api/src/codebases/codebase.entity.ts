import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

export type CodebaseStatus = 'active' | 'deleted';

/** A directory on one worker's machine. Deleting it is a soft delete (status `deleted`). */
@Entity({ name: 'codebases' })
@Unique('codebases_worker_path_key', ['worker_id', 'path'])
export class CodebaseEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  name: string;

  /** Absolute and normalized. */
  @Column('text')
  path: string;

  @Column('text', { default: '' })
  description: string;

  @Column('text', { nullable: true })
  worker_id: string | null;

  @Column('text', { default: 'active' })
  status: CodebaseStatus;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  registered_at: Date;

  /** Where this codebase's task notifications go when a task names no `notify_email`. */
  @Column('text', { nullable: true })
  notification_email: string | null;
}
