import { Injectable } from '@nestjs/common';
import { PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import { PasswordHasher } from '@keyline/platform-passwords';
import type { EntityManager } from 'typeorm';
import { Clock } from '../core/clock';
import { DirectoryEvent } from '../core/directory-event';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { newId } from '../core/ids';
import { Page, decodeCursor, toPage } from '@keyline/platform-http';
import { ProfileSchemaService } from '../profile-schema/profile-schema.service';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import type { UserCreateDto, UserUpdateDto } from './dto/user-create.dto';
import type { UserProfileInput } from './user.profile';
import type { UserQueryDto } from './dto/user-query.dto';
import { UserEntity } from './user.entity';
import { applyProfile, blankUser, userData } from './user.profile';
import { UserQueryBuilder } from './user.query';
import { UserStore, UserWriteResult } from './user.store';

/** Who acts on a tenant's users: the tenant and the actor recorded in events. */
export interface Acting {
  tenantId: string;
  actor: string;
}

/** Work other features add to a user's deletion (group memberships, role assignments). */
export abstract class UserDeletionHooks {
  /** Runs inside the deletion's transaction. */
  abstract onDelete(tenantId: string, userId: string, m: EntityManager): Promise<void>;
}

const CONFLICT_CODES: Record<string, DirectoryErrorCode> = {
  email: DirectoryErrorCode.EmailTaken,
  phoneNumber: DirectoryErrorCode.PhoneNumberTaken,
  username: DirectoryErrorCode.UsernameTaken,
};

/** Optimistic writes without If-Match retry this often when another write got there first. */
const STALE_RETRIES = 5;

@Injectable()
export class UsersService {
  constructor(
    private readonly store: UserStore,
    private readonly schemas: ProfileSchemaService,
    private readonly hasher: PasswordHasher,
    private readonly queries: UserQueryBuilder,
    private readonly clock: Clock,
    private readonly deletionHooks: UserDeletionHooks,
  ) {}

  async create(at: Acting, input: UserCreateDto & UserProfileInput): Promise<UserEntity> {
    const now = this.clock.now();
    const blank = blankUser(newId(), at.tenantId, now, input.status ?? 'active');
    const { attributes: defs } = await this.schemas.get(at.tenantId);
    const { next: user, errors, unique } = applyProfile(blank, input, defs, 'create');
    if (errors.length) throw invalid(errors);

    const meta = { tenantId: at.tenantId, actor: at.actor, subject: user.id, occurredAt: now };
    const events: DirectoryEvent[] = [{ type: 'user.created', meta, data: userData(user, defs) }];
    if (input.password !== undefined) events.push(await this.passwordEvent(user, input.password, meta));
    this.raise(await this.store.create(user, unique.add, events));
    return user;
  }

  /** A user of the tenant; deleted users are gone for the API (404) until erased. */
  async get(tenantId: string, id: string): Promise<UserEntity> {
    const user = UUID.test(id) ? await this.store.find(tenantId, id) : null;
    if (!user || user.status === 'deleted') throw new DirectoryException(DirectoryErrorCode.UserNotFound, `No user ${id}`);
    return user;
  }

  /**
   * Applies a merge patch. With `ifMatch` the write happens only on that version (else 412); without,
   * a concurrent change is re-read and the patch re-applied, so no write is lost.
   */
  async update(at: Acting, id: string, patch: UserUpdateDto & UserProfileInput, ifMatch?: number): Promise<UserEntity> {
    for (let attempt = 0; ; attempt++) {
      const user = await this.get(at.tenantId, id);
      if (ifMatch !== undefined && ifMatch !== user.version) throw preconditionFailed(user);
      const { attributes: defs } = await this.schemas.get(at.tenantId);
      const { next, changes, errors, unique } = applyProfile(user, patch, defs, 'update');
      if (patch.status !== undefined && patch.status !== user.status) {
        next.status = patch.status;
        changes.push('status');
      }
      if (patch.password !== undefined) changes.push('password');
      if (errors.length) throw invalid(errors);
      if (!changes.length) return user;

      const now = this.clock.now();
      next.version = user.version + 1;
      next.updatedAt = now;
      const meta = { tenantId: at.tenantId, actor: at.actor, subject: id, occurredAt: now };
      const data = userData(next, defs);
      const events: DirectoryEvent[] = [];
      const profileChanges = changes.filter((c) => c !== 'status' && c !== 'password');
      if (profileChanges.length) events.push({ type: 'user.updated', meta, data: { ...data, changes: profileChanges } });
      if (changes.includes('status')) events.push({ type: next.status === 'suspended' ? 'user.suspended' : 'user.reactivated', meta, data });
      if (patch.password !== undefined) events.push(await this.passwordEvent(next, patch.password, meta));

      const result = await this.store.update(next, user.version, unique, events);
      if (!result.ok && 'stale' in result && ifMatch === undefined && attempt < STALE_RETRIES) continue;
      if (!result.ok && 'stale' in result) throw preconditionFailed(await this.get(at.tenantId, id));
      this.raise(result);
      return next;
    }
  }

  /**
   * Soft deletion: status `deleted`, identifiers and unique values released for new users, group
   * memberships and role assignments dropped, `user.deleted` published. The row stays until erased.
   */
  async delete(at: Acting, id: string, ifMatch?: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const user = await this.get(at.tenantId, id);
      if (ifMatch !== undefined && ifMatch !== user.version) throw preconditionFailed(user);
      const now = this.clock.now();
      const next = Object.assign(new UserEntity(), user, {
        status: 'deleted',
        emailKey: null,
        phoneKey: null,
        usernameKey: null,
        version: user.version + 1,
        updatedAt: now,
        deletedAt: now,
      } satisfies Partial<UserEntity>);
      const { attributes: defs } = await this.schemas.get(at.tenantId);
      const event: DirectoryEvent = {
        type: 'user.deleted',
        meta: { tenantId: at.tenantId, actor: at.actor, subject: id, occurredAt: now },
        data: { id, tenantId: at.tenantId, deletedAt: now.toISOString() },
      };
      const unique = { remove: defs.filter((d) => d.unique).map((d) => d.name), add: [] };
      const result = await this.store.update(next, user.version, unique, [event], (m) => this.deletionHooks.onDelete(at.tenantId, id, m));
      if (!result.ok && 'stale' in result && ifMatch === undefined && attempt < STALE_RETRIES) continue;
      if (!result.ok && 'stale' in result) throw preconditionFailed(await this.get(at.tenantId, id));
      this.raise(result);
      return;
    }
  }

  async list(tenantId: string, query: UserQueryDto): Promise<Page<UserEntity>> {
    const after = decodeCursor(query.cursor);
    const { attributes: defs } = query.filter === undefined ? { attributes: [] } : await this.schemas.getForReads(tenantId);
    const qb = this.queries.build(this.store.query(tenantId), tenantId, query, defs, this.store.dialect);
    if (after) qb.andWhere('u.id > :after', { after });
    const rows = await qb.orderBy('u.id', 'ASC').take(query.limit + 1).getMany();
    return toPage(rows, query.limit);
  }

  /** The tenant's attribute definitions, for writes (SCIM). */
  async attributeDefinitions(tenantId: string): Promise<AttributeDefinition[]> {
    return (await this.schemas.get(tenantId)).attributes;
  }

  /** The tenant's attribute definitions for interpreting a query (may be up to 2 s old). */
  async attributeDefinitionsForReads(tenantId: string): Promise<AttributeDefinition[]> {
    return (await this.schemas.getForReads(tenantId)).attributes;
  }

  private async passwordEvent(user: UserEntity, password: string, meta: DirectoryEvent['meta']): Promise<DirectoryEvent> {
    return {
      type: 'credential.password-set',
      meta,
      data: { userId: user.id, tenantId: user.tenantId, format: 'argon2id', hash: await this.hasher.hash(password), source: 'api' },
    };
  }

  private raise(result: UserWriteResult): void {
    if (result.ok || !('conflict' in result)) return;
    const field = result.conflict;
    const code = CONFLICT_CODES[field] ?? DirectoryErrorCode.AttributeValueTaken;
    throw new DirectoryException(code, `Another user of this tenant already has this ${field}`, [{ field, message: `${field} is already taken` }]);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(errors: { field: string; message: string }[]): PlatformException {
  return new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', errors);
}

function preconditionFailed(user: UserEntity): DirectoryException {
  return new DirectoryException(DirectoryErrorCode.PreconditionFailed, `The user is at version ${user.version}; read it again and retry`);
}
