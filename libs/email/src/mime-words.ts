// RFC 2047 encoded words in headers: `=?UTF-8?B?...?=` and `=?iso-8859-1?Q?...?=`.
import { decodeBytes } from './charset';

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

export function decodeMimeWords(value: string): string {
  let out = '';
  let last = 0;
  // Adjacent words of one charset are joined as bytes first: a multi-byte character may be
  // split across two words.
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += decodeBytes(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };
  for (const match of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, match.index);
    const charset = match[1].split('*')[0].toLowerCase(); // RFC 2231 language suffix
    const bytes = match[2].toLowerCase() === 'b' ? Buffer.from(match[3], 'base64') : decodeQ(match[3]);
    const adjacent = pending !== null && /^\s*$/.test(between);
    if (adjacent && pending!.charset === charset) {
      pending!.bytes.push(bytes);
    } else {
      flush();
      if (!adjacent) out += between; // whitespace between encoded words is not part of the text
      pending = { charset, bytes: [bytes] };
    }
    last = match.index + match[0].length;
  }
  flush();
  return out + value.slice(last);
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '_') bytes.push(0x20);
    else if (ch === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}
