/** A permission: lowercase letters, digits and `:._-`, starting with a letter or digit (`invoices:read`). */
export const PERMISSION_PATTERN = /^[a-z0-9][a-z0-9:._-]{0,127}$/;
export const MAX_PERMISSIONS = 100;

/** Canonical form kept and published: without duplicates, sorted. */
export function normalizePermissions(permissions: string[]): string[] {
  return [...new Set(permissions)].sort();
}

export function samePermissions(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
