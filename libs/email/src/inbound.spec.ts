import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoReplyReason, isAutoReply } from './auto-reply';
import type { InboundFile, SendGridInboundPost } from './inbound-email';
import { parseModelDirective } from './model-directive';
import { parseSendGridInbound } from './parse-sendgrid-inbound';
import { extractReplyText } from './reply-text';
import { parseRawMime } from './sendgrid-inbound-raw';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));

/** Splits a multipart/form-data body the way the web layer does: fields as bytes, files apart. */
function readMultipartFixture(name: string): { fields: Record<string, Buffer>; files: InboundFile[] } {
  const body = fixture(name).toString('latin1'); // latin1 keeps every byte as one character
  const boundary = /^--([^\r\n]+)\r\n/.exec(body)![1];
  const fields: Record<string, Buffer> = {};
  const files: InboundFile[] = [];
  for (const part of body.split(`--${boundary}`).slice(1, -1)) {
    const content = part.slice(2, -2); // the CRLF after the boundary and before the next one
    const split = content.indexOf('\r\n\r\n');
    const head = content.slice(0, split);
    const value = Buffer.from(content.slice(split + 4), 'latin1');
    const fieldname = /name="([^"]*)"/.exec(head)![1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename === undefined) fields[fieldname] = value;
    else {
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
      files.push({ fieldname, filename, contentType, size: value.length, buffer: value });
    }
  }
  return { fields, files };
}

/** The same post as busboy gives it with `defCharset: 'latin1'`: strings of raw bytes. */
function asBinaryStrings(post: { fields: Record<string, Buffer>; files: InboundFile[] }): SendGridInboundPost {
  return {
    fields: Object.fromEntries(Object.entries(post.fields).map(([k, v]) => [k, v.toString('latin1')])),
    files: post.files,
    fieldEncoding: 'binary',
  };
}

const SESSION_ADDR = 'task+ses_6a1b2c3d4ffeabcdefghijklmn.k7q2m4x9w3z5r8tp@inbound.example.com';

describe('SendGrid Inbound Parse, default mode', () => {
  describe('a Gmail reply in UTF-8', () => {
    const post = readMultipartFixture('default-gmail-reply.multipart');

    it('normalizes sender, recipients, threading and SendGrid’s checks', async () => {
      const email = await parseSendGridInbound(post);
      expect(email.envelopeTo).toEqual([SESSION_ADDR]);
      expect(email.envelopeFrom).toBe('renee.dupre@gmail.com');
      expect(email.from).toEqual({ address: 'renee.dupre@gmail.com', name: 'Renée Dupré' });
      expect(email.to).toEqual([{ address: SESSION_ADDR, name: 'Codefleet' }]);
      expect(email.subject).toBe('Re: [Codefleet] Task completed: Add unit tests for the auth module ✅ [model:anthropic/claude-sonnet-4-5]');
      expect(email.headers.subject).toBe(email.subject);
      expect(email.messageId).toBe('<CAH8yC9d2kq_Xb7Nq=Fv3nP+0vMwQxz1Lr5@mail.gmail.com>');
      expect(email.inReplyTo).toBe('<task.t-0001@mail.example.com>');
      expect(email.references).toEqual(['<task.t-0001@mail.example.com>']);
      expect(email.date?.toISOString()).toBe('2026-11-23T10:05:01.000Z');
      expect(email.headers['dkim-signature']).toMatch(/^v=1; a=rsa-sha256; .*d=gmail\.com/);
      expect(email.spamScore).toBe(0.011);
      expect(email.auth).toEqual({ spf: 'pass', dkim: '{@gmail.com : pass}', senderIp: '209.85.128.41' });
      expect(email.attachments).toEqual([]);
      expect(isAutoReply(email)).toBe(false);
      expect(parseModelDirective(email.subject).model).toBe('anthropic/claude-sonnet-4-5');
    });

    it('keeps accents and emoji and strips Gmail’s wrapped quote header', async () => {
      const email = await parseSendGridInbound(post);
      const reply = 'Thanks! Now please also cover the token refresh path 🚀 and make sure the\ncafé-style names in the fixtures (é, ü, ñ) survive.\n\n– Renée';
      expect(extractReplyText(email.text, email.html)).toBe(reply);
      expect(extractReplyText('', email.html)).toBe(reply.replace('the\ncafé', 'the café'));
    });

    it('gives the same result from byte strings and from already-decoded strings', async () => {
      const fromBuffers = await parseSendGridInbound(post);
      expect(await parseSendGridInbound(asBinaryStrings(post))).toEqual(fromBuffers);
      const decoded = Object.fromEntries(Object.entries(post.fields).map(([k, v]) => [k, v.toString('utf8')]));
      expect(await parseSendGridInbound({ fields: decoded, fieldEncoding: 'text' })).toEqual(fromBuffers);
    });
  });

  describe('an Outlook reply in Windows-1252 / ISO-8859-1 with an attachment', () => {
    const post = readMultipartFixture('default-outlook-reply-latin1.multipart');

    it('decodes every field in the charset SendGrid reports', async () => {
      for (const input of [post, asBinaryStrings(post)]) {
        const email = await parseSendGridInbound(input);
        expect(email.from).toEqual({ address: 'j.mueller@contoso.example', name: 'Müller, Jürgen' });
        expect(email.subject).toBe('AW: [Codefleet] Task failed (timeout): Migrate the billing tables für 2027');
        expect(email.text).toContain('versuche es erneut – die Migration läuft länger. Budget: 50 €.');
        expect(email.text).toContain('„Anführungszeichen“ and “smart quotes”');
        expect(email.html).toContain('Bitte erhöhe das Timeout');
        expect(email.messageId).toBe('<AM6PR05MB6120B7E4A1C20D3F4E5A8B6C9D0E1F2A3B4C@AM6PR05MB6120.eurprd05.prod.outlook.com>');
        expect(email.spamScore).toBe(-0.1);
      }
    });

    it('describes the attachment from the upload and attachment-info', async () => {
      const email = await parseSendGridInbound(post);
      expect(email.attachments).toEqual([{ filename: 'schema.sql', contentType: 'application/sql', size: post.files[0].buffer.length }]);
    });

    it('cuts at Outlook’s separator and From/Sent block', async () => {
      const email = await parseSendGridInbound(post);
      expect(extractReplyText(email.text)).toBe(
        'Bitte erhöhe das Timeout auf 30 Minuten und versuche es erneut – die Migration läuft länger. Budget: 50 €.\n\n' +
          '„Anführungszeichen“ and “smart quotes” should survive. The schema is attached.\n\nGrüße\nJürgen',
      );
      expect(extractReplyText(null, email.html)).toBe('Bitte erhöhe das Timeout auf 30 Minuten und versuche es erneut.');
    });
  });
});

describe('SendGrid Inbound Parse, minimal default post', () => {
  it('falls back to the from/to/subject fields when there is no header block', async () => {
    const email = await parseSendGridInbound({
      fields: { from: 'Alice <ALICE@Example.com>', to: SESSION_ADDR, subject: 'Re: hi', text: 'go on' },
      fieldEncoding: 'text',
    });
    expect(email).toMatchObject({
      from: { address: 'alice@example.com', name: 'Alice' },
      to: [{ address: SESSION_ADDR, name: '' }],
      subject: 'Re: hi',
      text: 'go on',
      html: null,
      messageId: null,
      references: [],
      envelopeTo: [],
    });
  });
});

describe('SendGrid Inbound Parse, raw mode', () => {
  const post = readMultipartFixture('raw-apple-mail-reply.multipart');

  it('parses the whole MIME message of an Apple Mail reply', async () => {
    for (const input of [post, asBinaryStrings(post)]) {
      const email = await parseSendGridInbound(input);
      expect(email.envelopeTo).toEqual(['task+sabc123.q2w3e4r5t6y7u8i9@inbound.example.com']);
      expect(email.from).toEqual({ address: 'bob@icloud.example', name: 'Bob Smith' });
      expect(email.subject).toBe('Re: [Codefleet] Task completed: Fix flaky login test');
      expect(email.messageId).toBe('<8C1D7E2A-3B4F-4C5D-9E6F-7A8B9C0D1E2F@icloud.example>');
      expect(email.inReplyTo).toBe('<task.t-0002@mail.example.com>');
      expect(email.references).toEqual(['<task.t-0001@mail.example.com>', '<task.t-0002@mail.example.com>']);
      expect(email.headers['x-mailer']).toBe('iPhone Mail (22B91)');
      expect(email.auth.spf).toBe('pass');
      expect(email.spamScore).toBe(0.3);
      expect(isAutoReply(email)).toBe(false);
      expect(extractReplyText(email.text, email.html)).toBe('Looks good — now run the whole suite and open a PR. Merci !');
      expect(extractReplyText('', email.html)).toBe('Looks good — now run the whole suite and open a PR. Merci !');
    }
  });

  it('decodes raw 8-bit headers (UTF-8, or Latin-1 as a fallback)', async () => {
    const utf8 = Buffer.from('From: Jürgen Müller <J@x.example>\r\nSubject: Grüße 🚀\r\n\r\nbody', 'utf8');
    expect(await parseRawMime(utf8)).toMatchObject({ subject: 'Grüße 🚀', from: { name: 'Jürgen Müller' } });
    const latin1 = Buffer.from('From: Jürgen Müller <J@x.example>\r\nSubject: Grüße\r\n\r\nbody', 'latin1');
    expect(await parseRawMime(latin1)).toMatchObject({ subject: 'Grüße', from: { name: 'Jürgen Müller' } });
  });

  it('parses a 25 MB message with a large attachment in reasonable time', async () => {
    const attachment = randomBytes(18 * 1024 * 1024 + 512 * 1024);
    const base64Lines = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
    const mime = Buffer.from(
      [
        'From: Big Sender <big@example.com>',
        'To: task+sabc123.q2w3e4r5t6y7u8i9@inbound.example.com',
        'Subject: Re: logs attached',
        'Message-ID: <big-1@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Here are the full logs.',
        '--b1',
        'Content-Type: application/gzip; name="logs.tar.gz"',
        'Content-Disposition: attachment; filename="logs.tar.gz"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines,
        '--b1--',
        '',
      ].join('\r\n'),
    );
    expect(mime.length).toBeGreaterThan(25 * 1000 * 1000);
    const email = await parseSendGridInbound({ fields: { email: mime, envelope: '{"to":["a@b.example"],"from":"big@example.com"}' } });
    expect(email.text.trim()).toBe('Here are the full logs.');
    expect(email.attachments).toEqual([{ filename: 'logs.tar.gz', contentType: 'application/gzip', size: attachment.length }]);
  });
});

describe('auto-replies and bounces', () => {
  it('recognizes a delivery status report from MAILER-DAEMON', async () => {
    const email = await parseRawMime(fixture('raw-bounce.eml'));
    expect(isAutoReply(email)).toBe(true);
    // Each signal alone is enough.
    const plain = { ...email, headers: { 'content-type': email.headers['content-type'] }, subject: 'x' };
    expect(autoReplyReason({ ...plain, from: { address: 'someone@example.com', name: '' } })).toBe('delivery or read report');
    expect(autoReplyReason({ ...plain, headers: {}, attachments: [] })).toBe('sender mailer-daemon@mail.contoso.example');
  });

  it('recognizes an Outlook out-of-office reply', async () => {
    const email = await parseRawMime(fixture('raw-out-of-office.eml'));
    expect(email.from).toEqual({ address: 'j.mueller@contoso.example', name: 'Müller, Jürgen' });
    expect(email.text.trim()).toBe('Ich bin bis zum 1. Dezember nicht im Büro.');
    expect(autoReplyReason(email)).toBe('Auto-Submitted: auto-generated');
  });

  const person = { from: { address: 'alice@example.com', name: 'Alice' }, subject: 'Re: [Codefleet] Task completed', attachments: [] };
  it.each([
    [{ 'auto-submitted': 'auto-replied' }, true],
    [{ 'auto-submitted': 'no' }, false],
    [{ 'x-autoreply': 'yes' }, true],
    [{ 'x-autorespond': 'Vacation' }, true],
    [{ precedence: 'bulk' }, true],
    [{ precedence: 'junk' }, true],
    [{ precedence: 'list' }, true],
    [{ precedence: 'auto_reply' }, true],
    [{ 'list-id': '<dev.lists.example.com>' }, true],
    [{ 'return-path': '<>' }, true],
    [{ 'return-path': '<alice@example.com>' }, false],
    [{}, false],
  ])('headers %j -> %s', (headers, expected) => {
    expect(isAutoReply({ ...person, headers })).toBe(expected);
  });

  it.each([
    ['Out of Office: [Codefleet] Task completed', true],
    ['Automatic reply: [Codefleet] Task completed', true],
    ['Re: Out of office until Monday', true],
    ['Re: [Codefleet] Task completed: update the out of office page', false],
  ])('subject %j -> %s', (subject, expected) => {
    expect(isAutoReply({ ...person, headers: {}, subject })).toBe(expected);
  });

  it('treats postmaster and no-reply senders as automatic', () => {
    for (const address of ['postmaster@example.com', 'mailer-daemon@example.com', 'no-reply@example.com']) {
      expect(isAutoReply({ ...person, headers: {}, from: { address, name: '' } })).toBe(true);
    }
  });
});
