import { Inject, Injectable } from '@nestjs/common';
import { PlatformException, validationPipe } from '@keyline/platform-http';
import { In } from 'typeorm';
import type { DirectoryConfig } from '../config';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import { GroupEntity, GroupMemberEntity } from '../groups/group.entity';
import { UserUpdateDto } from '../users/dto/user-create.dto';
import type { UserEntity } from '../users/user.entity';
import type { UserProfileInput } from '../users/user.profile';
import { UserQueryBuilder } from '../users/user.query';
import { userSortExpression } from '../users/user.filter';
import { UserStore } from '../users/user.store';
import { Acting, UsersService } from '../users/users.service';
import { ENTERPRISE_USER_SCHEMA, ScimException, ScimType, applyPatch, projectAttributes } from './protocol';
import { GroupRef, fromScimUser, toScimUser } from './scim-user.mapper';
import { KEYLINE_USER_SCHEMA } from './scim.constants';
import { ScimListQuery, listResponse, scimPage } from './scim-list';

type Json = Record<string, unknown>;
type ScimInput = UserProfileInput & { status?: 'active' | 'suspended'; password?: string };

const PATCH_OPTIONS = {
  readOnly: ['id', 'meta', 'groups'],
  multiValued: ['emails', 'phonenumbers', 'photos', 'groups', 'addresses', 'ims', 'entitlements', 'roles', 'x509certificates'],
  booleans: ['active', 'emails.primary', 'phonenumbers.primary'],
  canonical: ['userName', 'name.givenName', 'name.familyName', 'displayName', 'externalId', 'active', 'emails', 'phoneNumbers', 'locale', `${ENTERPRISE_USER_SCHEMA}:department`],
  extensions: [ENTERPRISE_USER_SCHEMA, KEYLINE_USER_SCHEMA],
};

/** SCIM Users (RFC 7644 §3) on top of the directory's users: the same rules, events and indexes. */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly store: UserStore,
    private readonly queries: UserQueryBuilder,
    @Inject(DIRECTORY_CONFIG) private readonly config: DirectoryConfig,
  ) {}

  get baseUrl(): string {
    return `${this.config.publicUrl}/scim/v2`;
  }

  async list(tenantId: string, q: ScimListQuery): Promise<Json> {
    const page = scimPage(q);
    const qb = this.store.query(tenantId).andWhere(`u.status <> 'deleted'`);
    if (q.filter !== undefined && q.filter.trim() !== '') {
      this.queries.filter(qb, q.filter, await this.users.attributeDefinitionsForReads(tenantId), this.store.dialect, 'scim');
    }
    const order = page.descending ? 'DESC' : 'ASC';
    if (q.sortBy) qb.orderBy(userSortExpression(q.sortBy), order).addOrderBy('u.id', 'ASC');
    else qb.orderBy('u.id', 'ASC');
    const users = page.count === 0 ? [] : await qb.clone().offset(page.startIndex - 1).limit(page.count).getMany();
    // A page that is not full tells the total without counting: the common `userName eq` lookup costs one query.
    const known = users.length > 0 ? users.length < page.count : page.startIndex === 1 && page.count > 0;
    const total = known ? page.startIndex - 1 + users.length : await qb.orderBy().getCount();
    if (page.count === 0) return listResponse([], total, page);
    const withGroups = wantsGroups(q);
    const groups = withGroups ? await this.groupsOf(tenantId, users.map((u) => u.id)) : new Map<string, GroupRef[]>();
    const resources = users.map((u) => projectAttributes(toScimUser(u, groups.get(u.id) ?? [], this.baseUrl), q, ['id', 'schemas']));
    return listResponse(resources, total, page);
  }

  async get(tenantId: string, id: string): Promise<Json> {
    const user = await this.users.get(tenantId, id);
    return this.resource(user);
  }

  async create(at: Acting, body: unknown): Promise<Json> {
    const input = await this.validated(fromScimUser(body, await this.users.attributeDefinitions(at.tenantId)));
    const user = await this.users.create(at, stripNulls(input));
    return this.resource(user);
  }

  /** PUT: the resource replaces every mapped attribute; what it leaves out is cleared. */
  async replace(at: Acting, id: string, body: unknown, ifMatch?: number): Promise<Json> {
    const current = await this.users.get(at.tenantId, id);
    if (ifMatch !== undefined && ifMatch !== current.version) throw stale(current);
    const input = await this.validated(fromScimUser(body, await this.users.attributeDefinitions(at.tenantId)));
    const user = await this.users.update(at, id, replacement(current, input), ifMatch ?? current.version);
    return this.resource(user);
  }

  /** PATCH: operations applied to the current resource, and the result written like a PUT of it. */
  async patch(at: Acting, id: string, body: unknown, ifMatch?: number): Promise<Json> {
    const current = await this.users.get(at.tenantId, id);
    if (ifMatch !== undefined && ifMatch !== current.version) throw stale(current);
    const before = toScimUser(current, [], this.baseUrl);
    delete before.groups;
    const { resource } = applyPatch(before, body, PATCH_OPTIONS);
    const input = await this.validated(fromScimUser(resource, await this.users.attributeDefinitions(at.tenantId)));
    const user = await this.users.update(at, id, replacement(current, input), ifMatch ?? current.version);
    return this.resource(user);
  }

  delete(at: Acting, id: string, ifMatch?: number): Promise<void> {
    return this.users.delete(at, id, ifMatch);
  }

  private async resource(user: UserEntity): Promise<Json> {
    const groups = await this.groupsOf(user.tenantId, [user.id]);
    return toScimUser(user, groups.get(user.id) ?? [], this.baseUrl);
  }

  /** The groups of each user, in one query. */
  private async groupsOf(tenantId: string, userIds: string[]): Promise<Map<string, GroupRef[]>> {
    const out = new Map<string, GroupRef[]>();
    if (!userIds.length) return out;
    const rows = await this.store
      .query(tenantId)
      .connection.getRepository(GroupMemberEntity)
      .createQueryBuilder('m')
      .innerJoin(GroupEntity, 'g', 'g.id = m.groupId AND g.tenantId = m.tenantId')
      .select(['m.userId AS "userId"', 'g.id AS "id"', 'g.name AS "name"'])
      .where('m.tenantId = :tenantId', { tenantId })
      .andWhere({ userId: In(userIds) })
      .orderBy('g.name', 'ASC')
      .getRawMany<{ userId: string; id: string; name: string }>();
    for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), { id: r.id, name: r.name }]);
    return out;
  }

  /** The same field rules as the management API (email syntax, E.164, lengths), answered as SCIM invalidValue. */
  private async validated(input: ScimInput): Promise<ScimInput> {
    const { enterprise, attributes, ...fields } = input;
    try {
      await validationPipe().transform(stripNulls(fields), { type: 'body', metatype: UserUpdateDto });
    } catch (err) {
      if (!(err instanceof PlatformException)) throw err;
      const body = err.toBody();
      const detail = (body.errors ?? []).map((e) => `${scimName(e.field)}: ${e.message}`).join('; ') || body.detail;
      throw new ScimException(400, detail, ScimType.invalidValue);
    }
    return { ...input, enterprise, attributes };
  }
}

const SCIM_NAMES: Record<string, string> = { username: 'userName', email: 'emails', phoneNumber: 'phoneNumbers', givenName: 'name.givenName', familyName: 'name.familyName', picture: 'photos' };
const scimName = (field: string) => SCIM_NAMES[field] ?? field;

function wantsGroups(q: ScimListQuery): boolean {
  const has = (list: string | undefined) => (list ?? '').split(',').some((a) => a.trim().toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/, '').startsWith('groups'));
  if (q.attributes) return has(q.attributes);
  return !has(q.excludedAttributes);
}

function stripNulls<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
}

/** A merge patch that turns `current` into exactly what the SCIM resource says. */
function replacement(current: UserEntity, input: ScimInput): UserUpdateDto & UserProfileInput {
  const attributes: Json = Object.fromEntries(Object.keys(current.attributes).map((k) => [k, null]));
  Object.assign(attributes, input.attributes ?? {});
  const out: UserUpdateDto & UserProfileInput = { ...input, attributes };
  // A verified identifier that SCIM sends back unchanged stays verified.
  if (input.email === current.email) delete out.email;
  if (input.phoneNumber === current.phoneNumber) delete out.phoneNumber;
  return out;
}

function stale(user: UserEntity): ScimException {
  return new ScimException(412, `The user is at version W/"${user.version}"`);
}
