import { SESSION_NOT_FOUND, sessionIdOf } from '@keyline/sessions-contracts';
import { SessionsException } from './sessions.exception';
import { SessionsService } from './sessions.service';
import { NewSession, SessionRecord, SessionsStore } from './sessions.store';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** An in-memory stand-in that records what the service asks of the store. */
function fakeStore(known = new Map<string, SessionRecord>()) {
  const calls: unknown[][] = [];
  const store = {
    create: async (id: string, s: NewSession) => {
      calls.push(['create', id, s]);
      const r: SessionRecord = {
        id,
        tenantId: s.tenantId,
        userId: s.userId,
        createdAt: T0,
        lastSeenAt: T0,
        idleExpiresAt: T0 + s.idleTtlMs,
        expiresAt: T0 + s.absoluteTtlMs,
        idleTtlMs: s.idleTtlMs,
        amr: s.amr,
        acr: s.acr,
        ip: s.ip ?? null,
        userAgent: s.userAgent ?? null,
        lastIp: s.ip ?? null,
        lastUserAgent: s.userAgent ?? null,
        clients: s.clientId ? [s.clientId] : [],
      };
      known.set(id, r);
      return r;
    },
    touch: async (id: string, seen: unknown) => {
      calls.push(['touch', id, seen]);
      return known.get(id) ?? null;
    },
    elevate: async (id: string, amr: string[], acr: string) => {
      calls.push(['elevate', id, amr, acr]);
      return known.get(id) ?? null;
    },
    revoke: async (id: string, tenantId?: string) => {
      calls.push(['revoke', id, tenantId]);
      return known.delete(id);
    },
  };
  return { calls, store: store as unknown as SessionsStore };
}

const request = {
  tenantId: 't',
  userId: 'u',
  amr: ['pwd', 'otp', 'pwd'],
  acr: 'urn:keyline:acr:mfa',
  ip: '203.0.113.7',
  userAgent: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 ${'x'.repeat(600)}`,
  idleTtlMs: 60_000,
  absoluteTtlMs: 3_600_000,
};

describe('SessionsService', () => {
  it('hands out a kls_ token once and stores the session under its hash, amr deduplicated, user agent capped', async () => {
    const { calls, store } = fakeStore();
    const { token, session } = await new SessionsService(store).create(request);
    expect(token).toMatch(/^kls_[A-Za-z0-9_-]{43}$/);
    expect(session.id).toBe(sessionIdOf(token));
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = calls[0][2] as NewSession;
    expect(stored.amr).toEqual(['pwd', 'otp']);
    expect(stored.userAgent).toHaveLength(512);
    expect(JSON.stringify(calls)).not.toContain(token);
    expect(session).toEqual(
      expect.objectContaining({
        createdAt: new Date(T0).toISOString(),
        idleExpiresAt: new Date(T0 + 60_000).toISOString(),
        expiresAt: new Date(T0 + 3_600_000).toISOString(),
        device: 'Chrome on macOS',
        clients: [],
        lastIp: '203.0.113.7',
      }),
    );
  });

  it('answers session_not_found for unknown tokens, and never asks the store about malformed ones', async () => {
    const { calls, store } = fakeStore();
    const service = new SessionsService(store);
    for (const attempt of [() => service.touch(`kls_${'a'.repeat(43)}`, {}), () => service.elevate('kls_short', ['otp'], 'acr')]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionsException);
      expect((err as SessionsException).toBody()).toEqual(expect.objectContaining({ status: 404, code: SESSION_NOT_FOUND }));
    }
    await service.revoke('not-a-token');
    expect(calls.map((c) => c[0])).toEqual(['touch']);
  });

  it('touches and revokes by the hash of the token', async () => {
    const { calls, store } = fakeStore();
    const service = new SessionsService(store);
    const { token } = await service.create(request);
    await expect(service.touch(token, { ip: '198.51.100.1' })).resolves.toEqual(expect.objectContaining({ id: sessionIdOf(token) }));
    await service.revoke(token);
    await expect(service.touch(token, {})).rejects.toBeInstanceOf(SessionsException);
    expect(calls.slice(1).map((c) => [c[0], c[1]])).toEqual([
      ['touch', sessionIdOf(token)],
      ['revoke', sessionIdOf(token)],
      ['touch', sessionIdOf(token)],
    ]);
  });
});
