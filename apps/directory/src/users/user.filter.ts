import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { ENTERPRISE_USER_SCHEMA, ResolveRequest, Resolver, ScimException, ScimType, SqlColumn, SqlContext, SqlDialect, SqlTarget } from '../scim/protocol';
import { KEYLINE_USER_SCHEMA } from '../scim/scim.constants';

/**
 * Filter targets of users, for SCIM (`userName`, `emails.value`, the enterprise and profile
 * extensions) and for `GET /v1/users?filter=` (the API's own names: `email`, `attributes.plan`).
 * Every target is a column or JSON path of the users table aliased `u`; values are always bound.
 */
export type UserFilterNaming = 'scim' | 'api';

const col = (expr: string, type: SqlColumn['type'], lowerExpr = false): SqlColumn => ({ kind: 'column', expr, type, lowerExpr });

/** A JSON member of a text column, typed; a value of another JSON type reads as NULL instead of failing a cast. */
function jsonMember(dialect: SqlDialect, column: string, path: string[], type: SqlColumn['type']): SqlColumn {
  if (dialect === 'sqlite') {
    const expr = `json_extract(u."${column}", '$.${path.join('.')}')`;
    const guarded = type === 'number' ? `(CASE WHEN json_type(u."${column}", '$.${path.join('.')}') IN ('integer','real') THEN ${expr} END)`
      : type === 'boolean' ? `(CASE WHEN json_type(u."${column}", '$.${path.join('.')}') IN ('true','false') THEN ${expr} END)`
      : `(CASE WHEN json_type(u."${column}", '$.${path.join('.')}') = 'text' THEN ${expr} END)`;
    return col(guarded, type);
  }
  const json = `(u."${column}"::jsonb)${path.slice(0, -1).map((p) => ` -> '${p}'`).join('')}`;
  const last = path[path.length - 1];
  const jsonType = type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : 'string';
  const cast = type === 'number' ? '::numeric' : type === 'boolean' ? '::boolean' : '';
  return col(`(CASE WHEN jsonb_typeof(${json} -> '${last}') = '${jsonType}' THEN (${json} ->> '${last}')${cast} END)`, type);
}

/** `tags eq "x"` on a string list: any item equals. Other operators are refused. */
function listContains(dialect: SqlDialect, name: string): SqlTarget {
  return {
    kind: 'custom',
    sql: (ctx: SqlContext) => {
      if (ctx.op === 'pr') {
        return dialect === 'sqlite'
          ? `(json_type(u."attributes", '$.${name}') = 'array' AND json_array_length(u."attributes", '$.${name}') > 0)`
          : `(jsonb_typeof((u."attributes"::jsonb) -> '${name}') = 'array' AND jsonb_array_length((u."attributes"::jsonb) -> '${name}') > 0)`;
      }
      if (ctx.op !== 'eq' || typeof ctx.value !== 'string') {
        throw new ScimException(400, `Invalid filter: ${name} is a list of strings; only eq with a string and pr apply`, ScimType.invalidFilter);
      }
      const p = ctx.param(ctx.value);
      return dialect === 'sqlite'
        ? `EXISTS (SELECT 1 FROM json_each(u."attributes", '$.${name}') WHERE json_each.value = ${p})`
        : `(jsonb_typeof((u."attributes"::jsonb) -> '${name}') = 'array' AND ((u."attributes"::jsonb) -> '${name}') ? ${p})`;
    },
  };
}

function customAttribute(dialect: SqlDialect, d: AttributeDefinition): SqlTarget {
  switch (d.type) {
    case 'number':
      return jsonMember(dialect, 'attributes', [d.name], 'number');
    case 'boolean':
      return jsonMember(dialect, 'attributes', [d.name], 'boolean');
    case 'string-list':
      return listContains(dialect, d.name);
    default:
      // Dates are YYYY-MM-DD text: ordered as text, they are ordered in time.
      return jsonMember(dialect, 'attributes', [d.name], d.type === 'string' || d.type === 'enum' ? 'ci-string' : 'string');
  }
}

/** `active`: the status column, so `active eq false` finds suspended users. */
const ACTIVE: SqlTarget = {
  kind: 'custom',
  sql: (ctx) => {
    if (ctx.op === 'pr') return '1=1';
    if ((ctx.op !== 'eq' && ctx.op !== 'ne') || typeof ctx.value !== 'boolean') {
      throw new ScimException(400, 'Invalid filter: active is a boolean; only eq and ne with true or false apply', ScimType.invalidFilter);
    }
    return (ctx.value === true) === (ctx.op === 'eq') ? `u."status" = 'active'` : `u."status" <> 'active'`;
  },
};

/** SCIM's userName is the username, or the email for users who have none (what the resource shows). */
const USER_NAME: SqlTarget = {
  kind: 'custom',
  sql: (ctx) => {
    // The common lookup (`userName eq "..."`, what provisioning clients send first) stays on the two unique indexes.
    if (ctx.op === 'eq' && typeof ctx.value === 'string') {
      const p = ctx.param(ctx.value.normalize('NFKC').toLowerCase());
      return `(u."usernameKey" = ${p} OR (u."usernameKey" IS NULL AND u."emailKey" = ${p}))`;
    }
    return ctx.compare(col(`COALESCE(u."usernameKey", u."emailKey")`, 'ci-string', true));
  },
};

function idColumn(dialect: SqlDialect): SqlColumn {
  return col(dialect === 'postgres' ? 'CAST(u."id" AS text)' : 'u."id"', 'string');
}

const ENTERPRISE_PATHS: Record<string, string[]> = {
  employeenumber: ['employeeNumber'],
  costcenter: ['costCenter'],
  organization: ['organization'],
  division: ['division'],
  department: ['department'],
  'manager.value': ['manager', 'value'],
  manager: ['manager', 'value'],
  'manager.displayname': ['manager', 'displayName'],
};

function scimTarget(dialect: SqlDialect, defs: AttributeDefinition[], req: ResolveRequest): SqlTarget | undefined {
  const key = req.path.key;
  const enterprise = ENTERPRISE_USER_SCHEMA.toLowerCase() + ':';
  const keyline = KEYLINE_USER_SCHEMA.toLowerCase() + ':';
  if (key.startsWith(enterprise)) {
    const path = ENTERPRISE_PATHS[key.slice(enterprise.length)];
    return path ? jsonMember(dialect, 'enterprise', path, 'ci-string') : undefined;
  }
  if (key.startsWith(keyline)) {
    const d = defs.find((x) => x.name.toLowerCase() === key.slice(keyline.length));
    return d ? customAttribute(dialect, d) : undefined;
  }
  if (req.valueFilter) {
    // emails[type eq "work"], phoneNumbers[...]: the single stored value, with its fixed type and primary flag.
    const sub = (value: SqlColumn, type: string): Resolver => (r) =>
      r.path.key === 'value' ? value : r.path.key === 'type' ? { kind: 'const', value: type, type: 'ci-string' } : r.path.key === 'primary' ? { kind: 'const', value: true, type: 'boolean' } : undefined;
    const target = key === 'emails' ? col('u."emailKey"', 'ci-string', true) : key === 'phonenumbers' ? col('u."phoneKey"', 'string') : undefined;
    if (!target) return undefined;
    const inner = sub(target, key === 'emails' ? 'work' : 'mobile');
    return { kind: 'custom', sql: (ctx) => `(${target.expr} IS NOT NULL AND ${ctx.compile(req.valueFilter!, inner)})` };
  }
  switch (key) {
    case 'id':
      return idColumn(dialect);
    case 'username':
      return USER_NAME;
    case 'externalid':
      return col('u."externalId"', 'string');
    case 'name.givenname':
      return col('u."givenNameKey"', 'ci-string', true);
    case 'name.familyname':
      return col('u."familyNameKey"', 'ci-string', true);
    case 'displayname':
      return col('u."displayName"', 'ci-string');
    case 'emails':
    case 'emails.value':
      return col('u."emailKey"', 'ci-string', true);
    case 'phonenumbers':
    case 'phonenumbers.value':
      return col('u."phoneKey"', 'string');
    case 'active':
      return ACTIVE;
    case 'locale':
    case 'preferredlanguage':
      return col('u."locale"', 'ci-string');
    case 'meta.created':
      return col('u."createdAt"', 'datetime');
    case 'meta.lastmodified':
      return col('u."updatedAt"', 'datetime');
    default:
      return undefined;
  }
}

function apiTarget(dialect: SqlDialect, defs: AttributeDefinition[], req: ResolveRequest): SqlTarget | undefined {
  const key = req.path.key;
  if (key.startsWith('attributes.')) {
    const d = defs.find((x) => x.name.toLowerCase() === key.slice('attributes.'.length));
    return d ? customAttribute(dialect, d) : undefined;
  }
  if (key.startsWith('appmetadata.') && /^appmetadata\.[a-z0-9_]{1,64}$/.test(key)) {
    const name = req.path.sub ?? key.slice('appmetadata.'.length);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) return undefined;
    const type = typeof req.value === 'number' ? 'number' : typeof req.value === 'boolean' ? 'boolean' : 'string';
    return jsonMember(dialect, 'appMetadata', [name], type);
  }
  switch (key) {
    case 'id':
      return idColumn(dialect);
    case 'email':
      return col('u."emailKey"', 'ci-string', true);
    case 'emailverified':
      return col('u."emailVerified"', 'boolean');
    case 'phonenumber':
      return col('u."phoneKey"', 'string');
    case 'phonenumberverified':
      return col('u."phoneNumberVerified"', 'boolean');
    case 'username':
      return col('u."usernameKey"', 'ci-string', true);
    case 'givenname':
      return col('u."givenNameKey"', 'ci-string', true);
    case 'familyname':
      return col('u."familyNameKey"', 'ci-string', true);
    case 'displayname':
      return col('u."displayName"', 'ci-string');
    case 'locale':
      return col('u."locale"', 'ci-string');
    case 'externalid':
      return col('u."externalId"', 'string');
    case 'status':
      return col('u."status"', 'string');
    case 'createdat':
      return col('u."createdAt"', 'datetime');
    case 'updatedat':
      return col('u."updatedAt"', 'datetime');
    case 'lastloginat':
      return col('u."lastLoginAt"', 'datetime');
    default:
      return undefined;
  }
}

export function userFilterResolver(dialect: SqlDialect, defs: AttributeDefinition[], naming: UserFilterNaming): Resolver {
  return (req) => (naming === 'scim' ? scimTarget(dialect, defs, req) : apiTarget(dialect, defs, req));
}

/** SCIM `sortBy` of users: an ORDER BY expression, or a 400 for what cannot be sorted on. */
export function userSortExpression(sortBy: string): string {
  switch (sortBy.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/, '')) {
    case 'username':
      return 'COALESCE(u."usernameKey", u."emailKey")';
    case 'name.familyname':
      return 'u."familyNameKey"';
    case 'name.givenname':
      return 'u."givenNameKey"';
    case 'displayname':
      return 'u."displayName"';
    case 'emails':
    case 'emails.value':
      return 'u."emailKey"';
    case 'externalid':
      return 'u."externalId"';
    case 'meta.created':
      return 'u."createdAt"';
    case 'meta.lastmodified':
      return 'u."updatedAt"';
    case 'id':
      return 'u."id"';
    default:
      throw new ScimException(400, `Cannot sort by ${sortBy}`, ScimType.invalidValue);
  }
}
