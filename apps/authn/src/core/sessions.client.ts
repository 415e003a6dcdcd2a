import {
  SESSIONS_INTERNAL_PATHS,
  type SessionCreateRequest,
  type SessionCreateResponse,
  type SessionRevokeUserResponse,
  type SessionView,
  isSessionToken,
  sessionInternalPath,
} from '@keyline/sessions-contracts';
import { InternalClient } from './internal-client';

/** The sessions service's internal API: the hot path of every signed-in request (one Redis round trip there). */
export class SessionsClient extends InternalClient {
  create(req: SessionCreateRequest): Promise<SessionCreateResponse> {
    return this.expect('POST', SESSIONS_INTERNAL_PATHS.create, req);
  }

  /** The live session of `token` (its idle expiry slides), or null: unknown, expired and revoked look alike. */
  async touch(token: string, ctx: { ip?: string | null; userAgent?: string | null }): Promise<SessionView | null> {
    if (!isSessionToken(token)) return null;
    const res = await this.call<SessionView>('POST', SESSIONS_INTERNAL_PATHS.touch, { token, ...clientOf(ctx) });
    if (res.status === 404 || res.status === 400) return null;
    if (res.status >= 300) throw InternalClient.problemOf(res as { status: number; body: unknown });
    return res.body;
  }

  async elevate(token: string, amr: string[], acr: string): Promise<SessionView | null> {
    const res = await this.call<SessionView>('POST', SESSIONS_INTERNAL_PATHS.elevate, { token, amr, acr });
    if (res.status === 404) return null;
    if (res.status >= 300) throw InternalClient.problemOf(res as { status: number; body: unknown });
    return res.body;
  }

  async revoke(token: string): Promise<void> {
    if (!isSessionToken(token)) return;
    await this.expect('POST', SESSIONS_INTERNAL_PATHS.revoke, { token });
  }

  async revokeById(tenantId: string, id: string): Promise<void> {
    await this.expect('DELETE', sessionInternalPath(id, tenantId));
  }

  revokeUser(tenantId: string, userId: string, exceptId?: string): Promise<SessionRevokeUserResponse> {
    return this.expect('POST', SESSIONS_INTERNAL_PATHS.revokeUser, { tenantId, userId, ...(exceptId ? { exceptId } : {}) });
  }
}

/** Only what the sessions API accepts: absent rather than null, user agents within its input bound. */
function clientOf(ctx: { ip?: string | null; userAgent?: string | null }): { ip?: string; userAgent?: string } {
  return {
    ...(ctx.ip ? { ip: ctx.ip } : {}),
    ...(ctx.userAgent ? { userAgent: ctx.userAgent.slice(0, 4096) } : {}),
  };
}
