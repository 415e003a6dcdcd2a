import type { FieldError } from '@keyline/platform-http';
import type { UserData } from '@keyline/directory-contracts';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { uniqueKeyOf, validateAttributes } from '../profile-schema/profile-schema.validator';
import type { UserProfileFieldsDto } from './dto/user-create.dto';
import { UserEntity, UserUniqueValueEntity } from './user.entity';
import { emailKey, nameKey, usernameKey } from './user.identifiers';
import type { UniqueChanges } from './user.store';

export const APP_METADATA_MAX_BYTES = 16 * 1024;

/** Plain profile fields: set as given, cleared by `null`. `enterprise` is the SCIM enterprise extension, replaced whole. */
const SIMPLE_FIELDS = ['email', 'emailVerified', 'phoneNumber', 'phoneNumberVerified', 'username', 'givenName', 'familyName', 'displayName', 'locale', 'picture', 'externalId', 'enterprise'] as const;

/** What a write may set: the API's fields, plus the SCIM enterprise extension (set through SCIM only). */
export type UserProfileInput = UserProfileFieldsDto & { enterprise?: Record<string, unknown> | null };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396 JSON merge patch of one object. */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = mergePatch(isObject(out[k]) ? (out[k] as Json) : {}, v);
    else out[k] = v;
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface ProfileChange {
  next: UserEntity;
  /** Changed field names: `email`, `attributes.plan`, `appMetadata.tier`. */
  changes: string[];
  errors: FieldError[];
  unique: UniqueChanges;
}

/**
 * Applies a create or a merge patch to a user (a fresh one on create) and checks the result: at least
 * one identifier, the tenant's attribute schema for what the write touched, the size of appMetadata.
 */
export function applyProfile(base: UserEntity, input: UserProfileInput, defs: AttributeDefinition[], mode: 'create' | 'update'): ProfileChange {
  const next = Object.assign(new UserEntity(), base);
  const changes: string[] = [];
  const errors: FieldError[] = [];
  const record = next as unknown as Json;
  for (const f of SIMPLE_FIELDS) {
    const v = input[f];
    if (v === undefined) continue;
    const value = v === null && (f === 'emailVerified' || f === 'phoneNumberVerified') ? false : v;
    if (!same(record[f], value)) {
      record[f] = value;
      changes.push(f);
    }
  }
  // A new or cleared identifier is no longer verified unless the same write says so.
  if (changes.includes('email') && input.emailVerified === undefined) next.emailVerified = false;
  if (changes.includes('phoneNumber') && input.phoneNumberVerified === undefined) next.phoneNumberVerified = false;
  if (next.email === null) next.emailVerified = false;
  if (next.phoneNumber === null) next.phoneNumberVerified = false;
  next.emailKey = next.email === null ? null : emailKey(next.email);
  next.phoneKey = next.phoneNumber;
  next.usernameKey = next.username === null ? null : usernameKey(next.username);
  next.givenNameKey = nameKey(next.givenName);
  next.familyNameKey = nameKey(next.familyName);
  if (next.email === null && next.phoneNumber === null && next.username === null) {
    errors.push({ field: 'email', message: 'a user needs at least one identifier: email, phoneNumber or username' });
  }

  const touched: string[] = [];
  if (input.attributes !== undefined) {
    const patch = input.attributes ?? Object.fromEntries(Object.keys(base.attributes).map((k) => [k, null]));
    next.attributes = mode === 'create' ? Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null)) : mergePatch(base.attributes, patch);
    for (const name of Object.keys(patch)) {
      touched.push(name);
      if (!same(base.attributes[name], next.attributes[name])) changes.push(`attributes.${name}`);
    }
  }
  errors.push(...validateAttributes(defs, next.attributes, touched, mode));

  if (input.appMetadata !== undefined) {
    const patch = input.appMetadata ?? Object.fromEntries(Object.keys(base.appMetadata).map((k) => [k, null]));
    next.appMetadata = mergePatch(base.appMetadata, patch);
    for (const k of new Set([...Object.keys(base.appMetadata), ...Object.keys(next.appMetadata)])) {
      if (!same(base.appMetadata[k], next.appMetadata[k])) changes.push(`appMetadata.${k}`);
    }
    if (Buffer.byteLength(JSON.stringify(next.appMetadata)) > APP_METADATA_MAX_BYTES) {
      errors.push({ field: 'appMetadata', message: `appMetadata must be at most ${APP_METADATA_MAX_BYTES} bytes as JSON` });
    }
  }

  return { next, changes, errors, unique: uniqueChanges(base, next, defs, mode) };
}

/** Index rows to drop and add for unique attributes whose value changed. */
export function uniqueChanges(base: UserEntity, next: UserEntity, defs: AttributeDefinition[], mode: 'create' | 'update'): UniqueChanges {
  const remove: string[] = [];
  const add: UserUniqueValueEntity[] = [];
  for (const d of defs) {
    if (!d.unique) continue;
    const before = mode === 'create' ? undefined : uniqueKeyOf(d, base.attributes[d.name]);
    const after = uniqueKeyOf(d, next.attributes[d.name]);
    if (before === after) continue;
    if (before !== undefined) remove.push(d.name);
    if (after !== undefined) add.push({ tenantId: next.tenantId, attribute: d.name, valueKey: after, userId: next.id });
  }
  return { remove, add };
}

/** Attributes other contexts may see in events: not `sensitive`, and still in the schema. */
export function userData(u: UserEntity, defs: AttributeDefinition[]): UserData {
  const visible = new Set(defs.filter((d) => d.sensitivity !== 'sensitive').map((d) => d.name));
  return {
    id: u.id,
    tenantId: u.tenantId,
    email: u.email,
    emailVerified: u.emailVerified,
    phoneNumber: u.phoneNumber,
    phoneNumberVerified: u.phoneNumberVerified,
    username: u.username,
    givenName: u.givenName,
    familyName: u.familyName,
    displayName: u.displayName,
    locale: u.locale,
    picture: u.picture,
    status: u.status,
    attributes: Object.fromEntries(Object.entries(u.attributes).filter(([k]) => visible.has(k))),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** A user without any profile yet: what `applyProfile(..., 'create')` starts from (API create, imports). */
export function blankUser(id: string, tenantId: string, now: Date, status: UserEntity['status'] = 'active'): UserEntity {
  return Object.assign(new UserEntity(), {
    id,
    tenantId,
    email: null,
    emailKey: null,
    emailVerified: false,
    phoneNumber: null,
    phoneKey: null,
    phoneNumberVerified: false,
    username: null,
    usernameKey: null,
    externalId: null,
    givenName: null,
    familyName: null,
    displayName: null,
    givenNameKey: null,
    familyNameKey: null,
    locale: null,
    picture: null,
    status,
    attributes: {},
    appMetadata: {},
    enterprise: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    deletedAt: null,
  } satisfies UserEntity);
}
