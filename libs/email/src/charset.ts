// Bytes to text in the charset a message declares, without ever throwing on bad labels or bytes.

const ALIASES: Record<string, string> = { utf8: 'utf-8', latin1: 'iso-8859-1', 'ks_c_5601-1987': 'euc-kr' };

/** Decodes with the named charset; unknown charsets fall back to UTF-8-or-Windows-1252 guessing. */
export function decodeBytes(bytes: Uint8Array, charset?: string | null): string {
  const label = normalizeCharset(charset);
  if (!label) return decodeUnknownBytes(bytes);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return decodeUnknownBytes(bytes);
  }
}

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what unlabeled Western mail usually is). */
export function decodeUnknownBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function normalizeCharset(charset: string | null | undefined): string | null {
  const label = charset?.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!label) return null;
  return ALIASES[label] ?? label;
}
