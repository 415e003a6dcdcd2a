import { Inject, Injectable } from '@nestjs/common';
import { MailDeliveryError, Mailer } from './mailer';
import { MailTemplateKey, MailTemplateOverrides, MailTemplateVars, renderMail, resolveMailLocale } from './mail.templates';

/** The sender used when a tenant has no `mailFrom` of its own (MAIL_FROM). */
export const MAIL_DEFAULT_FROM = Symbol('authn:mail-default-from');

/** What the mail service needs to know of a tenant. */
export type MailTenant = { id: string; name: string; mailFrom?: string | null; templates?: MailTemplateOverrides | null };

// One mailbox, nothing that an SMTP header would read as a list, a comment or a second line.
const SINGLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/** RFC 3834 §5: auto-responders (vacation replies, Exchange) leave these mails alone. */
const AUTOMATED_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

/** Renders a tenant's mail in the reader's locale and hands it to the mailer. */
@Injectable()
export class MailService {
  constructor(
    private readonly mailer: Mailer,
    @Inject(MAIL_DEFAULT_FROM) private readonly defaultFrom: string,
  ) {}

  /**
   * Sends template `key` to `to`. `locale` is the reader's (a BCP 47 tag such as `de-AT`; German
   * gets `de`, everything else `en`); `tenantName` and `email` are filled in from `tenant` and `to`.
   * Throws `MailRenderError` for bad variables and `MailDeliveryError` when the mail could not go out.
   */
  async send<K extends MailTemplateKey>(tenant: MailTenant, key: K, locale: string | null | undefined, to: string, vars: MailTemplateVars[K]): Promise<void> {
    if (!SINGLE_ADDRESS.test(to)) throw new MailDeliveryError('Mail delivery failed: the recipient is not a single email address', 'EENVELOPE', undefined, false);
    const rendered = renderMail(key, resolveMailLocale(locale), { ...vars, tenantName: tenant.name, email: to }, tenant.templates);
    await this.mailer.send({
      tenantId: tenant.id,
      to,
      from: tenant.mailFrom || this.defaultFrom,
      template: key,
      ...rendered,
      headers: { ...AUTOMATED_HEADERS },
    });
  }
}
