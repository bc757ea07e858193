import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notification is sent only by whoever claimed it (EmailRepository.claimSend): the queue job on
 * any replica, or a replica's in-process retry while Redis was down. The claim expires, so a
 * replica that died mid-send does not keep the row from being sent.
 */
export class EmailSendClaim1764300000000 implements MigrationInterface {
  name = 'EmailSendClaim1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE emails ADD COLUMN send_claimed_until timestamptz(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE emails DROP COLUMN send_claimed_until`);
  }
}
