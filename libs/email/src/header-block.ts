// A raw header block (the `headers` field of a default-mode post) into name/value pairs.
import { decodeMimeWords } from './mime-words';

export interface HeaderLine {
  name: string;
  value: string;
}

/** Unfolds continuation lines and stops at the blank line that ends the headers. */
export function parseHeaderBlock(block: string): HeaderLine[] {
  const headers: HeaderLine[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1].value += line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // e.g. an mbox "From " line
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1) });
  }
  return headers;
}

/** Lower-case names, encoded words decoded, first occurrence wins (the top-most is the newest). */
export function headerMap(lines: HeaderLine[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { name, value } of lines) {
    const key = name.toLowerCase();
    if (!(key in map)) map[key] = decodeMimeWords(value.replace(/\s+/g, ' ').trim());
  }
  return map;
}

/** All `<id>` tokens of a Message-ID/In-Reply-To/References header value. */
export function messageIdList(value: string | undefined | null): string[] {
  if (!value) return [];
  const ids = value.match(/<[^<>\s]+>/g);
  if (ids) return ids;
  // Some clients omit the brackets; keep a lone bare id rather than lose the thread.
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [`<${bare}>`] : [];
}
