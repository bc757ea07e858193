import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One notification per run of a task, not per task: a requeued task that ends again notifies
 * again. `task_attempt` is the task's attempt when it ended (the claim generation of that run).
 */
export class NotificationPerRun1764400000000 implements MigrationInterface {
  name = 'NotificationPerRun1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE emails ADD COLUMN task_attempt integer`);
    await q.query(`UPDATE emails e SET task_attempt = t.attempt FROM tasks t WHERE e.direction = 'outbound' AND e.task_id = t.id`);
    await q.query(`UPDATE emails SET task_attempt = 0 WHERE direction = 'outbound' AND task_attempt IS NULL`);
    await q.query(`DROP INDEX emails_outbound_task_key`);
    await q.query(`CREATE UNIQUE INDEX emails_outbound_run_key ON emails (task_id, task_attempt) WHERE direction = 'outbound'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX emails_outbound_run_key`);
    await q.query(`DELETE FROM emails a USING emails b
                   WHERE a.direction = 'outbound' AND b.direction = 'outbound' AND a.task_id = b.task_id AND a.task_attempt > b.task_attempt`);
    await q.query(`CREATE UNIQUE INDEX emails_outbound_task_key ON emails (task_id) WHERE direction = 'outbound'`);
    await q.query(`ALTER TABLE emails DROP COLUMN task_attempt`);
  }
}
