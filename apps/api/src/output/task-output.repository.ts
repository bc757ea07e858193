import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface StoredChunk {
  offset: number;
  data: string;
  bytes: number;
}

@Injectable()
export class TaskOutputRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Stores a chunk once: a retry of the same (task, offset) is a no-op. `output_bytes` only grows,
   * so chunks arriving out of order still leave it at the end of the furthest one.
   */
  async insertChunk(taskId: string, offset: number, data: string, bytes: number): Promise<{ inserted: boolean; outputBytes: number | null }> {
    const row = await this.sql.one<{ inserted: number; output_bytes: string | null }>(
      `WITH ins AS (
         INSERT INTO task_output (task_id, "offset", data) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING "offset"
       ), upd AS (
         UPDATE tasks SET output_bytes = GREATEST(output_bytes, $2::bigint + $4::bigint)
         WHERE id = $1 AND EXISTS (SELECT 1 FROM ins) RETURNING output_bytes
       )
       SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT output_bytes FROM upd) AS output_bytes`,
      [taskId, offset, data, bytes],
    );
    return { inserted: (row?.inserted ?? 0) > 0, outputBytes: row?.output_bytes == null ? null : Number(row.output_bytes) };
  }

  /**
   * Chunks that end after `from`, in offset order, until `limitBytes` is reached (at least one
   * chunk when there is any, so a reader always makes progress).
   */
  /** About the last `bytes` of the output (whole chunks), and whether earlier chunks were left out. */
  async readTail(taskId: string, bytes: number): Promise<{ text: string; cut: boolean }> {
    const rows = await this.sql.rows<{ data: string; before: string }>(
      `SELECT data, before FROM (
         SELECT "offset", data, sum(octet_length(data)) OVER (ORDER BY "offset" DESC) - octet_length(data) AS before
         FROM task_output WHERE task_id = $1
       ) c WHERE before < $2 ORDER BY "offset"`,
      [taskId, bytes],
    );
    const total = await this.sql.one<{ n: string }>(`SELECT count(*) AS n FROM task_output WHERE task_id = $1`, [taskId]);
    return { text: rows.map((r) => r.data).join(''), cut: Number(total?.n ?? 0) > rows.length };
  }

  async readFrom(taskId: string, from: number, limitBytes: number): Promise<StoredChunk[]> {
    const rows = await this.sql.rows<{ offset: string; data: string; bytes: number }>(
      `SELECT "offset", data, bytes FROM (
         SELECT "offset", data, octet_length(data) AS bytes,
                sum(octet_length(data)) OVER (ORDER BY "offset") - octet_length(data) AS before
         FROM task_output WHERE task_id = $1 AND "offset" + octet_length(data) > $2
       ) c
       WHERE before < $3 OR before = 0
       ORDER BY "offset"`,
      [taskId, from, limitBytes],
    );
    return rows.map((r) => ({ offset: Number(r.offset), data: r.data, bytes: Number(r.bytes) }));
  }
}
