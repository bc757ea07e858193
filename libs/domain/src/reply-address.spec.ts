import {
  decodeReplyAddress,
  encodeReplyAddress,
  MAX_LOCAL_PART_LENGTH,
  ReplyAddressTooLongError,
  replyAddressForTask,
  verifyReplyAddress,
} from './reply-address';

const secret = 'test-signing-secret-0123456789';
const domain = 'inbound.example.com';
const recipient = 'Alice@Example.com';
const opts = { secret, domain };

const localPart = (address: string) => address.slice(0, address.lastIndexOf('@'));

describe('reply address', () => {
  const ids = {
    claudeUuid: 'f3b2c1d0-8e7f-4a6b-9c5d-1e2f3a4b5c6d',
    openCode: 'ses_6a1b2c3d4ffeAbCdEfGhIjKlMn',
    numeric: '42',
    withDots: 'weird.id/with+chars',
  };

  it.each(Object.entries(ids))('round-trips a %s session id', (_name, id) => {
    const address = encodeReplyAddress({ kind: 'session', id, recipient, secret, domain });
    expect(localPart(address).length).toBeLessThanOrEqual(MAX_LOCAL_PART_LENGTH);
    expect(address).toBe(address.toLowerCase());
    expect(verifyReplyAddress(address, recipient, opts)).toEqual({ ok: true, kind: 'session', id });
  });

  it('keeps simple ids readable, as the documented form', () => {
    const address = encodeReplyAddress({ kind: 'session', id: ids.claudeUuid, recipient, secret, domain });
    expect(address).toMatch(new RegExp(`^task\\+s${ids.claudeUuid}\\.[a-z2-7]{16}@${domain}$`));
  });

  it('round-trips a task target with a custom prefix', () => {
    const address = encodeReplyAddress({ kind: 'task', id: 'tsk-123', recipient, secret, domain, prefix: 'reply' });
    expect(address.startsWith('reply+ttsk-123.')).toBe(true);
    expect(verifyReplyAddress(address, recipient, { ...opts, prefix: 'reply' })).toEqual({
      ok: true,
      kind: 'task',
      id: 'tsk-123',
    });
    expect(verifyReplyAddress(address, recipient, opts)).toEqual({ ok: false, reason: 'not_reply_address' });
  });

  it('still verifies after a mail system upper-cases or lower-cases the address', () => {
    const address = encodeReplyAddress({ kind: 'session', id: ids.openCode, recipient, secret, domain });
    expect(verifyReplyAddress(address.toUpperCase(), 'alice@example.com', opts)).toEqual({
      ok: true,
      kind: 'session',
      id: ids.openCode,
    });
    expect(verifyReplyAddress(`"Codefleet" <${address}>`, '<ALICE@example.com>', opts).ok).toBe(true);
  });

  it('rejects a tampered id or signature as bad_signature', () => {
    const address = encodeReplyAddress({ kind: 'session', id: 'abc123', recipient, secret, domain });
    const otherSession = address.replace('+sabc123.', '+sabc124.');
    expect(verifyReplyAddress(otherSession, recipient, opts)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const sig = localPart(address).split('.')[1];
    const flipped = address.replace(sig, (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    expect(verifyReplyAddress(flipped, recipient, opts)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const asTask = address.replace('+sabc123.', '+tabc123.');
    expect(verifyReplyAddress(asTask, recipient, opts)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a reply from someone other than the recipient, or under another secret', () => {
    const address = encodeReplyAddress({ kind: 'session', id: 'abc123', recipient, secret, domain });
    expect(verifyReplyAddress(address, 'mallory@example.com', opts)).toEqual({
      ok: false,
      reason: 'bad_signature',
      kind: 'session',
      id: 'abc123',
    });
    expect(verifyReplyAddress(address, recipient, { ...opts, secret: 'another-secret' }).ok).toBe(false);
  });

  it('accepts addresses signed with a previous secret while rotating', () => {
    const address = encodeReplyAddress({ kind: 'session', id: 'abc123', recipient, secret: 'old-secret', domain });
    expect(verifyReplyAddress(address, recipient, { ...opts, secret: [secret, 'old-secret'] }).ok).toBe(true);
    expect(verifyReplyAddress(address, recipient, { ...opts, secret: [secret] }).ok).toBe(false);
  });

  it('flags the unsigned documented form so the caller can refuse it', () => {
    const legacy = `task+ses_6a1bAbC@${domain}`;
    expect(decodeReplyAddress(legacy, { domain })).toEqual({ ok: true, signed: false, kind: 'session', id: 'ses_6a1bAbC' });
    expect(verifyReplyAddress(legacy, recipient, opts)).toEqual({
      ok: false,
      reason: 'unsigned',
      kind: 'session',
      id: 'ses_6a1bAbC',
    });
  });

  it('tells addresses that are not reply addresses from malformed ones', () => {
    expect(verifyReplyAddress('support@inbound.example.com', recipient, opts).ok).toBe(false);
    expect(decodeReplyAddress('support@inbound.example.com')).toEqual({ ok: false, reason: 'not_reply_address' });
    expect(decodeReplyAddress(`task+sabc.short@other.example.com`, { domain })).toEqual({
      ok: false,
      reason: 'not_reply_address',
    });
    expect(decodeReplyAddress('no-at-sign')).toEqual({ ok: false, reason: 'not_reply_address' });
    expect(decodeReplyAddress(`task+sabc.short@${domain}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(decodeReplyAddress(`task+xabc.aaaaaaaaaaaaaaaa@${domain}`)).toEqual({ ok: false, reason: 'malformed' });
    // A non-canonical encoding of a plain id is refused rather than given a second address.
    expect(decodeReplyAddress(`task+s-a-abc.aaaaaaaaaaaaaaaa@${domain}`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('throws a typed error when the id cannot fit in 64 characters', () => {
    const longId = 'ses_' + 'Ab'.repeat(30);
    expect(() => encodeReplyAddress({ kind: 'session', id: longId, recipient, secret, domain })).toThrow(
      ReplyAddressTooLongError,
    );
  });

  it('falls back to the task address when the session id does not fit or is missing', () => {
    const taskId = 'b7e4a1c2-0d3f-4e5a-8b6c-9d0e1f2a3b4c';
    const base = { taskId, recipient, secret, domain };
    expect(replyAddressForTask({ ...base, sessionId: 'abc123' })).toMatchObject({ kind: 'session', id: 'abc123' });
    const fallback = replyAddressForTask({ ...base, sessionId: 'ses_' + 'Ab'.repeat(30) });
    expect(fallback).toMatchObject({ kind: 'task', id: taskId });
    expect(verifyReplyAddress(fallback.address, recipient, opts)).toEqual({ ok: true, kind: 'task', id: taskId });
    expect(replyAddressForTask({ ...base, sessionId: null }).kind).toBe('task');
  });

  it('refuses to sign without a secret', () => {
    expect(() => encodeReplyAddress({ kind: 'task', id: 'x1', recipient, secret: '', domain })).toThrow(/secret/);
  });
});
