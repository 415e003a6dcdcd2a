/** `api-key.created` (exact), `api-key.` / `api-key.*` / `api-key*` (prefix) or `*` (everything). */
export const TYPE_FILTER_PATTERN = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9][A-Za-z0-9_-]*)*(?:\.\*?|\*)?)$/;

export type TypeFilter = { exact: string } | { prefix: string };

/** Reads a validated `type` query value; undefined means no filter. */
export function parseTypeFilter(raw: string | undefined): TypeFilter | undefined {
  if (raw === undefined) return undefined;
  const prefix = raw.endsWith('*') ? raw.slice(0, -1) : raw.endsWith('.') ? raw : undefined;
  if (prefix === undefined) return { exact: raw };
  return prefix ? { prefix } : undefined;
}

/**
 * The smallest string greater than every string starting with `prefix` (byte-wise), so that a prefix
 * match is the index range `[prefix, upper)`. Validated prefixes are ASCII, so the last character is
 * never the largest code unit.
 */
export function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
