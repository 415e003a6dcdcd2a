import { Injectable } from '@nestjs/common';
import { SESSION_LIMITS, SessionCreateRequest, SessionCreateResponse, SessionView, isSessionToken, sessionIdOf } from '@keyline/sessions-contracts';
import { deviceName } from './device-name';
import { newSessionToken } from './session-token';
import { sessionNotFound } from './sessions.exception';
import { SessionRecord, SessionSeen, SessionsStore } from './sessions.store';

const iso = (ms: number) => new Date(ms).toISOString();
const userAgentOf = (ua: string | undefined) => (ua ? ua.slice(0, SESSION_LIMITS.userAgentMaxLength) : undefined);
const unique = (xs: string[]) => [...new Set(xs)];

export function toSessionView(r: SessionRecord): SessionView {
  return {
    id: r.id,
    tenantId: r.tenantId,
    userId: r.userId,
    createdAt: iso(r.createdAt),
    lastSeenAt: iso(r.lastSeenAt),
    idleExpiresAt: iso(r.idleExpiresAt),
    expiresAt: iso(r.expiresAt),
    amr: r.amr,
    acr: r.acr,
    ip: r.ip,
    userAgent: r.userAgent,
    lastIp: r.lastIp,
    lastUserAgent: r.lastUserAgent,
    device: deviceName(r.userAgent ?? r.lastUserAgent),
    clients: r.clients,
  };
}

/** SSO sessions: the token is handed out once; everything after works on its hash. */
@Injectable()
export class SessionsService {
  constructor(private readonly store: SessionsStore) {}

  async create(req: SessionCreateRequest): Promise<SessionCreateResponse> {
    const token = newSessionToken();
    const record = await this.store.create(sessionIdOf(token), {
      ...req,
      amr: unique(req.amr),
      userAgent: userAgentOf(req.userAgent),
    });
    return { token, session: toSessionView(record) };
  }

  async touch(token: string, seen: SessionSeen): Promise<SessionView> {
    if (!isSessionToken(token)) throw sessionNotFound();
    const record = await this.store.touch(sessionIdOf(token), { ...seen, userAgent: userAgentOf(seen.userAgent) });
    if (!record) throw sessionNotFound();
    return toSessionView(record);
  }

  async elevate(token: string, amr: string[], acr: string): Promise<SessionView> {
    if (!isSessionToken(token)) throw sessionNotFound();
    const record = await this.store.elevate(sessionIdOf(token), unique(amr), acr);
    if (!record) throw sessionNotFound();
    return toSessionView(record);
  }

  async revoke(token: string): Promise<void> {
    if (isSessionToken(token)) await this.store.revoke(sessionIdOf(token));
  }

  async revokeInTenant(tenantId: string, id: string): Promise<void> {
    await this.store.revoke(id, tenantId);
  }

  revokeUser(tenantId: string, userId: string, exceptId?: string): Promise<number> {
    return this.store.revokeUser(tenantId, userId, exceptId);
  }

  async list(tenantId: string, userId: string): Promise<SessionView[]> {
    return (await this.store.listByUser(tenantId, userId)).map(toSessionView);
  }
}
