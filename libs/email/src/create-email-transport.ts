// Picks the outbound transport from configuration; no configuration means email is off.
import addressparser from 'nodemailer/lib/addressparser';
import type { EmailAddress, EmailTransport } from './email-message';
import { SendGridTransport } from './sendgrid-transport';
import { SmtpTransport } from './smtp-transport';

export interface EmailTransportConfig {
  SENDGRID_API_KEY?: string;
  SENDGRID_FROM_EMAIL?: string;
  SENDGRID_API_URL?: string;
  SMTP_URL?: string;
  EMAIL_FROM?: string;
}

export interface ConfiguredEmailTransport {
  transport: EmailTransport;
  /** Sender for notifications, from SENDGRID_FROM_EMAIL or EMAIL_FROM (`Name <a@b>` allowed). */
  from: EmailAddress;
}

/**
 * SendGrid when SENDGRID_API_KEY and SENDGRID_FROM_EMAIL are set, else SMTP when SMTP_URL is
 * set (sender EMAIL_FROM, falling back to SENDGRID_FROM_EMAIL), else null: email disabled.
 * Half a configuration throws, naming the missing variable, so it fails at boot, not at send.
 */
export function createEmailTransport(config: EmailTransportConfig): ConfiguredEmailTransport | null {
  const apiKey = config.SENDGRID_API_KEY?.trim();
  const smtpUrl = config.SMTP_URL?.trim();
  if (apiKey) {
    if (!config.SENDGRID_FROM_EMAIL?.trim()) {
      throw new Error('SENDGRID_API_KEY is set but SENDGRID_FROM_EMAIL is missing');
    }
    return {
      transport: new SendGridTransport({ apiKey, baseUrl: config.SENDGRID_API_URL?.trim() || undefined }),
      from: parseSender('SENDGRID_FROM_EMAIL', config.SENDGRID_FROM_EMAIL),
    };
  }
  if (smtpUrl) {
    const from = config.EMAIL_FROM?.trim()
      ? parseSender('EMAIL_FROM', config.EMAIL_FROM)
      : config.SENDGRID_FROM_EMAIL?.trim()
        ? parseSender('SENDGRID_FROM_EMAIL', config.SENDGRID_FROM_EMAIL)
        : null;
    if (!from) throw new Error('SMTP_URL is set but neither EMAIL_FROM nor SENDGRID_FROM_EMAIL is');
    return { transport: new SmtpTransport({ url: smtpUrl }), from };
  }
  return null;
}

/** `Name <a@b>` or `a@b` from a configuration variable; throws naming the variable. */
export function parseSender(variable: string, value: string): EmailAddress {
  const [first] = addressparser(value.trim(), { flatten: true });
  if (!first?.address || !first.address.includes('@')) {
    throw new Error(`${variable} is not an email address: "${value}"`);
  }
  return first.name ? { email: first.address, name: first.name } : { email: first.address };
}
