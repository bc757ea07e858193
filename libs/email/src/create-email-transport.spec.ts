import { createEmailTransport } from './create-email-transport';
import { SendGridTransport } from './sendgrid-transport';
import { SmtpTransport } from './smtp-transport';

describe('createEmailTransport', () => {
  it('is off when nothing is configured', () => {
    expect(createEmailTransport({})).toBeNull();
    expect(createEmailTransport({ SENDGRID_API_KEY: '  ', SMTP_URL: '' })).toBeNull();
  });

  it('chooses SendGrid when a key and a sender are set', () => {
    const setup = createEmailTransport({
      SENDGRID_API_KEY: 'SG.x',
      SENDGRID_FROM_EMAIL: 'Codefleet <fleet@mail.example.com>',
      SMTP_URL: 'smtp://127.0.0.1:2525',
    });
    expect(setup?.transport).toBeInstanceOf(SendGridTransport);
    expect(setup?.from).toEqual({ email: 'fleet@mail.example.com', name: 'Codefleet' });
  });

  it('chooses SMTP with EMAIL_FROM, falling back to SENDGRID_FROM_EMAIL', async () => {
    const own = createEmailTransport({ SMTP_URL: 'smtp://127.0.0.1:2525', EMAIL_FROM: 'ops@example.com', SENDGRID_FROM_EMAIL: 'x@y.example' });
    expect(own?.transport).toBeInstanceOf(SmtpTransport);
    expect(own?.from).toEqual({ email: 'ops@example.com' });
    const fallback = createEmailTransport({ SMTP_URL: 'smtp://127.0.0.1:2525', SENDGRID_FROM_EMAIL: 'x@y.example' });
    expect(fallback?.from).toEqual({ email: 'x@y.example' });
    await own?.transport.close?.();
    await fallback?.transport.close?.();
  });

  it('fails clearly on half a configuration', () => {
    expect(() => createEmailTransport({ SENDGRID_API_KEY: 'SG.x' })).toThrow(/SENDGRID_FROM_EMAIL/);
    expect(() => createEmailTransport({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(/EMAIL_FROM/);
    expect(() => createEmailTransport({ SMTP_URL: 'smtp://127.0.0.1:2525', EMAIL_FROM: 'not an address' })).toThrow(/EMAIL_FROM/);
  });
});
