import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import type { UserEntity } from '../users/user.entity';
import type { UserProfileInput } from '../users/user.profile';
import { ENTERPRISE_USER_SCHEMA, ScimException, ScimType, USER_SCHEMA, findKey, isPlainObject } from './protocol';
import { ENTERPRISE_STRINGS, KEYLINE_USER_SCHEMA } from './scim.constants';

export interface GroupRef {
  id: string;
  name: string;
}

type Json = Record<string, unknown>;

const iso = (d: Date) => d.toISOString();

/** A user as a SCIM User resource (RFC 7643 §4.1), with the enterprise and Keyline profile extensions. */
export function toScimUser(u: UserEntity, groups: GroupRef[], baseUrl: string): Json {
  const schemas = [USER_SCHEMA];
  const out: Json = { schemas, id: u.id };
  if (u.externalId !== null) out.externalId = u.externalId;
  // userName is required by SCIM; users made through the API without a username go by their email or phone.
  out.userName = u.username ?? u.email ?? u.phoneNumber ?? u.id;
  const name: Json = {};
  if (u.givenName !== null) name.givenName = u.givenName;
  if (u.familyName !== null) name.familyName = u.familyName;
  if (u.givenName !== null || u.familyName !== null) name.formatted = [u.givenName, u.familyName].filter((x) => x !== null).join(' ');
  if (Object.keys(name).length) out.name = name;
  if (u.displayName !== null) out.displayName = u.displayName;
  if (u.locale !== null) {
    out.locale = u.locale;
    out.preferredLanguage = u.locale;
  }
  out.active = u.status === 'active';
  if (u.email !== null) out.emails = [{ value: u.email, type: 'work', primary: true }];
  if (u.phoneNumber !== null) out.phoneNumbers = [{ value: u.phoneNumber, type: 'mobile', primary: true }];
  if (u.picture !== null) out.photos = [{ value: u.picture, type: 'photo' }];
  if (groups.length) out.groups = groups.map((g) => ({ value: g.id, display: g.name, $ref: `${baseUrl}/Groups/${g.id}`, type: 'direct' }));
  if (u.enterprise && Object.keys(u.enterprise).length) {
    schemas.push(ENTERPRISE_USER_SCHEMA);
    out[ENTERPRISE_USER_SCHEMA] = u.enterprise;
  }
  if (Object.keys(u.attributes).length) {
    schemas.push(KEYLINE_USER_SCHEMA);
    out[KEYLINE_USER_SCHEMA] = u.attributes;
  }
  out.meta = { resourceType: 'User', created: iso(u.createdAt), lastModified: iso(u.updatedAt), location: `${baseUrl}/Users/${u.id}`, version: `W/"${u.version}"` };
  return out;
}

const invalid = (detail: string) => new ScimException(400, detail, ScimType.invalidValue);

function get(obj: Json, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

function optionalString(obj: Json, name: string, label = name): string | null {
  const v = get(obj, name);
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(`${label} must be a string`);
  return v;
}

/** The value a client marked primary, else the one of `preferType`, else the first. */
function pick(list: unknown, label: string, preferType: string): string | null {
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) throw invalid(`${label} must be a list`);
  const items = list.filter(isPlainObject);
  const chosen = items.find((i) => get(i, 'primary') === true) ?? items.find((i) => String(get(i, 'type') ?? '').toLowerCase() === preferType) ?? items[0];
  if (!chosen) return null;
  return optionalString(chosen, 'value', `${label}.value`);
}

function asBoolean(v: unknown, label: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  // Entra ID sends "True"/"False".
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalid(`${label} must be a boolean`);
}

function enterpriseOf(resource: Json): Json | null {
  const ext = get(resource, ENTERPRISE_USER_SCHEMA);
  if (ext === undefined || ext === null) return null;
  if (!isPlainObject(ext)) throw invalid(`${ENTERPRISE_USER_SCHEMA} must be an object`);
  const out: Json = {};
  for (const name of ENTERPRISE_STRINGS) {
    const v = optionalString(ext, name, `${ENTERPRISE_USER_SCHEMA}:${name}`);
    if (v !== null) {
      if (v.length > 256) throw invalid(`${ENTERPRISE_USER_SCHEMA}:${name} must be at most 256 characters`);
      out[name] = v;
    }
  }
  const manager = get(ext, 'manager');
  if (manager !== undefined && manager !== null && manager !== '') {
    // Entra ID sends the manager as a bare id string in PATCH; SCIM defines an object.
    const m: Json = typeof manager === 'string' ? { value: manager } : isPlainObject(manager) ? manager : {};
    const value = optionalString(m, 'value', 'manager.value');
    if (value !== null) {
      if (value.length > 255) throw invalid('manager.value must be at most 255 characters');
      out.manager = { value, ...(typeof get(m, 'displayName') === 'string' ? { displayName: get(m, 'displayName') } : {}) };
    }
  }
  return Object.keys(out).length ? out : null;
}

/**
 * A SCIM User resource as a complete profile: every field Keyline maps, `null` where the resource has
 * nothing, so that applying it replaces the user's profile (PUT, and the result of a PATCH).
 */
export function fromScimUser(resource: unknown, defs: AttributeDefinition[]): UserProfileInput & { status?: 'active' | 'suspended'; password?: string } {
  if (!isPlainObject(resource)) throw new ScimException(400, 'The body must be a SCIM User object', ScimType.invalidSyntax);
  const userName = optionalString(resource, 'userName');
  if (userName === null) throw invalid('userName is required');
  const name = get(resource, 'name');
  if (name !== undefined && name !== null && !isPlainObject(name)) throw invalid('name must be an object');
  const n = (name ?? {}) as Json;
  const active = asBoolean(get(resource, 'active'), 'active');
  const photos = get(resource, 'photos');
  const custom = get(resource, KEYLINE_USER_SCHEMA);
  if (custom !== undefined && custom !== null && !isPlainObject(custom)) throw invalid(`${KEYLINE_USER_SCHEMA} must be an object`);
  // Attribute names are case-insensitive in SCIM: map them onto the schema's spelling.
  const attributes: Json = {};
  for (const [k, v] of Object.entries((custom ?? {}) as Json)) {
    const def = defs.find((d) => d.name.toLowerCase() === k.toLowerCase());
    attributes[def?.name ?? k] = v;
  }
  const password = get(resource, 'password');
  if (password !== undefined && typeof password !== 'string') throw invalid('password must be a string');
  return {
    username: userName,
    externalId: optionalString(resource, 'externalId'),
    givenName: optionalString(n, 'givenName', 'name.givenName'),
    familyName: optionalString(n, 'familyName', 'name.familyName'),
    displayName: optionalString(resource, 'displayName'),
    locale: optionalString(resource, 'locale') ?? optionalString(resource, 'preferredLanguage'),
    email: pick(get(resource, 'emails'), 'emails', 'work'),
    phoneNumber: pick(get(resource, 'phoneNumbers'), 'phoneNumbers', 'mobile'),
    picture: pick(photos, 'photos', 'photo'),
    enterprise: enterpriseOf(resource),
    attributes,
    ...(active === undefined ? {} : { status: active ? 'active' : 'suspended' }),
    ...(typeof password === 'string' ? { password } : {}),
  };
}
