/**
 * Defence in depth: producers must never put secrets into events, but the audit log keeps data for a
 * long time and shows it to every key with `audit:read`, so anything that looks like a secret is
 * removed before it is stored.
 */
const SECRET_WORDS = new Set([
  'key',
  'keys',
  'secret',
  'secrets',
  'password',
  'passwd',
  'passphrase',
  'hash',
  'token',
  'tokens',
  'salt',
  'credential',
  'credentials',
  'authorization',
]);

/** Whole API keys (`kl_` / `kl_admin_` and a long random part); a short display prefix is kept. */
const API_KEY_VALUE = /\bkl_(?:admin_)?[A-Za-z0-9_-]{20,}/g;
const MAX_DEPTH = 16;

/** Words of a field name: `clientSecret`, `client_secret` and `client-secret` all end in `secret`. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * A field is secret-looking when its name, or its last word, is a secret word: `key`, `apiKey`,
 * `keyHash`, `passwordHash`, `accessToken`, `client_secret`. `keyId` or `tokenEndpoint` stay.
 */
export function isSecretField(name: string): boolean {
  const w = words(name);
  return w.length > 0 && SECRET_WORDS.has(w[w.length - 1]);
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.replace(API_KEY_VALUE, '[redacted]');
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!isSecretField(k)) out[k] = clean(v, depth + 1);
  }
  return out;
}

/** A copy of an event's data without secret-looking fields or API key values, at any depth. */
export function redactSecrets(data: Record<string, unknown>): Record<string, unknown> {
  return clean(data, 0) as Record<string, unknown>;
}
