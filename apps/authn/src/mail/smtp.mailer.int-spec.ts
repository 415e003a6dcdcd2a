import { SmtpSink, startSmtpSink } from '@keyline/platform-testing';
import { MailDeliveryError, OutgoingMail, recipientHash } from './mailer';
import { MailService } from './mail.service';
import { renderMail } from './mail.templates';
import { bootMailApp, recordingLogger } from './mail.testing';
import { SmtpMailer } from './smtp.mailer';

const FROM = 'Keyline <no-reply@keyline.test>';

function signInCode(to: string, code: string): OutgoingMail {
  return {
    tenantId: 'tenant-1',
    to,
    from: FROM,
    template: 'sign-in-code',
    headers: { 'Auto-Submitted': 'auto-generated' },
    ...renderMail('sign-in-code', 'de', { tenantName: 'Müller & Söhne', email: to, code, expiresInMinutes: 10 }),
  };
}

describe('SmtpMailer (real SMTP conversation with a local sink)', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.clear());

  it('delivers subject, text, html, sender, recipient and headers, authenticating with the URL credentials', async () => {
    const { logger } = recordingLogger();
    const mailer = new SmtpMailer(sink.url.replace('smtp://', 'smtp://keyline:s3cret@'), logger);
    try {
      const msg = signInCode('alice@example.com', '482913');
      await mailer.send(msg);
      const got = await sink.waitFor((m) => m.to.includes('alice@example.com'));
      expect(got).toEqual({
        to: ['alice@example.com'],
        from: FROM,
        subject: 'Ihr Anmeldecode für Müller & Söhne',
        text: expect.stringContaining('482913'),
        html: expect.stringContaining('<strong>482913</strong>'),
        headers: expect.objectContaining({ 'auto-submitted': 'auto-generated', to: 'alice@example.com' }),
        user: 'keyline',
      });
      expect(got.text.trimEnd()).toBe(msg.text.trimEnd());
      expect(got.html).toContain('Müller &amp; Söhne');
    } finally {
      mailer.close();
    }
  });

  it('delivers messages sent at once over its pool, each to its own recipient', async () => {
    const mailer = new SmtpMailer(sink.url, recordingLogger().logger);
    try {
      const recipients = Array.from({ length: 8 }, (_, i) => `user${i}@example.com`);
      await Promise.all(recipients.map((to, i) => mailer.send(signInCode(to, String(100000 + i)))));
      for (const [i, to] of recipients.entries()) {
        const got = await sink.waitFor((m) => m.to[0] === to);
        expect(got.text).toContain(String(100000 + i));
        expect(got.user).toBeUndefined();
      }
      expect(sink.messages).toHaveLength(recipients.length);
    } finally {
      mailer.close();
    }
  });

  it('logs tenant, template and a hash of the recipient, never the address, code or body', async () => {
    const { logger, lines } = recordingLogger();
    const mailer = new SmtpMailer(sink.url, logger);
    try {
      await mailer.send(signInCode('dave@example.com', '555123'));
      expect(lines).toEqual([
        expect.objectContaining({ level: 'info', msg: 'mail sent', obj: expect.objectContaining({ tenantId: 'tenant-1', template: 'sign-in-code', to: recipientHash('dave@example.com') }) }),
      ]);
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain('dave@example.com');
      expect(logged).not.toContain('555123');
    } finally {
      mailer.close();
    }
  });

  it('fails with a transient MailDeliveryError, logging no body, when the server is gone', async () => {
    const gone = await startSmtpSink();
    await gone.close();
    const { logger, lines } = recordingLogger();
    const mailer = new SmtpMailer(gone.url, logger, { timeoutMs: 2000 });
    try {
      const err = await mailer.send(signInCode('erin@example.com', '909090')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailDeliveryError);
      expect(err).toEqual(expect.objectContaining({ transient: true, code: expect.stringMatching(/^E(CONNECTION|SOCKET)$/) }));
      expect((err as Error).message).toMatch(/^Mail delivery failed \(/);
      expect((err as Error).message).not.toMatch(/erin|909090/);
      expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'mail delivery failed', obj: expect.objectContaining({ tenantId: 'tenant-1', transient: true }) })]);
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain('erin@example.com');
      expect(logged).not.toContain('909090');
    } finally {
      mailer.close();
    }
  });

  it('refuses to send once closed', async () => {
    const mailer = new SmtpMailer(sink.url, recordingLogger().logger);
    mailer.close();
    await expect(mailer.send(signInCode('frank@example.com', '123123'))).rejects.toEqual(expect.objectContaining({ name: 'MailDeliveryError', transient: true }));
  });

  it('is what MailModule sends through when SMTP_URL is set', async () => {
    const { app } = await bootMailApp({ production: true, smtpUrl: sink.url, from: FROM });
    try {
      await app.get(MailService).send({ id: 'tenant-2', name: 'Acme', mailFrom: 'Acme <login@acme.test>' }, 'reset-password', 'en', 'grace@example.com', {
        link: 'https://id.acme.test/reset?t=abc',
        expiresInMinutes: 30,
      });
      const got = await sink.waitFor((m) => m.to.includes('grace@example.com'));
      expect(got.from).toBe('Acme <login@acme.test>');
      expect(got.subject).toBe('Reset your Acme password');
      expect(got.text).toContain('https://id.acme.test/reset?t=abc');
      expect(got.html).toContain('<a href="https://id.acme.test/reset?t=abc">');
      expect(got.headers['auto-submitted']).toBe('auto-generated');
    } finally {
      await app.close();
    }
  });
});
