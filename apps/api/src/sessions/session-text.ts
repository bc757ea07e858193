/**
 * PostgreSQL rejects NUL in text and jsonb, and CLI stores sometimes contain it; longer text
 * than the sync limits is shortened (at a code point boundary) rather than rejected.
 */
export function cleanText(value: string, maxChars: number): string {
  const text = value.includes('\u0000') ? value.replace(/\u0000/g, '') : value;
  if (text.length <= maxChars) return text;
  const points = Array.from(text);
  return points.length <= maxChars ? text : points.slice(0, maxChars).join('');
}

export function cleanOptionalText(value: string | null | undefined, maxChars: number): string | null {
  if (value == null) return null;
  const text = cleanText(value, maxChars).trim();
  return text.length ? text : null;
}
