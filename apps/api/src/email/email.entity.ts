import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EmailDirection = 'outbound' | 'inbound';
export type EmailStatus = 'queued' | 'sent' | 'failed' | 'received' | 'accepted' | 'rejected';

/** A notification we sent or a reply we received (see migration 1764000000000-emails). */
@Entity({ name: 'emails' })
export class EmailEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  direction: EmailDirection;

  @Column('text', { nullable: true })
  task_id: string | null;

  /** Outbound only: the task's attempt when that run ended (one notification per run). */
  @Column('integer', { nullable: true })
  task_attempt: number | null;

  @Column('text', { nullable: true })
  session_id: string | null;

  @Column('text', { nullable: true })
  recipient: string | null;

  @Column('text', { nullable: true })
  sender: string | null;

  @Column('text', { nullable: true })
  subject: string | null;

  @Column('text', { nullable: true })
  message_id: string | null;

  /** Inbound only, unique: the Message-ID of the first delivery of a reply. */
  @Column('text', { nullable: true })
  dedup_message_id: string | null;

  @Column('text')
  status: EmailStatus;

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text', { nullable: true })
  provider: string | null;

  @Column('text', { nullable: true })
  provider_message_id: string | null;

  @Column('integer', { default: 0 })
  attempts: number;

  /** Outbound: someone is sending it until then (EmailRepository.claimSend). */
  @Column('timestamp with time zone', { precision: 3, nullable: true })
  send_claimed_until: Date | null;

  /** Inbound: the continuation task the reply created. */
  @Column('text', { nullable: true })
  created_task_id: string | null;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  created_at: Date;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  updated_at: Date;
}

export type EmailRow = EmailEntity;
