import { timingSafeEqual } from 'node:crypto';

/** Headers between the gateway and the services. Clients can never set them: the gateway strips them. */
export const INTERNAL_TOKEN_HEADER = 'x-keyline-internal-token';
export const PRINCIPAL_HEADER = 'x-keyline-principal';

/** Who is calling, as authenticated by the gateway. */
export type Principal =
  | { kind: 'platform'; keyId: string; scopes: string[] }
  | { kind: 'tenant'; keyId: string; tenantId: string; tenantSlug: string; scopes: string[] };

export function encodePrincipal(p: Principal): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

export function decodePrincipal(header: unknown): Principal | undefined {
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  try {
    const p = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Principal;
    if (!p || (p.kind !== 'platform' && p.kind !== 'tenant') || !Array.isArray(p.scopes)) return undefined;
    if (p.kind === 'tenant' && (typeof p.tenantId !== 'string' || typeof p.tenantSlug !== 'string')) return undefined;
    return p;
  } catch {
    return undefined;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** `admin` allows everything within its tenant; otherwise the exact scope is needed. */
export function hasScope(p: Principal, scope: string): boolean {
  if (p.kind === 'platform') return true;
  return p.scopes.includes('admin') || p.scopes.includes(scope);
}

/** Actor string recorded in events and audit: `api-key:<id>` or `platform-admin:<id>`. */
export function actorOf(p: Principal): string {
  return p.kind === 'platform' ? `platform-admin:${p.keyId}` : `api-key:${p.keyId}`;
}
