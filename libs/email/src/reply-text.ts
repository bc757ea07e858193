// Only what the person wrote in their reply: that text becomes the agent's next prompt, so
// the quoted notification (and its output) must not be fed back in.
import EmailReplyParser from 'email-reply-parser';
import { htmlToText, stripHtmlQuotes } from './html-to-text';

/** `On <date>, X <a@b> wrote:` and its translations, possibly wrapped over two lines. */
const WROTE_OPENERS = '(On|Le|El|Am|Il|Em|Op|Den|På)';
const WROTE_VERBS = '(wrote|a écrit|escribió|schrieb|ha scritto|escreveu|schreef|skrev)';
const WROTE_LINE = new RegExp(`^\\s*${WROTE_OPENERS}\\s.*${WROTE_VERBS}\\s*:?\\s*$`, 'i');
const WROTE_START = new RegExp(`^\\s*${WROTE_OPENERS}\\s.{4,}`, 'i');
const WROTE_END = new RegExp(`${WROTE_VERBS}\\s*:?\\s*$`, 'i');
const SEPARATORS = [
  /^\s*-{2,}\s*(Original Message|Message d'origine|Ursprüngliche Nachricht|Mensaje original)\s*-{2,}\s*$/i,
  /^\s*_{20,}\s*$/, // Outlook's line above its From/Sent block
  /^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
  /^\s*Begin forwarded message:\s*$/i,
];
/** Outlook's header block: From: then Sent:/Date:, To: or Subject: within a few lines. */
const OUTLOOK_FROM = /^\s*\*?(From|De|Von|Van|Da)\s?:\*?\s+\S/i;
const OUTLOOK_NEXT = /^\s*\*?(Sent|Date|To|Subject|Envoyé|Gesendet|Enviado|Objet|Betreff|Asunto)\s?:\*?\s/i;
const SIGNATURE_DELIMITER = /^-- ?$/;
const CLIENT_FOOTERS = [
  'Sent from my \\w+',
  'Sent from (Mail|Outlook|Yahoo Mail|Gmail|ProtonMail|my mobile)\\b.*',
  'Get Outlook for \\w+.*',
  'Sent with Proton Mail.*',
  'Envoyé de mon \\w+',
  'Von meinem \\w+ gesendet',
  'Enviado desde mi \\w+',
];
const CLIENT_BOILERPLATE = new RegExp(`^\\s*(${CLIENT_FOOTERS.join('|')})\\s*$`, 'i');

export function extractReplyText(text: string | null | undefined, html?: string | null): string {
  const source = text?.trim() ? text : html ? htmlToText(stripHtmlQuotes(html)) : '';
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const own = lines.slice(0, findQuoteStart(lines)).filter((line) => !/^\s*>/.test(line));
  const result = cutAtLibraryQuoteHeader(own.join('\n'));
  return tidy(result);
}

/** Index of the first line that belongs to the quoted history, signature or client footer. */
function findQuoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (WROTE_LINE.test(line)) return i;
    if (WROTE_START.test(line) && !WROTE_END.test(line) && WROTE_END.test(lines[i + 1] ?? '')) return i;
    if (SEPARATORS.some((re) => re.test(line))) return i;
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((next) => OUTLOOK_NEXT.test(next))) return i;
    if (SIGNATURE_DELIMITER.test(line) || CLIENT_BOILERPLATE.test(line)) return i;
  }
  return lines.length;
}

/**
 * Second opinion from email-reply-parser, which knows more locales' quote headers. Only its
 * quote detection is used: its signature rules would also cut a prompt at a Markdown `---`.
 */
function cutAtLibraryQuoteHeader(text: string): string {
  const kept: string[] = [];
  for (const fragment of new EmailReplyParser().read(text).getFragments()) {
    if (fragment.isQuoted()) break;
    kept.push(fragment.getContent());
  }
  const candidate = kept.join('\n');
  return candidate.trim() ? candidate : text;
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
