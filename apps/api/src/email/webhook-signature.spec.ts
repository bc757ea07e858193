import { generateKeyPairSync, sign } from 'node:crypto';
import { parseWebhookPublicKey, readSignatureHeaders, webhookSignatureMatches } from './webhook-signature';

describe('SendGrid webhook signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = parseWebhookPublicKey(publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));
  const now = 1_800_000_000_000;
  const ts = String(now / 1000);
  const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--b--\r\n');
  const headers = (signature: string, timestamp = ts) => ({
    'x-twilio-email-event-webhook-signature': signature,
    'x-twilio-email-event-webhook-timestamp': timestamp,
  });
  const sig = sign('sha256', Buffer.concat([Buffer.from(ts), body]), privateKey).toString('base64');

  it('verifies timestamp + raw body', () => {
    const h = readSignatureHeaders(headers(sig), now);
    if (typeof h === 'string') throw new Error(h);
    expect(webhookSignatureMatches(key, h, body)).toBe(true);
    expect(webhookSignatureMatches(key, h, Buffer.concat([body, Buffer.from(' ')]))).toBe(false);
  });

  it('refuses missing, malformed, stale and far-future headers', () => {
    expect(readSignatureHeaders({}, now)).toMatch(/missing/);
    expect(readSignatureHeaders(headers('***'), now)).toMatch(/base64/);
    expect(readSignatureHeaders(headers(sig, 'yesterday'), now)).toMatch(/Unix seconds/);
    expect(readSignatureHeaders(headers(sig, String(now / 1000 - 601)), now)).toMatch(/old/);
    expect(readSignatureHeaders(headers(sig, String(now / 1000 + 601)), now)).toMatch(/future/);
    expect(typeof readSignatureHeaders(headers(sig, String(now / 1000 - 599)), now)).toBe('object');
  });

  it('reads the key as PEM too and refuses non-P-256 keys', () => {
    expect(parseWebhookPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString()).equals(key)).toBe(true);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(() => parseWebhookPublicKey(p384)).toThrow(/P-256/);
  });
});
