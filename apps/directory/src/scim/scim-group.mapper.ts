import type { GroupEntity } from '../groups/group.entity';
import type { GroupMemberView, GroupSortKey } from '../groups/group.store';
import type { GroupReplacement } from '../groups/groups.service';
import {
  GROUP_SCHEMA,
  ProjectionOptions,
  Resolver,
  ScimException,
  ScimType,
  SqlColumn,
  SqlDialect,
  SqlTarget,
  findKey,
  isPlainObject,
  makePath,
  parseAttrPath,
  projectAttributes,
} from './protocol';

type Json = Record<string, unknown>;

const iso = (d: Date) => d.toISOString();
const CONTROL = /\p{Cc}/u;
/** The limits of the groups table (and of the management API's GroupCreateDto). */
const MAX_NAME = 200;
const MAX_EXTERNAL_ID = 255;

/** What a member shows as `display`: the user's display name, else what SCIM calls its userName. */
export function memberDisplay(m: Pick<GroupMemberView, 'userId' | 'displayName' | 'username' | 'email'>): string {
  return m.displayName ?? m.username ?? m.email ?? m.userId;
}

/**
 * A group as a SCIM Group resource (RFC 7643 §4.2). `members` undefined means they were not loaded
 * (the client excluded them), so the attribute is left out; an empty group has no `members` either,
 * since SCIM omits unassigned attributes.
 */
export function toScimGroup(g: GroupEntity, members: GroupMemberView[] | undefined, baseUrl: string): Json {
  const out: Json = { schemas: [GROUP_SCHEMA], id: g.id };
  if (g.externalId !== null) out.externalId = g.externalId;
  out.displayName = g.name;
  if (members?.length) {
    out.members = members.map((m) => ({ value: m.userId, display: memberDisplay(m), $ref: `${baseUrl}/Users/${m.userId}`, type: 'User' }));
  }
  out.meta = { resourceType: 'Group', created: iso(g.createdAt), lastModified: iso(g.updatedAt), location: `${baseUrl}/Groups/${g.id}`, version: `W/"${g.version}"` };
  return out;
}

const invalid = (detail: string) => new ScimException(400, detail, ScimType.invalidValue);

function get(obj: Json, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

function displayNameOf(resource: Json): string {
  const raw = get(resource, 'displayName');
  if (raw === undefined || raw === null) throw invalid('displayName is required');
  if (typeof raw !== 'string') throw invalid('displayName must be a string');
  const name = raw.trim();
  if (name.length < 1 || name.length > MAX_NAME || CONTROL.test(name)) {
    throw invalid(`displayName must be 1 to ${MAX_NAME} characters without control characters`);
  }
  return name;
}

function externalIdOf(resource: Json): string | null {
  const v = get(resource, 'externalId');
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid('externalId must be a string');
  if (v.length > MAX_EXTERNAL_ID || CONTROL.test(v)) throw invalid(`externalId must be at most ${MAX_EXTERNAL_ID} characters without control characters`);
  return v;
}

function memberIdsOf(resource: Json): string[] {
  const members = get(resource, 'members');
  if (members === undefined || members === null) return [];
  if (!Array.isArray(members)) throw invalid('members must be a list');
  return members.map((m, i) => {
    if (!isPlainObject(m)) throw invalid(`members[${i}] must be an object`);
    const value = get(m, 'value');
    if (typeof value !== 'string' || value === '') throw invalid(`members[${i}].value must be the id of a user`);
    const type = get(m, 'type');
    // Keyline groups hold users only; a nested group would otherwise be taken for an unknown user.
    if (type !== undefined && type !== null && (typeof type !== 'string' || type.toLowerCase() !== 'user')) {
      throw invalid(`members[${i}].type must be "User": groups cannot contain groups`);
    }
    return value;
  });
}

/**
 * A SCIM Group resource as the whole of what the group is to be (POST, PUT, the result of a PATCH):
 * displayName (required), externalId, and the user ids of its members. Attributes Keyline does not
 * keep are ignored, as RFC 7644 §3.3 allows.
 */
export function fromScimGroup(resource: unknown): GroupReplacement {
  if (!isPlainObject(resource)) throw new ScimException(400, 'The body must be a SCIM Group object', ScimType.invalidSyntax);
  const schemas = get(resource, 'schemas');
  if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === GROUP_SCHEMA.toLowerCase()))) {
    throw new ScimException(400, `schemas must contain "${GROUP_SCHEMA}"`, ScimType.invalidSyntax);
  }
  return { name: displayNameOf(resource), externalId: externalIdOf(resource), memberIds: memberIdsOf(resource) };
}

const col = (expr: string, type: SqlColumn['type'], lowerExpr = false): SqlColumn => ({ kind: 'column', expr, type, lowerExpr });

/** A uuid column compared as text: a malformed id in a filter then matches nothing instead of failing the query. */
const uuidText = (dialect: SqlDialect, expr: string) => (dialect === 'postgres' ? `CAST(${expr} AS text)` : expr);

/** Sub-attributes of one member, over `gm` (group_members) joined with `u` (users). Ids are stored lower-case. */
function memberResolver(dialect: SqlDialect): Resolver {
  return ({ path }) => {
    switch (path.key) {
      case 'value':
        return col(uuidText(dialect, 'gm."userId"'), 'ci-string', true);
      case 'display':
        return col(`COALESCE(u."displayName", u."username", u."email", ${uuidText(dialect, 'u."id"')})`, 'ci-string');
      case 'type':
        return { kind: 'const', value: 'User', type: 'ci-string' };
      default:
        return undefined;
    }
  };
}

/**
 * `members...`: true when some member (a user not deleted) satisfies the condition, as SCIM compares
 * multi-valued attributes (RFC 7644 §3.4.2.2). `members op x` compares `members.value`.
 */
function membersTarget(dialect: SqlDialect, sub: string | undefined): SqlTarget {
  return {
    kind: 'custom',
    sql: (ctx) => {
      const resolve = memberResolver(dialect);
      let condition: string;
      if (ctx.valueFilter) {
        condition = ctx.compile(ctx.valueFilter, resolve);
      } else if (ctx.op === 'pr' && sub === undefined) {
        condition = '1=1';
      } else {
        const target = resolve({ path: makePath(sub ?? 'value') });
        if (!target || target.kind === 'custom') throw new ScimException(400, `Invalid filter: unknown attribute 'members.${sub}'`, ScimType.invalidFilter);
        condition = ctx.compare(target);
      }
      return (
        'EXISTS (SELECT 1 FROM "group_members" gm INNER JOIN "users" u ON u."id" = gm."userId" AND u."tenantId" = gm."tenantId"' +
        ` WHERE gm."groupId" = g."id" AND gm."tenantId" = g."tenantId" AND u."status" <> 'deleted' AND ${condition})`
      );
    },
  };
}

/**
 * Filter targets of SCIM Groups over the groups table aliased `g`. displayName compares
 * case-insensitively through the lower-cased `nameKey` (its unique index), externalId case-exactly
 * (RFC 7643 §3.1).
 */
export function groupFilterResolver(dialect: SqlDialect): Resolver {
  return ({ path, valueFilter }) => {
    if (path.key === 'members' || path.key.startsWith('members.')) return membersTarget(dialect, path.sub);
    if (valueFilter) return undefined;
    switch (path.key) {
      case 'id':
        return col(uuidText(dialect, 'g."id"'), 'ci-string', true);
      case 'externalid':
        return col('g."externalId"', 'string');
      case 'displayname':
        return col('g."nameKey"', 'ci-string', true);
      case 'meta.created':
        return col('g."createdAt"', 'datetime');
      case 'meta.lastmodified':
        return col('g."updatedAt"', 'datetime');
      case 'meta.resourcetype':
        return { kind: 'const', value: 'Group', type: 'ci-string' };
      default:
        return undefined;
    }
  };
}

const SORT_KEYS: Record<string, GroupSortKey> = {
  id: 'id',
  externalid: 'externalId',
  displayname: 'name',
  'meta.created': 'createdAt',
  'meta.lastmodified': 'updatedAt',
};

/** The `sortBy` parameter (RFC 7644 §3.4.2.3) as a sort key; creation order when absent. */
export function groupSortKey(sortBy: string | undefined): GroupSortKey {
  if (sortBy === undefined || sortBy.trim() === '') return 'createdAt';
  const key = SORT_KEYS[parseAttrPath(sortBy, ScimType.invalidValue, 'sortBy').key];
  if (!key) throw invalid(`sortBy: groups sort by displayName, externalId, id, meta.created or meta.lastModified, not '${sortBy}'`);
  return key;
}

const PROBE: Json = {
  schemas: [GROUP_SCHEMA],
  id: '',
  externalId: '',
  displayName: '',
  members: [{ value: '', display: '', $ref: '', type: '' }],
  meta: { resourceType: '', created: '', lastModified: '', location: '', version: '' },
};

/**
 * Whether the `attributes` / `excludedAttributes` lists leave anything of `members` in the answer, so
 * that a list without them (Okta's `excludedAttributes=members`) never reads memberships. Malformed
 * lists fail here, before any query.
 */
export function wantsMembers(q: ProjectionOptions): boolean {
  return 'members' in projectAttributes(PROBE, { attributes: q.attributes, excludedAttributes: q.excludedAttributes, extensions: [] });
}
