import { DevMailbox } from './dev-mailbox';
import { MailDeliveryError, Mailer } from './mailer';
import { MailModule } from './mail.module';
import { MailService, MailTenant } from './mail.service';
import { MailRenderError } from './mail.templates';
import { MailApp, bootMailApp, recordingLogger } from './mail.testing';
import { SmtpMailer } from './smtp.mailer';

const FROM = 'Keyline <no-reply@keyline.test>';
const acme: MailTenant = { id: 'tenant-1', name: 'Acme' };

describe('MailModule.forRoot', () => {
  it('refuses to start in production without an SMTP URL, saying why', () => {
    expect(() => MailModule.forRoot({ production: true, from: FROM })).toThrow(/^SMTP_URL must be set in production/);
    expect(() => MailModule.forRoot({ production: true, smtpUrl: '', from: FROM })).toThrow(/SMTP_URL/);
  });

  it('refuses an empty sender', () => {
    expect(() => MailModule.forRoot({ production: false, from: ' ' })).toThrow(/^MAIL_FROM must be set/);
  });

  it('refuses an SMTP URL of another scheme without repeating its password', () => {
    const attempt = () => MailModule.forRoot({ production: true, smtpUrl: 'https://user:hunter2@mail.example.com', from: FROM });
    expect(attempt).toThrow('SMTP_URL must use smtp: or smtps:, not https:');
    expect(() => MailModule.forRoot({ production: true, smtpUrl: 'smtp//user:hunter2@x', from: FROM })).toThrow(/^SMTP_URL is not a URL/);
    expect(() => MailModule.forRoot({ production: true, smtpUrl: 'smtp//user:hunter2@x', from: FROM })).not.toThrow(/hunter2/);
  });

  describe('with an SMTP URL', () => {
    let mailApp: MailApp;
    afterEach(() => mailApp?.app.close());

    it('sends through SMTP, has no dev mailbox, and closes the pool when the app stops', async () => {
      const close = jest.spyOn(SmtpMailer.prototype, 'close');
      try {
        mailApp = await bootMailApp({ production: true, smtpUrl: 'smtp://user:pass@127.0.0.1:2525', from: FROM });
        expect(mailApp.app.get(Mailer)).toBeInstanceOf(SmtpMailer);
        expect((await mailApp.get('/dev/mailbox')).status).toBe(404);
        expect((await mailApp.get('/dev/mailbox.json')).status).toBe(404);
        expect(close).not.toHaveBeenCalled();
        await mailApp.app.close();
        expect(close).toHaveBeenCalledTimes(1);
      } finally {
        close.mockRestore();
      }
    });
  });

  describe('without an SMTP URL outside production', () => {
    let mailApp: MailApp;
    let mail: MailService;
    let box: DevMailbox;

    beforeAll(async () => {
      mailApp = await bootMailApp({ production: false, from: FROM });
      mail = mailApp.app.get(MailService);
      box = mailApp.app.get(DevMailbox);
    });
    afterAll(() => mailApp.app.close());
    beforeEach(() => box.clear());

    it('keeps mail in the dev mailbox', () => {
      expect(mailApp.app.get(Mailer)).toBe(box);
    });

    it("renders the template in the reader's language with the tenant's name and the recipient", async () => {
      await mail.send(acme, 'sign-in-code', 'de-AT', 'alice@example.com', { code: '482913', expiresInMinutes: 10 });
      const [m] = box.list();
      expect(m).toEqual(
        expect.objectContaining({
          tenantId: 'tenant-1',
          to: 'alice@example.com',
          from: FROM,
          template: 'sign-in-code',
          subject: 'Ihr Anmeldecode für Acme',
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        }),
      );
      expect(m.text).toContain('mit diesem Code melden Sie sich als alice@example.com bei Acme an:\n\n482913\n');
      expect(m.html).toContain('<strong>482913</strong>');
    });

    it("sends from the tenant's own address and with its own templates", async () => {
      const tenant: MailTenant = {
        ...acme,
        mailFrom: 'Acme <login@acme.test>',
        templates: { 'reset-password': { en: { subject: '{{tenantName}}: new password' } } },
      };
      await mail.send(tenant, 'reset-password', 'fr', 'bob@example.com', { link: 'https://acme.test/r?t=1', expiresInMinutes: 30 });
      const [m] = box.list();
      expect(m.from).toBe('Acme <login@acme.test>');
      expect(m.subject).toBe('Acme: new password');
      expect(m.text).toContain('https://acme.test/r?t=1');
    });

    it.each(['alice@example.com, eve@evil.test', 'alice@example.com\r\nBcc: eve@evil.test', 'Alice <alice@example.com>', 'nobody'])(
      'refuses the recipient %p for good, sending nothing',
      async (to) => {
        const err = await mail.send(acme, 'password-changed', 'en', to, {}).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MailDeliveryError);
        expect(err).toEqual(expect.objectContaining({ transient: false, code: 'EENVELOPE' }));
        expect(box.list()).toEqual([]);
      },
    );

    it('refuses a link that is not http(s), sending nothing', async () => {
      await expect(mail.send(acme, 'verify-email', 'en', 'alice@example.com', { code: '123456', link: 'javascript:alert(1)', expiresInMinutes: 5 })).rejects.toThrow(MailRenderError);
      expect(box.list()).toEqual([]);
    });
  });

  it('logs where dev mail went without the recipient or the code', async () => {
    const { logger, lines } = recordingLogger();
    const mailApp = await bootMailApp({ production: false, from: FROM }, logger);
    try {
      await mailApp.app.get(MailService).send(acme, 'mfa-code', 'en', 'carol@example.com', { code: '771204', expiresInMinutes: 5 });
      const logged = JSON.stringify(lines);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'info', obj: expect.objectContaining({ tenantId: 'tenant-1', template: 'mfa-code' }) }));
      expect(logged).not.toContain('carol@example.com');
      expect(logged).not.toContain('771204');
    } finally {
      await mailApp.app.close();
    }
  });
});
