import type { Logger } from '@keyline/platform-observability';
import { createTransport, type NodemailerError, type SMTPPoolOptions, type Transporter } from 'nodemailer';
import { MailDeliveryError, Mailer, OutgoingMail, recipientHash } from './mailer';

export interface SmtpMailerOptions {
  /** Connecting, the greeting, and each wait for a reply (default 10 s): sign-in requests wait on this. */
  timeoutMs?: number;
}

/** Codes by which the server refused this very message or recipient: sending it again fails again. */
const MESSAGE_REFUSED = new Set(['EENVELOPE', 'EMESSAGE']);

// Server replies may quote the recipient; the logs identify it by hash only.
const ADDRESS = /[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g;
const reasonOf = (err: NodemailerError): string => (err.message ?? '').replace(ADDRESS, '<address>').slice(0, 300);

/** Checks the URL's scheme; its message never repeats the URL, which carries the SMTP password. */
export function assertSmtpUrl(smtpUrl: string): void {
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    throw new Error('SMTP_URL is not a URL; expected smtp://user:pass@host:587 or smtps://user:pass@host:465');
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must use smtp: or smtps:, not ${protocol}`);
  }
}

/**
 * Delivers through an SMTP server (`smtp://user:pass@host:587`, STARTTLS when offered, or
 * `smtps://` for implicit TLS) over a small pool of kept-open connections. Logs name the tenant, the
 * template and a hash of the recipient, never a body: bodies carry one-time codes and reset links.
 */
export class SmtpMailer extends Mailer {
  private readonly transport: Transporter;
  private closed = false;

  constructor(
    smtpUrl: string,
    private readonly logger: Logger,
    opts: SmtpMailerOptions = {},
  ) {
    super();
    assertSmtpUrl(smtpUrl);
    const timeout = opts.timeoutMs ?? 10_000;
    // The URL goes in as `url` rather than as the first argument: the second argument of
    // createTransport holds message defaults, so `pool` must sit next to the URL to take effect.
    const options: SMTPPoolOptions & { pool: true } = {
      url: smtpUrl,
      pool: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: 3 * timeout,
      // Bodies are strings we rendered; nothing may make the transport read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    };
    this.transport = createTransport(options);
    // An 'error' event without a listener would crash the process.
    this.transport.on('error', (err: NodemailerError) => this.logger.warn({ code: err.code, reason: reasonOf(err) }, 'smtp transport error'));
  }

  async send(msg: OutgoingMail): Promise<void> {
    const context = { tenantId: msg.tenantId, template: msg.template, to: recipientHash(msg.to) };
    if (this.closed) throw new MailDeliveryError('Mail delivery failed: the mailer is closed', 'ECLOSED', undefined, true);
    try {
      const info = await this.transport.sendMail({
        from: msg.from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        headers: msg.headers,
      });
      this.logger.info({ ...context, messageId: info.messageId }, 'mail sent');
    } catch (e) {
      const err = e as NodemailerError;
      // Refused by a 5xx reply, or found invalid before sending (command `API`): retrying fails again.
      const transient = !(MESSAGE_REFUSED.has(err.code ?? '') && (err.permanent === true || err.command === 'API'));
      const code = [err.code ?? 'unknown', err.originalCode].filter(Boolean).join('/');
      const failure = new MailDeliveryError(
        `Mail delivery failed (${code}${err.responseCode ? `, SMTP ${err.responseCode}` : ''})`,
        err.code,
        err.responseCode,
        transient,
      );
      this.logger.warn(
        { ...context, code: err.code, originalCode: err.originalCode, responseCode: err.responseCode, command: err.command, transient, reason: reasonOf(err) },
        'mail delivery failed',
      );
      throw failure;
    }
  }

  /** Closes the pooled connections; a delivery under way finishes first. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.close();
  }
}
