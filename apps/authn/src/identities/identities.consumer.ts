import { Injectable, OnModuleInit } from '@nestjs/common';
import { AUTHN_IDENTITIES_CONSUMER_GROUP } from '@keyline/authn-contracts';
import { DirectoryTopics, PasswordCredentialData, UserData } from '@keyline/directory-contracts';
import { EventEnvelope, EventHandler, Messaging } from '@keyline/platform-messaging';
import { IdentitiesService } from './identities.service';

/** Topics authn reads from the directory: users, and the password hashes handed to it. */
export const IDENTITY_TOPICS = [DirectoryTopics.user, DirectoryTopics.credential] as const;

/** Feeds the identity read model; idempotency, retries and dead-lettering come from the platform consumer. */
@Injectable()
export class IdentitiesConsumer implements OnModuleInit {
  constructor(
    private readonly messaging: Messaging,
    private readonly identities: IdentitiesService,
  ) {}

  onModuleInit(): void {
    const changed: EventHandler = (e, m) => this.identities.userChanged(e as EventEnvelope<UserData>, m);
    this.messaging.addConsumer({
      groupId: AUTHN_IDENTITIES_CONSUMER_GROUP,
      topics: [...IDENTITY_TOPICS],
      handlers: {
        'user.created': changed,
        'user.updated': changed,
        'user.suspended': changed,
        'user.reactivated': changed,
        'user.deleted': (e, m) => this.identities.userDeleted(e as EventEnvelope<{ id: string; tenantId: string; deletedAt: string }>, m),
        'credential.password-set': (e, m) => this.identities.passwordSet(e as EventEnvelope<PasswordCredentialData>, m),
      },
    });
  }
}
