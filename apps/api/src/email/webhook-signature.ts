import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** Headers of SendGrid's signed webhooks (Event Webhook and Inbound Parse security policies). */
export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** A signed post whose timestamp is further than this from now (either way) is refused as a replay. */
export const SIGNATURE_MAX_AGE_SECONDS = 10 * 60;

/**
 * The verification key as SendGrid shows it (base64 DER SubjectPublicKeyInfo), or as PEM (literal
 * `\n` escapes allowed, for one-line environment variables). Throws unless it is an EC P-256 key.
 */
export function parseWebhookPublicKey(text: string): KeyObject {
  const trimmed = text.trim().replace(/\\n/g, '\n');
  const key = /-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(trimmed)
    ? createPublicKey({ key: trimmed, format: 'pem' })
    : createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`expected an ECDSA P-256 public key, got ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
  }
  return key;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

export interface SignatureHeaders {
  signature: Buffer;
  timestamp: string;
}

/**
 * The signature headers of a request, checked before its body is read: both present, the
 * signature base64 and the timestamp (Unix seconds) within SIGNATURE_MAX_AGE_SECONDS of `now`.
 * Returns the problem as a string when they are not acceptable.
 */
export function readSignatureHeaders(headers: Record<string, string | string[] | undefined>, nowMs = Date.now()): SignatureHeaders | string {
  const signature = headerValue(headers[SIGNATURE_HEADER]);
  const timestamp = headerValue(headers[TIMESTAMP_HEADER]);
  if (!signature || !timestamp) return 'missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp header';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return 'signature header is not base64';
  if (!/^\d{1,12}$/.test(timestamp)) return `timestamp header is not Unix seconds: "${timestamp.slice(0, 40)}"`;
  const age = nowMs / 1000 - Number(timestamp);
  if (age > SIGNATURE_MAX_AGE_SECONDS) return `timestamp is ${Math.round(age)} s old (replay?)`;
  if (age < -SIGNATURE_MAX_AGE_SECONDS) return `timestamp is ${Math.round(-age)} s in the future`;
  return { signature: Buffer.from(signature, 'base64'), timestamp };
}

/** ECDSA P-256 / SHA-256 over timestamp + raw body, the signature DER-encoded. */
export function webhookSignatureMatches(key: KeyObject, headers: SignatureHeaders, rawBody: Buffer): boolean {
  try {
    return verify('sha256', Buffer.concat([Buffer.from(headers.timestamp, 'utf8'), rawBody]), key, headers.signature);
  } catch {
    return false;
  }
}
