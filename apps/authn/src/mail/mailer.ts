import { createHash } from 'node:crypto';
import type { MailTemplateKey } from './mail.templates';

/** One rendered message, ready for a transport. Its bodies hold one-time codes and links: never log them. */
export type OutgoingMail = {
  tenantId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  template: MailTemplateKey;
  headers?: Record<string, string>;
};

/** Where mail leaves the service: SMTP in deployments, the in-memory dev mailbox on a laptop. */
export abstract class Mailer {
  /** Resolves once the message was handed over; throws `MailDeliveryError` otherwise. */
  abstract send(msg: OutgoingMail): Promise<void>;
}

/**
 * A message could not be handed over. `transient` failures (connection, timeout, 4xx) are worth a
 * retry with backoff; a 5xx answer from the server (recipient or sender refused) is not. The message
 * carries no body and no recipient, so it is safe to log and to put into a problem response.
 */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';

  constructor(
    message: string,
    /** The transport's error code (`ECONNECTION`, `ETIMEDOUT`, `EAUTH`, `EENVELOPE`, ...). */
    readonly code: string | undefined,
    /** The SMTP reply code, when the server answered. */
    readonly responseCode: number | undefined,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** Identifies a recipient in logs without writing the address down (first 16 hex of SHA-256). */
export function recipientHash(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16);
}
