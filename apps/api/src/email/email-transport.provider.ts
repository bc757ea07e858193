import { createEmailTransport, type ConfiguredEmailTransport } from '#email';
import type { ApiConfig } from '../config/api-config';

export const EMAIL_TRANSPORT = Symbol('EMAIL_TRANSPORT');

/** The configured outbound transport, or null when no email provider is configured. */
export function emailTransportFromConfig(config: ApiConfig): ConfiguredEmailTransport | null {
  const e = config.email;
  return createEmailTransport({
    SENDGRID_API_KEY: e.sendgridApiKey,
    SENDGRID_FROM_EMAIL: e.sendgridFromEmail,
    SENDGRID_API_URL: e.sendgridApiUrl,
    SMTP_URL: e.smtpUrl,
    EMAIL_FROM: e.emailFrom,
  });
}
