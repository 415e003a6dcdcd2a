import { randomUUID } from 'node:crypto';
import type { Logger } from '@keyline/platform-observability';
import { Mailer, OutgoingMail, recipientHash } from './mailer';

/** A message kept by the dev mailbox. */
export type StoredMail = OutgoingMail & { id: string; receivedAt: Date };

export const DEV_MAILBOX_CAPACITY = 200;

/**
 * Keeps mail in memory instead of sending it, so that sign-in flows work on a laptop without an SMTP
 * server: the last `capacity` messages, readable at GET /dev/mailbox. Never used in production.
 */
export class DevMailbox extends Mailer {
  private readonly slots: (StoredMail | undefined)[];
  /** Where the next message goes; the oldest one once the buffer is full. */
  private next = 0;

  constructor(
    private readonly logger?: Logger,
    readonly capacity = DEV_MAILBOX_CAPACITY,
  ) {
    super();
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('DevMailbox capacity must be a positive integer');
    this.slots = new Array<StoredMail | undefined>(capacity);
  }

  async send(msg: OutgoingMail): Promise<void> {
    const stored: StoredMail = { ...msg, headers: msg.headers && { ...msg.headers }, id: randomUUID(), receivedAt: new Date() };
    this.slots[this.next] = stored;
    this.next = (this.next + 1) % this.capacity;
    this.logger?.info({ tenantId: msg.tenantId, template: msg.template, to: recipientHash(msg.to), id: stored.id }, 'mail kept in the dev mailbox (GET /dev/mailbox)');
  }

  /** Newest first; only `tenantId`'s when given. */
  list(tenantId?: string): StoredMail[] {
    const out: StoredMail[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const m = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (!m) break;
      if (tenantId === undefined || m.tenantId === tenantId) out.push(m);
    }
    return out;
  }

  get(id: string): StoredMail | undefined {
    return this.slots.find((m) => m?.id === id);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
  }
}
