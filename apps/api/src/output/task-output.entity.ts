import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One chunk of a task's output at a byte offset; (task_id, offset) is unique so retries are no-ops. */
@Entity({ name: 'task_output' })
export class TaskOutputEntity {
  @PrimaryColumn('text')
  task_id: string;

  @PrimaryColumn('bigint')
  offset: string | number;

  @Column('text')
  data: string;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  created_at: Date;
}
