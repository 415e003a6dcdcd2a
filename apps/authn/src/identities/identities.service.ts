import { Injectable } from '@nestjs/common';
import type { DirectoryEvents, GroupData, GroupMembersData, PasswordCredentialData, TenantData, UserData } from '@keyline/directory-contracts';
import type { EventEnvelope } from '@keyline/platform-messaging';
import { DataSource, In, Not, type EntityManager } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import { IdentityEntity, IdentityGroupEntity, PasswordCredentialEntity } from './identity.entity';

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
const PHONE = /^\+[1-9][0-9]{5,14}$/;

@Injectable()
export class IdentitiesService {
  constructor(private readonly ds: DataSource) {}

  /** The user an identifier names (email, E.164 phone or username, as the directory compares them). */
  findByIdentifier(tenantId: string, identifier: string): Promise<IdentityEntity | null> {
    const raw = identifier.trim();
    const key = lower(raw) as string;
    const where = key.includes('@') ? { emailKey: key } : PHONE.test(raw) ? { phoneNumber: raw } : { usernameKey: key };
    return this.ds.manager.findOneBy(IdentityEntity, { tenantId, ...where, status: Not('deleted') as never });
  }

  async inAnyGroup(tenantId: string, userId: string, groupIds: string[]): Promise<boolean> {
    if (!groupIds.length) return false;
    return (await this.ds.manager.countBy(IdentityGroupEntity, { tenantId, userId, groupId: In(groupIds) })) > 0;
  }

  async userChanged(event: EventEnvelope<UserData>, m: EntityManager): Promise<void> {
    await this.upsertUser(event.data, m);
  }

  /** From an event, or from the directory's answer to a sign-up (so the new user can sign in at once). */
  async upsertUser(u: UserData, m: EntityManager): Promise<void> {
    const row: IdentityEntity = {
      tenantId: u.tenantId,
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
      updatedAt: new Date(u.updatedAt),
    };
    // A tombstone stays one: a late event never brings a deleted user back.
    const existing = await m.findOneBy(IdentityEntity, { tenantId: u.tenantId, userId: u.id });
    if (existing?.status === 'deleted') return;
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
    await m.delete(IdentityGroupEntity, key);
  }

  async passwordSet(event: EventEnvelope<PasswordCredentialData>, m: EntityManager): Promise<void> {
    const c = event.data;
    // The credential topic is keyed by tenant like every other, but it is a separate topic: a
    // credential may arrive before its user, and a late one must not outlive a deletion.
    const deleted = await m.findOneBy(IdentityEntity, { tenantId: event.tenantId, userId: c.userId, status: 'deleted' });
    if (deleted) return;
    // authn also writes this row (sign-up, change, reset, rehash): an older directory event must not undo that.
    const current = await m.findOneBy(PasswordCredentialEntity, { tenantId: event.tenantId, userId: c.userId });
    if (current && current.updatedAt.getTime() > Date.parse(event.occurredAt)) return;
    const row: PasswordCredentialEntity = { tenantId: event.tenantId, userId: c.userId, format: c.format, hash: c.hash, source: c.source, updatedAt: new Date(event.occurredAt) };
    await m.upsert(PasswordCredentialEntity, row as Row, ['tenantId', 'userId']);
  }

  async tenantChanged(event: EventEnvelope<TenantData>, m: EntityManager): Promise<void> {
    const t = event.data;
    await m.upsert(TenantEntity, { id: t.id, slug: t.slug, name: t.name, updatedAt: new Date(event.occurredAt) } as Row, ['id']);
  }

  async membersAdded(event: EventEnvelope<GroupMembersData>, m: EntityManager): Promise<void> {
    const rows = event.data.userIds.map((userId) => ({ tenantId: event.tenantId, userId, groupId: event.data.groupId }));
    if (rows.length) await m.upsert(IdentityGroupEntity, rows as Row, ['tenantId', 'userId', 'groupId']);
  }

  async membersRemoved(event: EventEnvelope<GroupMembersData>, m: EntityManager): Promise<void> {
    for (const userId of event.data.userIds) await m.delete(IdentityGroupEntity, { tenantId: event.tenantId, userId, groupId: event.data.groupId });
  }

  async groupDeleted(event: EventEnvelope<GroupData>, m: EntityManager): Promise<void> {
    await m.delete(IdentityGroupEntity, { tenantId: event.tenantId, groupId: event.data.id });
  }

  findIdentity(m: EntityManager, tenantId: string, userId: string): Promise<IdentityEntity | null> {
    return m.findOneBy(IdentityEntity, { tenantId, userId });
  }
}
