import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import type { EmailRow, EmailStatus } from './email.entity';

export const newEmailId = (): string => `em_${randomBytes(10).toString('hex')}`;

export interface NewOutboundEmail {
  task_id: string;
  /** The task's attempt when it ended: one notification per run. */
  task_attempt: number;
  session_id: string | null;
  recipient: string;
  subject: string;
  message_id: string;
}

export interface NewInboundEmail {
  status: EmailStatus;
  reason?: string | null;
  task_id?: string | null;
  session_id?: string | null;
  recipient?: string | null;
  sender?: string | null;
  subject?: string | null;
  message_id?: string | null;
  dedup_message_id?: string | null;
}

@Injectable()
export class EmailRepository {
  constructor(private readonly sql: Sql) {}

  /** The notification row of this run of the task, or null when one was recorded already (one per run). */
  insertOutbound(e: NewOutboundEmail): Promise<EmailRow | null> {
    return this.sql.one<EmailRow>(
      `INSERT INTO emails (id, direction, task_id, task_attempt, session_id, recipient, subject, message_id, status)
       VALUES ($1, 'outbound', $2, $3, $4, $5, $6, $7, 'queued')
       ON CONFLICT (task_id, task_attempt) WHERE direction = 'outbound' DO NOTHING RETURNING *`,
      [newEmailId(), e.task_id, e.task_attempt, e.session_id, e.recipient, e.subject, e.message_id],
    );
  }

  /**
   * Claims the next send attempt of a queued notification for `leaseMs`: null when it was sent or
   * failed meanwhile, or another replica (its queue job, or an in-process retry) is sending it now.
   * Whoever sends must claim first, so a row is sent at most once across replicas.
   */
  claimSend(id: string, leaseMs: number): Promise<EmailRow | null> {
    return this.sql.one<EmailRow>(
      `UPDATE emails SET send_claimed_until = now() + ($2::int * interval '1 millisecond')
       WHERE id = $1 AND direction = 'outbound' AND status = 'queued'
         AND (send_claimed_until IS NULL OR send_claimed_until < now())
       RETURNING *`,
      [id, leaseMs],
    );
  }

  /** Records a send attempt and releases the claim. */
  async markAttempt(id: string, fields: { status: EmailStatus; error?: string | null; provider?: string | null; provider_message_id?: string | null }): Promise<void> {
    await this.sql.rows(
      `UPDATE emails SET status = $2, error = $3, provider = COALESCE($4, provider),
              provider_message_id = COALESCE($5, provider_message_id), attempts = attempts + 1, updated_at = now(),
              send_claimed_until = NULL
       WHERE id = $1`,
      [id, fields.status, fields.error ?? null, fields.provider ?? null, fields.provider_message_id ?? null],
    );
  }

  /**
   * Notifications still `queued` that nobody touched for `idleMs` (no attempt, no insert) and that
   * are younger than `maxAgeMs`: their queue job may be lost (crash before enqueue, Redis flushed).
   */
  stuckOutbound(idleMs: number, maxAgeMs: number, limit: number): Promise<EmailRow[]> {
    return this.sql.rows<EmailRow>(
      `SELECT * FROM emails
       WHERE direction = 'outbound' AND status = 'queued'
         AND (send_claimed_until IS NULL OR send_claimed_until < now())
         AND updated_at < now() - ($1::int * interval '1 millisecond')
         AND created_at > now() - ($2::int * interval '1 millisecond')
       ORDER BY created_at LIMIT $3`,
      [idleMs, maxAgeMs, limit],
    );
  }

  /** A queued notification that will not be sent; keeps the last error when none is given. */
  async markFailed(id: string, error: string | null): Promise<boolean> {
    const rows = await this.sql.rows<{ id: string }>(
      `UPDATE emails SET status = 'failed', error = COALESCE($2, error), updated_at = now()
       WHERE id = $1 AND status = 'queued' RETURNING id`,
      [id, error],
    );
    return rows.length > 0;
  }

  /**
   * Records an inbound delivery. With a dedup_message_id already taken, returns null: the caller
   * records the replay without it.
   */
  async insertInbound(e: NewInboundEmail): Promise<EmailRow | null> {
    return this.sql.one<EmailRow>(
      `INSERT INTO emails (id, direction, task_id, session_id, recipient, sender, subject, message_id, dedup_message_id, status, reason)
       VALUES ($1, 'inbound', $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (dedup_message_id) DO NOTHING RETURNING *`,
      [
        newEmailId(),
        e.task_id ?? null,
        e.session_id ?? null,
        e.recipient ?? null,
        e.sender ?? null,
        e.subject ?? null,
        e.message_id ?? null,
        e.dedup_message_id ?? null,
        e.status,
        e.reason ?? null,
      ],
    );
  }

  async updateInbound(
    id: string,
    f: { status: EmailStatus; reason?: string | null; task_id?: string | null; session_id?: string | null; created_task_id?: string | null; releaseDedup?: boolean; error?: string | null },
  ): Promise<void> {
    await this.sql.rows(
      `UPDATE emails SET status = $2, reason = $3, task_id = COALESCE($4, task_id), session_id = COALESCE($5, session_id),
              created_task_id = $6, error = $7, updated_at = now(),
              dedup_message_id = CASE WHEN $8::boolean THEN NULL ELSE dedup_message_id END
       WHERE id = $1`,
      [id, f.status, f.reason ?? null, f.task_id ?? null, f.session_id ?? null, f.created_task_id ?? null, f.error ?? null, f.releaseDedup ?? false],
    );
  }

  /** Whom notifications for this session or task went to (lower-case). */
  async outboundRecipients(kind: 'session' | 'task', id: string): Promise<string[]> {
    const rows = await this.sql.rows<{ recipient: string }>(
      `SELECT DISTINCT lower(recipient) AS recipient FROM emails
       WHERE direction = 'outbound' AND recipient IS NOT NULL AND ${kind === 'session' ? 'session_id' : 'task_id'} = $1`,
      [id],
    );
    return rows.map((r) => r.recipient);
  }

  findById(id: string): Promise<EmailRow | null> {
    return this.sql.one<EmailRow>(`SELECT * FROM emails WHERE id = $1`, [id]);
  }
}
