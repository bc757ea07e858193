// Minimal HTML to text for replies sent without a plain-text part: enough for a prompt,
// not a renderer. Quoted history is removed before conversion by stripHtmlQuotes.

/** Markers where mail clients start the quoted history in HTML replies. */
const QUOTE_STARTS = [
  /<div[^>]*class=["']?[^"'>]*gmail_quote/i, // Gmail
  /<div[^>]*id=["']?divRplyFwdMsg/i, // Outlook on the web / new Outlook
  /<div[^>]*id=["']?appendonsend/i, // Outlook
  /<hr[^>]*id=["']?stopSpelling/i, // Outlook.com (older)
  /<div[^>]*style=["'][^"']*border-top:\s*solid\s*#[Ee]1[Ee]1[Ee]1/i, // Outlook desktop header block
  /<div[^>]*class=["']?[^"'>]*moz-cite-prefix/i, // Thunderbird
  /<blockquote[^>]*type=["']?cite/i, // Apple Mail, Thunderbird
  /<div[^>]*class=["']?[^"'>]*yahoo_quoted/i, // Yahoo
];

export function stripHtmlQuotes(html: string): string {
  let cut = html.length;
  for (const marker of QUOTE_STARTS) {
    const match = marker.exec(html);
    if (match && match.index < cut) cut = match.index;
  }
  return html.slice(0, cut);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—',
  hellip: '…', laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', euro: '€',
};

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const hex = entity[1] === 'x' || entity[1] === 'X';
      const code = hex ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

export function htmlToText(html: string): string {
  const preBlocks: string[] = [];
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    // <pre> keeps its line breaks; park it while the rest has its whitespace collapsed.
    .replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_m, inner: string) => {
      preBlocks.push(decodeHtmlEntities(inner.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]+>/g, '')));
      return `\u0000${preBlocks.length - 1}\u0000`;
    })
    .replace(/\s+/g, ' ')
    .replace(/\u0000\d+\u0000/g, '\n$&\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/?(p|div|tr|table|ul|ol|h[1-6]|blockquote|section|article|header|footer)\b[^>]*>/gi, '\n')
    .replace(/<hr\b[^>]*>/gi, '\n---\n')
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<[^>]+>/g, '');
  return decodeHtmlEntities(text)
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => preBlocks[Number(i)])
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
