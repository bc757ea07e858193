import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpCapture {
  url: string;
  mails: ParsedMail[];
  /** Envelope recipients of each mail, same order as `mails`. */
  envelopes: string[][];
  /** Recipients answered with a permanent 550 (every attempt fails). */
  refuse: Set<string>;
  /** The next `count` recipients get a temporary 451 (the sender should retry). */
  rejectNext: { count: number };
  /** Mails whose X-Codefleet-Task-Id header is this task. */
  forTask(taskId: string): ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps every message it accepts. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const refuse = new Set<string>();
  const rejectNext = { count: 0 };
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const permanent = refuse.has(address.address.toLowerCase());
      if (permanent || rejectNext.count > 0) {
        if (!permanent) rejectNext.count--;
        const err = new Error(permanent ? 'mailbox unavailable' : 'mailbox temporarily unavailable') as Error & { responseCode: number };
        err.responseCode = permanent ? 550 : 451;
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          envelopes.push(session.envelope.rcptTo.map((r) => r.address));
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    envelopes,
    refuse,
    rejectNext,
    forTask: (taskId) => mails.filter((m) => m.headers.get('x-codefleet-task-id') === taskId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first address of a parsed address header (To, Reply-To). */
export const firstAddress = (field: ParsedMail['to'] | ParsedMail['replyTo']): string | undefined =>
  (Array.isArray(field) ? field[0] : field)?.value[0]?.address;
