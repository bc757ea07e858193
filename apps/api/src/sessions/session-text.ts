/** A UTF-16 surrogate without its pair (a string cut in the middle of an emoji, say). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL rejects NUL in text and jsonb, and a lone surrogate in jsonb; CLI stores sometimes
 * contain them, so they are dropped. Longer text than the sync limits is shortened (at a code
 * point boundary) rather than rejected.
 */
export function cleanText(value: string, maxChars: number): string {
  const text = (value.includes('\u0000') ? value.replace(/\u0000/g, '') : value).replace(LONE_SURROGATE, '');
  if (text.length <= maxChars) return text;
  const points = Array.from(text);
  return points.length <= maxChars ? text : points.slice(0, maxChars).join('');
}

export function cleanOptionalText(value: string | null | undefined, maxChars: number): string | null {
  if (value == null) return null;
  const text = cleanText(value, maxChars).trim();
  return text.length ? text : null;
}
