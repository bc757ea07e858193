import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { SmtpTransport } from './smtp-transport';

describe('SmtpTransport against a real SMTP server', () => {
  let server: SMTPServer;
  let port: number;
  const received: Array<{ envelope: { from: string; to: string[] }; mail: ParsedMail }> = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'], // plain loopback server: no certificate to offer
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', async () => {
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          received.push({ envelope, mail: await simpleParser(Buffer.concat(chunks)) });
          callback(null, 'Ok: queued as TEST123');
        });
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers both parts with threading, Reply-To and loop-prevention headers', async () => {
    const transport = new SmtpTransport({ url: `smtp://127.0.0.1:${port}` });
    const result = await transport.send({
      from: { email: 'codefleet@mail.example.com', name: 'Codefleet' },
      to: [{ email: 'alice@example.com', name: 'Alice Ünal' }],
      replyTo: { email: 'task+sabc.aaaaaaaaaaaaaaaa@inbound.example.com' },
      subject: 'Task completed: add tests ✅',
      text: 'plain body',
      html: '<p>html body</p>',
      messageId: '<task.t1@mail.example.com>',
      inReplyTo: '<task.t0@mail.example.com>',
      references: ['<task.t0@mail.example.com>'],
      headers: { 'X-Codefleet-Task-Id': 't1' },
    });
    await transport.close();

    expect(result).toEqual({ provider: 'smtp', messageId: '<task.t1@mail.example.com>', providerMessageId: 'TEST123' });
    const { envelope, mail } = received[received.length - 1];
    expect(envelope).toEqual({ from: 'codefleet@mail.example.com', to: ['alice@example.com'] });
    expect(mail.subject).toBe('Task completed: add tests ✅');
    expect(mail.replyTo?.value[0].address).toBe('task+sabc.aaaaaaaaaaaaaaaa@inbound.example.com');
    expect((mail.to as { value: Array<{ name: string }> }).value[0].name).toBe('Alice Ünal');
    expect(mail.messageId).toBe('<task.t1@mail.example.com>');
    expect(mail.inReplyTo).toBe('<task.t0@mail.example.com>');
    expect(mail.references).toBe('<task.t0@mail.example.com>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('x-codefleet-task-id')).toBe('t1');
    expect(mail.text?.trim()).toBe('plain body');
    expect(mail.html).toContain('<p>html body</p>');
  });

  it('refuses a subject that would inject headers', async () => {
    const transport = new SmtpTransport({ url: `smtp://127.0.0.1:${port}` });
    await expect(
      transport.send({ from: { email: 'a@b.example' }, to: [{ email: 'c@d.example' }], subject: 'x\r\nBcc: evil@x', text: 't' }),
    ).rejects.toThrow(/line break/);
    await transport.close();
  });
});
