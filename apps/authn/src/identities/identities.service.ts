import { Injectable } from '@nestjs/common';
import type { DirectoryEvents, PasswordCredentialData, UserData } from '@keyline/directory-contracts';
import type { EventEnvelope } from '@keyline/platform-messaging';
import type { EntityManager } from 'typeorm';
import { IdentityEntity, PasswordCredentialEntity } from './identity.entity';

type Row = Parameters<EntityManager['upsert']>[1];

const lower = (v: string | null) => (v === null ? null : v.normalize('NFKC').toLowerCase());

/** The claims a token may carry, from the directory's view of a user (sensitive attributes never arrive). */
function claimsOf(u: UserData): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ given_name: u.givenName, family_name: u.familyName, name: u.displayName, locale: u.locale, picture: u.picture })) {
    if (v !== null) claims[k] = v;
  }
  if (Object.keys(u.attributes).length) claims.attributes = u.attributes;
  return claims;
}

/**
 * Keeps the identity read model and password credentials from directory events. Each handler runs in
 * the consumer's transaction, together with the processed-event row, so redeliveries change nothing.
 */
@Injectable()
export class IdentitiesService {
  async userChanged(event: EventEnvelope<UserData>, m: EntityManager): Promise<void> {
    const u = event.data;
    const row: IdentityEntity = {
      tenantId: event.tenantId,
      userId: u.id,
      email: u.email,
      emailKey: lower(u.email),
      emailVerified: u.emailVerified,
      phoneNumber: u.phoneNumber,
      phoneNumberVerified: u.phoneNumberVerified,
      username: u.username,
      usernameKey: lower(u.username),
      status: u.status,
      claims: claimsOf(u),
      updatedAt: new Date(event.occurredAt),
    };
    await m.upsert(IdentityEntity, row as Row, ['tenantId', 'userId']);
  }

  /**
   * A deleted user can no longer sign in: its credentials go, and its identity becomes a tombstone
   * without identifiers or claims (so that a credential event arriving late is not kept).
   */
  async userDeleted(event: EventEnvelope<DirectoryEvents['user.deleted']>, m: EntityManager): Promise<void> {
    const key = { tenantId: event.tenantId, userId: event.data.id };
    const tombstone: IdentityEntity = {
      ...key,
      email: null,
      emailKey: null,
      emailVerified: false,
      phoneNumber: null,
      phoneNumberVerified: false,
      username: null,
      usernameKey: null,
      status: 'deleted',
      claims: {},
      updatedAt: new Date(event.occurredAt),
    };
    await m.upsert(IdentityEntity, tombstone as Row, ['tenantId', 'userId']);
    await m.delete(PasswordCredentialEntity, key);
  }

  async passwordSet(event: EventEnvelope<PasswordCredentialData>, m: EntityManager): Promise<void> {
    const c = event.data;
    // The credential topic is keyed by tenant like every other, but it is a separate topic: a
    // credential may arrive before its user, and a late one must not outlive a deletion.
    const deleted = await m.findOneBy(IdentityEntity, { tenantId: event.tenantId, userId: c.userId, status: 'deleted' });
    if (deleted) return;
    const row: PasswordCredentialEntity = { tenantId: event.tenantId, userId: c.userId, format: c.format, hash: c.hash, source: c.source, updatedAt: new Date(event.occurredAt) };
    await m.upsert(PasswordCredentialEntity, row as Row, ['tenantId', 'userId']);
  }

  findIdentity(m: EntityManager, tenantId: string, userId: string): Promise<IdentityEntity | null> {
    return m.findOneBy(IdentityEntity, { tenantId, userId });
  }
}
