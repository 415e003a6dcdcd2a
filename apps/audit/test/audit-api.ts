import type { AuditEventDto, AuditEventPageDto } from '@keyline/audit-contracts';
import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, Principal, encodePrincipal } from '@keyline/platform-http';

export interface Res<T> {
  status: number;
  contentType: string | null;
  body: T;
}

/** Calls a service directly, with the headers the gateway would set after authenticating a key. */
export function serviceClient(baseUrl: string, internalToken: string) {
  return async function call<T = unknown>(path: string, principal?: Principal, init: RequestInit = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { [INTERNAL_TOKEN_HEADER]: internalToken };
    if (principal) headers[PRINCIPAL_HEADER] = encodePrincipal(principal);
    const r = await fetch(baseUrl + path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
    const text = await r.text();
    return { status: r.status, contentType: r.headers.get('content-type'), body: (text ? JSON.parse(text) : undefined) as T };
  };
}

export const tenantPrincipal = (tenantId: string, scopes: string[] = ['audit:read'], keyId = 'test-key'): Principal => ({
  kind: 'tenant',
  keyId,
  tenantId,
  tenantSlug: `slug-${tenantId.slice(0, 8)}`,
  scopes,
});

/** Every audit event of the tenant, following cursors. */
export async function readAllAuditEvents(
  call: ReturnType<typeof serviceClient>,
  principal: Principal,
  query = 'order=asc&limit=200',
): Promise<AuditEventDto[]> {
  const items: AuditEventDto[] = [];
  let cursor: string | null = null;
  do {
    const page: Res<AuditEventPageDto> = await call<AuditEventPageDto>(
      `/v1/audit/events?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      principal,
    );
    if (page.status !== 200) throw new Error(`audit answered ${page.status}: ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}
