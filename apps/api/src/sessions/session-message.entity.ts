import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One message of a synced agent session. */
@Entity({ name: 'session_messages' })
export class SessionMessageEntity {
  @PrimaryColumn('text')
  session_id: string;

  @PrimaryColumn('text')
  id: string;

  @Column('text')
  role: string;

  /** Position in the conversation (messages may lack timestamps). */
  @Column('integer', { default: 0 })
  seq: number;

  /** The message's text summary (shortened by the worker). */
  @Column('text', { default: '' })
  text: string;

  @Column('jsonb', { default: () => "'{}'" })
  content: unknown;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  created: Date | null;
}
