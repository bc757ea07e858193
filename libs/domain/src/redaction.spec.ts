import { REDACTED, Redactor, secretValuesFromEnv, StreamRedactor } from './redaction';

describe('secret redaction', () => {
  const env = { API_TOKEN: 'tok-123456789', DB_PASSWORD: 'hunter22x', SHORT_KEY: 'abc', PATH: '/usr/bin', MY_SECRET: 'sssssssss' };

  it('takes values of *_TOKEN, *_KEY, *_SECRET, *_PASSWORD with 6+ chars', () => {
    expect(secretValuesFromEnv(env).sort()).toEqual(['hunter22x', 'sssssssss', 'tok-123456789']);
  });

  it('replaces env secrets and known token shapes', () => {
    const r = Redactor.fromEnv(env);
    expect(r.redact('login with tok-123456789 and hunter22x')).toBe(`login with ${REDACTED} and ${REDACTED}`);
    expect(r.redact('key sk-ant-api03-abcdefghijklmnopqrstuvwxyz')).toBe(`key ${REDACTED}`);
    expect(r.redact('gh: ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe(`gh: ${REDACTED}`);
    expect(r.redact('worker token cf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.')).toBe(`worker token ${REDACTED}.`);
    expect(r.redact('cf_short stays')).toBe('cf_short stays');
    expect(r.redact('path /usr/bin stays')).toBe('path /usr/bin stays');
  });

  it('redacts a secret split across two pieces of a stream', () => {
    const s = new StreamRedactor(Redactor.fromEnv(env));
    const out = s.push('first line\nthe token is tok-1234') + s.push('56789 ok\n') + s.end();
    expect(out).toBe(`first line\nthe token is ${REDACTED} ok\n`);
  });

  it('emits complete lines at once and holds back only a short tail', () => {
    const s = new StreamRedactor(Redactor.fromEnv(env));
    expect(s.push('line one\nline two\npartial')).toBe('line one\nline two\n');
    expect(s.end()).toBe('partial');
  });
});
