import { likePattern } from '../scim/protocol';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from a path or body in canonical (lowercase) form, or undefined when it cannot be an id. */
export function canonicalId(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

/** The key names are unique by and searched by: NFC, lower-cased, so `Admins` and `admins` collide. */
export function nameKeyOf(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** A description as stored: trimmed, and an empty one is no description. */
export function descriptionOf(value: string | null | undefined): string | null {
  const d = value?.trim();
  return d ? d : null;
}

/** A `LIKE ... ESCAPE '\'` pattern matching keys that start with `prefix` literally. */
export function prefixPattern(prefix: string): string {
  return likePattern('sw', nameKeyOf(prefix));
}
