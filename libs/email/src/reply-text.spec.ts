import { extractReplyText } from './reply-text';

describe('extractReplyText', () => {
  it('cuts at a one-line Gmail header', () => {
    const text = 'Please retry with more memory.\n\nOn Sun, Nov 23, 2026 at 10:58 AM Codefleet <task+sx.y@in.example> wrote:\n> Task failed\n';
    expect(extractReplyText(text)).toBe('Please retry with more memory.');
  });

  it('cuts at a Gmail header wrapped over two lines', () => {
    const text = 'Ship it.\n\nOn Sun, Nov 23, 2026 at 10:58 AM Very Long Sender Name <very.long.sender@example.com>\nwrote:\n\n> old text\n';
    expect(extractReplyText(text)).toBe('Ship it.');
  });

  it('cuts at an unquoted Apple Mail header and drops "Sent from my iPhone"', () => {
    expect(extractReplyText('Yes, go ahead.\n\nSent from my iPhone\n\nOn 23 Nov 2026, at 10:00, Codefleet <a@b.example> wrote:\n\nTask completed')).toBe(
      'Yes, go ahead.',
    );
    expect(extractReplyText('Yes, go ahead.\n\nOn 23 Nov 2026, at 10:00, Codefleet <a@b.example> wrote:\n\n> Task completed')).toBe(
      'Yes, go ahead.',
    );
  });

  it('cuts at Outlook’s "Original Message" separator and at a bare From/Sent block', () => {
    expect(extractReplyText('Try again.\n\n-----Original Message-----\nFrom: Codefleet\nSent: Sunday\n\nTask failed')).toBe('Try again.');
    expect(
      extractReplyText('Try again.\n\nFrom: Codefleet <task+sa.b@in.example>\nSent: Sunday, November 23, 2026 11:58 AM\nTo: Bob\nSubject: Task failed\n\nTask failed'),
    ).toBe('Try again.');
  });

  it('cuts at a "-- " signature and client footers', () => {
    expect(extractReplyText('Looks right.\n\n-- \nBob Smith\nACME Corp')).toBe('Looks right.');
    expect(extractReplyText('Looks right.\n\nGet Outlook for Android')).toBe('Looks right.');
  });

  it('drops interleaved quoted lines but keeps the answers between them', () => {
    const text = '> Should I also update the docs?\nYes, the README too.\n> Which branch?\nmain\n';
    expect(extractReplyText(text)).toBe('Yes, the README too.\nmain');
  });

  it('keeps Markdown and code in the prompt (a `---` rule is not a signature)', () => {
    const prompt = 'Refactor as follows:\n\n---\n\n```ts\nconst a = 1;\n```\n\nThanks,\nBob';
    expect(extractReplyText(`${prompt}\n\nOn Sun, Nov 23, 2026 at 10:58 AM X <x@y.example> wrote:\n> old`)).toBe(prompt);
  });

  it('knows other locales through email-reply-parser', () => {
    const text = 'Merci, continue.\n\nLe dim. 23 nov. 2026 à 10:58, Codefleet <task+sa.b@in.example> a écrit :\n> Task completed';
    expect(extractReplyText(text)).toBe('Merci, continue.');
    const german = 'Bitte weitermachen.\n\nAm 23.11.2026 um 10:58 schrieb Codefleet <task+sa.b@in.example>:\n> Task completed';
    expect(extractReplyText(german)).toBe('Bitte weitermachen.');
  });

  it('falls back to the HTML part, without its quoted history, and handles CRLF', () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><p>First &amp; <b>second</b> line</p><p>Third&nbsp;line</p>' +
      '<pre>  indented\n    code</pre><blockquote type="cite">old</blockquote></body></html>';
    expect(extractReplyText(undefined, html)).toBe('First & second line\n\nThird line\n\n  indented\n    code');
    expect(extractReplyText('Do it.\r\n\r\nOn Mon, Nov 24, 2026 at 9:00 AM A <a@b.example> wrote:\r\n> x')).toBe('Do it.');
    expect(extractReplyText('', null)).toBe('');
  });
});
