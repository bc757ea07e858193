import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Workers, codebases, tasks, task output, and the session tables (DESIGN 2). */
export class InitialSchema1763888400000 implements MigrationInterface {
  name = 'InitialSchema1763888400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workers (
        id                text PRIMARY KEY,
        name              text NOT NULL,
        hostname          text,
        role              text,
        capabilities      text[] NOT NULL DEFAULT '{}',
        models            text[] NOT NULL DEFAULT '{}',
        agents            jsonb NOT NULL DEFAULT '[]',
        tools             text[] NOT NULL DEFAULT '{}',
        max_concurrent    integer NOT NULL DEFAULT 1 CHECK (max_concurrent >= 1),
        status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'offline')),
        last_heartbeat_at timestamptz(3),
        resources         jsonb,
        version           text,
        registered_at     timestamptz(3) NOT NULL DEFAULT now(),
        tasks_completed   integer NOT NULL DEFAULT 0,
        tasks_failed      integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX workers_last_heartbeat_idx ON workers (last_heartbeat_at)`);

    await q.query(`
      CREATE TABLE codebases (
        id            text PRIMARY KEY,
        name          text NOT NULL,
        path          text NOT NULL,
        description   text NOT NULL DEFAULT '',
        worker_id     text REFERENCES workers (id),
        status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
        registered_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT codebases_worker_path_key UNIQUE (worker_id, path)
      )`);

    await q.query(`
      CREATE TABLE tasks (
        id                  text PRIMARY KEY,
        codebase_id         text REFERENCES codebases (id),
        title               text NOT NULL,
        prompt              text NOT NULL,
        agent_type          text NOT NULL,
        tool                text,
        model               text,
        priority            integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100),
        status              text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
        attempt             integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        worker_id           text REFERENCES workers (id),
        session_id          text,
        result              text,
        error               text,
        failure_reason      text CHECK (failure_reason IN ('agent_exit_nonzero', 'agent_not_found', 'timeout',
                            'idle_timeout', 'cancelled', 'worker_lost', 'worker_shutdown', 'invalid_codebase', 'internal')),
        exit_code           integer,
        metadata            jsonb NOT NULL DEFAULT '{}',
        cancel_requested_at timestamptz(3),
        correlation_id      text,
        created_at          timestamptz(3) NOT NULL DEFAULT now(),
        queued_at           timestamptz(3),
        started_at          timestamptz(3),
        finished_at         timestamptz(3),
        output_bytes        bigint NOT NULL DEFAULT 0,
        output_truncated    boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX tasks_status_idx ON tasks (status)`);
    await q.query(`CREATE INDEX tasks_codebase_created_idx ON tasks (codebase_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_worker_status_idx ON tasks (worker_id, status)`);
    // Unfiltered newest-first listing.
    await q.query(`CREATE INDEX tasks_created_idx ON tasks (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE task_output (
        task_id    text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        "offset"   bigint NOT NULL CHECK ("offset" >= 0),
        data       text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT task_output_task_offset_key PRIMARY KEY (task_id, "offset")
      )`);

    await q.query(`
      CREATE TABLE sessions (
        id            text PRIMARY KEY,
        codebase_id   text REFERENCES codebases (id),
        worker_id     text REFERENCES workers (id),
        agent_type    text NOT NULL,
        title         text,
        created       timestamptz(3),
        updated       timestamptz(3),
        message_count integer NOT NULL DEFAULT 0,
        synced_at     timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sessions_codebase_updated_idx ON sessions (codebase_id, updated)`);

    await q.query(`
      CREATE TABLE session_messages (
        session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        id         text NOT NULL,
        role       text NOT NULL,
        content    jsonb NOT NULL DEFAULT '{}',
        created    timestamptz(3),
        PRIMARY KEY (session_id, id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE session_messages`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE task_output`);
    await q.query(`DROP TABLE tasks`);
    await q.query(`DROP TABLE codebases`);
    await q.query(`DROP TABLE workers`);
  }
}
