import { Inject, Injectable } from '@nestjs/common';
import type { AuthnEvents } from '@keyline/authn-contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { AUTHN_OUTBOX, type AuthnOutbox } from './core.tokens';

export interface EventSubject {
  tenantId: string;
  /** The user the event is about, or a placeholder for failures of unknown identifiers. */
  subject: string;
  actor?: string;
}

/** authn's events, always through the outbox: with the state change they announce, or on their own. */
@Injectable()
export class AuthnEventsService {
  constructor(
    private readonly ds: DataSource,
    @Inject(AUTHN_OUTBOX) private readonly outbox: AuthnOutbox,
  ) {}

  /** In the caller's transaction, so the event commits with the change. */
  async append<K extends keyof AuthnEvents & string>(m: EntityManager, type: K, who: EventSubject, data: AuthnEvents[K]): Promise<void> {
    await this.outbox.append(m, type, { tenantId: who.tenantId, actor: who.actor ?? `user:${who.subject}`, subject: who.subject }, data);
  }

  /**
   * An event with no state change of its own (a sign-in, a failure, a lockout): one insert, no
   * transaction needed. It leaves with the relay's next poll (OUTBOX_POLL_MS) rather than at once, so
   * that under load one relay pass carries many sign-ins instead of one each.
   */
  async emit<K extends keyof AuthnEvents & string>(type: K, who: EventSubject, data: AuthnEvents[K]): Promise<void> {
    await this.append(this.ds.manager, type, who, data);
  }

  wake(): void {
    this.outbox.wake();
  }
}
