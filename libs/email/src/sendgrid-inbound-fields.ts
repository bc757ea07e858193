// Reads the text fields of an Inbound Parse post, each in the charset SendGrid reports for it.
import { decodeBytes, decodeUnknownBytes } from './charset';
import type { SendGridInboundPost } from './inbound-email';

export type FieldReader = (name: string) => string | undefined;

export function sendGridFieldReader(post: SendGridInboundPost): FieldReader {
  const byLowerName = new Map<string, string | Buffer>();
  for (const [name, value] of Object.entries(post.fields)) {
    // SendGrid spells one field `SPF`; match names case-insensitively.
    if (value !== undefined && !byLowerName.has(name.toLowerCase())) byLowerName.set(name.toLowerCase(), value);
  }
  const binary = (post.fieldEncoding ?? 'binary') === 'binary';
  const charsets = parseCharsets(byLowerName.get('charsets'));
  return (name) => {
    const value = byLowerName.get(name.toLowerCase());
    if (value === undefined) return undefined;
    const charset = charsets[name.toLowerCase()];
    if (Buffer.isBuffer(value)) return charset ? decodeBytes(value, charset) : decodeUnknownBytes(value);
    // A string with characters above U+00FF cannot be a byte string: it was decoded already.
    if (!binary || /[^\u0000-\u00ff]/.test(value)) return value;
    const bytes = Buffer.from(value, 'latin1');
    return charset ? decodeBytes(bytes, charset) : decodeUnknownBytes(bytes);
  };
}

/** `charsets` is JSON like {"text":"iso-8859-1","subject":"UTF-8"}; broken JSON means "unknown". */
function parseCharsets(value: string | Buffer | undefined): Record<string, string> {
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value.toString());
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>)
        .filter(([, charset]) => typeof charset === 'string')
        .map(([field, charset]) => [field.toLowerCase(), charset as string]),
    );
  } catch {
    return {};
  }
}
