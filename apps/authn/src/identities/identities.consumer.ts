import { Injectable, OnModuleInit } from '@nestjs/common';
import { AUTHN_IDENTITIES_CONSUMER_GROUP } from '@keyline/authn-contracts';
import { DirectoryTopics, GroupData, GroupMembersData, PasswordCredentialData, TenantData, UserData } from '@keyline/directory-contracts';
import { EventEnvelope, EventHandler, Messaging } from '@keyline/platform-messaging';
import { IdentitiesService } from './identities.service';

/** Topics authn reads from the directory: tenants, users, group memberships, and the password hashes handed to it. */
export const IDENTITY_TOPICS = [DirectoryTopics.tenant, DirectoryTopics.user, DirectoryTopics.group, DirectoryTopics.credential] as const;

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
        'tenant.created': (e, m) => this.identities.tenantChanged(e as EventEnvelope<TenantData>, m),
        'tenant.updated': (e, m) => this.identities.tenantChanged(e as EventEnvelope<TenantData>, m),
        'group.members-added': (e, m) => this.identities.membersAdded(e as EventEnvelope<GroupMembersData>, m),
        'group.members-removed': (e, m) => this.identities.membersRemoved(e as EventEnvelope<GroupMembersData>, m),
        'group.deleted': (e, m) => this.identities.groupDeleted(e as EventEnvelope<GroupData>, m),
        'credential.password-set': (e, m) => this.identities.passwordSet(e as EventEnvelope<PasswordCredentialData>, m),
      },
    });
  }
}
