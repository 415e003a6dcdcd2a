import { ValidationOptions, registerDecorator } from 'class-validator';

const MAX_ORIGIN_LENGTH = 255;

/** True for a browser origin: `http(s)://host[:port]`, optionally with a trailing slash, nothing else. */
export function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_ORIGIN_LENGTH) return false;
  // No path, query, fragment, credentials or whitespace: an origin, not a URL (and never `*`).
  if (!/^https?:\/\/[^/?#@\s\\]+\/?$/i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

/** Canonical form kept and published: lowercase origins, no duplicates, sorted. */
export function normalizeOrigins(origins: string[]): string[] {
  return [...new Set(origins.map((o) => new URL(o).origin))].sort();
}

export function sameOrigins(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((o, i) => o === b[i]);
}

/** class-validator: the value (or each value with `each`) is a browser origin. */
export function IsOrigin(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isOrigin',
      target: target.constructor,
      propertyName,
      options: { message: `each value in ${propertyName} must be an origin such as https://app.example.com`, ...options },
      validator: { validate: (value: unknown) => isOrigin(value) },
    });
}
