// Reply addresses for notification emails: `<prefix>+<token>.<signature>@<domain>`.
//
// token     = `s<id>` (agent session) or `t<id>` (task without a session), where <id> is
//             the id itself when it is already lower-case safe, `-<case mask>-<id lower-cased>`
//             for mixed-case ids such as OpenCode's `ses_6a1bC...`, or `_<base32 of the
//             UTF-8 bytes>` for anything else. Every form is lower-case only, because mail
//             systems may lower-case the local part on the way back.
// signature = HMAC-SHA256(secret, kind, id, recipient) truncated to 80 bits, base32: only the
//             person the notification went to can reply into that session, and nobody can
//             mint an address for a session they were not sent.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type ReplyTargetKind = 'session' | 'task';

export interface ReplyTarget {
  kind: ReplyTargetKind;
  id: string;
}

export interface EncodeReplyAddressInput extends ReplyTarget {
  /** The address the notification is sent to; only this sender may use the reply address. */
  recipient: string;
  secret: string;
  /** Local-part prefix before the `+` (EMAIL_REPLY_PREFIX), default `task`. */
  prefix?: string;
  /** Inbound domain (EMAIL_INBOUND_DOMAIN). */
  domain: string;
}

export interface ReplyAddressOptions {
  prefix?: string;
  /** When set, addresses at any other domain are `not_reply_address`. */
  domain?: string;
}

export interface VerifyReplyAddressOptions extends ReplyAddressOptions {
  /** Several secrets while rotating: the new one signs, addresses already sent keep working. */
  secret: string | readonly string[];
}

/** Structural parse result, before any signature check. */
export type ReplyAddressParse =
  | { ok: true; signed: true; kind: ReplyTargetKind; id: string; signature: string }
  /** The documented legacy form `task+{session_id}@domain`: carries no proof of who sent it. */
  | { ok: true; signed: false; kind: 'session'; id: string }
  | { ok: false; reason: 'not_reply_address' | 'malformed' };

export type ReplyAddressRejection = 'not_reply_address' | 'malformed' | 'unsigned' | 'bad_signature';

export type ReplyAddressVerification =
  | { ok: true; kind: ReplyTargetKind; id: string }
  | { ok: false; reason: ReplyAddressRejection; kind?: ReplyTargetKind; id?: string };

/** RFC 5321 limit on the local part; longer addresses bounce at many servers. */
export const MAX_LOCAL_PART_LENGTH = 64;
export const DEFAULT_REPLY_PREFIX = 'task';

const SIGNATURE_BYTES = 10; // 80 bits: enough against online guessing, short enough to fit
const SIGNATURE_CHARS = 16; // base32 of 10 bytes, no padding
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const PLAIN_ID = /^[a-z0-9][a-z0-9_-]*$/;
const MIXED_CASE_ID = /^[A-Za-z0-9_-]+$/;
const PREFIX_SHAPE = /^[a-z0-9][a-z0-9_-]*$/;

/** Thrown when an id cannot fit in a 64-character local part; fall back to the task address. */
export class ReplyAddressTooLongError extends Error {
  constructor(readonly localPartLength: number) {
    super(`reply address local part would be ${localPartLength} characters (max ${MAX_LOCAL_PART_LENGTH})`);
    this.name = 'ReplyAddressTooLongError';
  }
}

export function encodeReplyAddress(input: EncodeReplyAddressInput): string {
  const prefix = normalizePrefix(input.prefix);
  const domain = input.domain.trim().toLowerCase();
  if (!domain || /[\s@]/.test(domain)) throw new Error(`invalid inbound domain: "${input.domain}"`);
  if (!input.id) throw new Error('reply address needs a non-empty id');
  const token = encodeToken(input.kind, input.id);
  const signature = sign(input.secret, input.kind, input.id, input.recipient);
  const localPart = `${prefix}+${token}.${signature}`;
  if (localPart.length > MAX_LOCAL_PART_LENGTH) throw new ReplyAddressTooLongError(localPart.length);
  return `${localPart}@${domain}`;
}

export interface TaskReplyAddressInput extends Omit<EncodeReplyAddressInput, 'kind' | 'id'> {
  taskId: string;
  sessionId?: string | null;
}

/** The session's address when the task has a session id that fits, else the task's address. */
export function replyAddressForTask(input: TaskReplyAddressInput): { address: string } & ReplyTarget {
  const { taskId, sessionId, ...rest } = input;
  if (sessionId) {
    try {
      const address = encodeReplyAddress({ ...rest, kind: 'session', id: sessionId });
      return { address, kind: 'session', id: sessionId };
    } catch (error) {
      if (!(error instanceof ReplyAddressTooLongError)) throw error;
    }
  }
  return { address: encodeReplyAddress({ ...rest, kind: 'task', id: taskId }), kind: 'task', id: taskId };
}

/** Reads the target out of an address without checking its signature (see verifyReplyAddress). */
export function decodeReplyAddress(address: string, options: ReplyAddressOptions = {}): ReplyAddressParse {
  const prefix = normalizePrefix(options.prefix);
  const clean = stripAngles(address);
  const at = clean.lastIndexOf('@');
  if (at < 1) return { ok: false, reason: 'not_reply_address' };
  const rawLocal = clean.slice(0, at);
  const domain = clean.slice(at + 1).toLowerCase();
  const plus = rawLocal.indexOf('+');
  const wrongDomain = !!options.domain && domain !== options.domain.trim().toLowerCase();
  if (wrongDomain || plus < 0 || rawLocal.slice(0, plus).toLowerCase() !== prefix) {
    return { ok: false, reason: 'not_reply_address' };
  }
  const detail = rawLocal.slice(plus + 1);
  const dot = detail.lastIndexOf('.');
  if (dot < 0) {
    // Legacy documented form: keep the id exactly as written, the caller rejects it.
    return detail ? { ok: true, signed: false, kind: 'session', id: detail } : { ok: false, reason: 'malformed' };
  }
  const token = detail.slice(0, dot).toLowerCase();
  const signature = detail.slice(dot + 1).toLowerCase();
  const target = decodeToken(token);
  if (!target || !/^[a-z2-7]+$/.test(signature) || signature.length !== SIGNATURE_CHARS) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, signed: true, ...target, signature };
}

/** Full check: shape, signature, and that `recipient` (the reply's sender) is who it was sent to. */
export function verifyReplyAddress(
  address: string,
  recipient: string,
  options: VerifyReplyAddressOptions,
): ReplyAddressVerification {
  const parsed = decodeReplyAddress(address, options);
  if (!parsed.ok) return parsed;
  if (!parsed.signed) return { ok: false, reason: 'unsigned', kind: parsed.kind, id: parsed.id };
  const given = Buffer.from(parsed.signature);
  const secrets: readonly string[] = typeof options.secret === 'string' ? [options.secret] : options.secret;
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(sign(secret, parsed.kind, parsed.id, recipient));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!matches) return { ok: false, reason: 'bad_signature', kind: parsed.kind, id: parsed.id };
  return { ok: true, kind: parsed.kind, id: parsed.id };
}

function sign(secret: string, kind: ReplyTargetKind, id: string, recipient: string): string {
  if (!secret) throw new Error('reply address secret is empty');
  const email = stripAngles(recipient).toLowerCase();
  // NUL separators keep (kind, id, email) unambiguous; v1 lets us rotate the scheme later.
  const mac = createHmac('sha256', secret).update(`reply-address/v1\0${kind}\0${id}\0${email}`).digest();
  return base32Encode(mac.subarray(0, SIGNATURE_BYTES));
}

function encodeToken(kind: ReplyTargetKind, id: string): string {
  const letter = kind === 'session' ? 's' : 't';
  if (PLAIN_ID.test(id)) return letter + id;
  if (MIXED_CASE_ID.test(id)) return `${letter}-${caseMask(id)}-${id.toLowerCase()}`;
  return `${letter}_${base32Encode(Buffer.from(id, 'utf8'))}`;
}

function decodeToken(token: string): ReplyTarget | null {
  const kind: ReplyTargetKind | null = token[0] === 's' ? 'session' : token[0] === 't' ? 'task' : null;
  if (!kind) return null;
  const body = token.slice(1);
  let id: string | null;
  if (body.startsWith('-')) {
    const end = body.indexOf('-', 1);
    id = end < 0 ? null : applyCaseMask(body.slice(1, end), body.slice(end + 1));
  } else if (body.startsWith('_')) {
    const bytes = base32Decode(body.slice(1));
    id = bytes ? bytes.toString('utf8') : null;
  } else {
    id = body;
  }
  // Only the canonical encoding of an id is accepted, so each target has one address per recipient.
  if (!id || encodeToken(kind, id) !== token) return null;
  return { kind, id };
}

/** One bit per character (1 = upper-case), packed 5 bits per base32 character. */
function caseMask(id: string): string {
  let out = '';
  for (let i = 0; i < id.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const ch = id[i + j] ?? '';
      value = (value << 1) | (ch !== '' && ch !== ch.toLowerCase() ? 1 : 0);
    }
    out += BASE32_ALPHABET[value];
  }
  return out;
}

function applyCaseMask(mask: string, lowered: string): string | null {
  if (!lowered || mask.length !== Math.ceil(lowered.length / 5)) return null;
  let out = '';
  for (let i = 0; i < lowered.length; i++) {
    const value = BASE32_ALPHABET.indexOf(mask[Math.floor(i / 5)]);
    if (value < 0) return null;
    const upper = (value >> (4 - (i % 5))) & 1;
    out += upper ? lowered[i].toUpperCase() : lowered[i];
  }
  return out;
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer | null {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    const value = BASE32_ALPHABET.indexOf(ch);
    if (value < 0) return null;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return text ? Buffer.from(bytes) : null;
}

function normalizePrefix(prefix: string | undefined): string {
  const value = (prefix ?? DEFAULT_REPLY_PREFIX).trim().toLowerCase();
  if (!PREFIX_SHAPE.test(value)) throw new Error(`invalid reply address prefix: "${prefix}"`);
  return value;
}

/** Accepts `Name <a@b>` as well as a bare address. */
function stripAngles(address: string): string {
  const match = /<([^<>]*)>\s*$/.exec(address.trim());
  return (match ? match[1] : address).trim();
}
