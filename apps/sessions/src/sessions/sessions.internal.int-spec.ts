import { randomBytes, randomUUID } from 'node:crypto';
import { INTERNAL_TOKEN_HEADER } from '@keyline/platform-http';
import { ServiceProcess, expectProblem, httpCall, startServiceProcess, testRedisDb } from '@keyline/platform-testing';
import {
  SESSIONS_INTERNAL_PATHS as PATHS,
  SessionCreateRequest,
  SessionCreateResponse,
  SessionListResponse,
  SessionRevokeUserResponse,
  SessionView,
  sessionIdOf,
  sessionInternalPath,
} from '@keyline/sessions-contracts';

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('sessions internal API (service process, real Redis)', () => {
  const internalToken = randomBytes(24).toString('base64url');
  let svc: ServiceProcess;

  beforeAll(async () => {
    svc = await startServiceProcess('sessions', { REDIS_URL: testRedisDb(), INTERNAL_TOKEN: internalToken });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const call = <T = Record<string, unknown>>(method: string, path: string, json?: unknown, token: string | null = internalToken) =>
    httpCall<T>(svc.url, method, path, { json, headers: token === null ? {} : { [INTERNAL_TOKEN_HEADER]: token } });

  const request = (over: Partial<SessionCreateRequest> = {}): SessionCreateRequest => ({
    tenantId: randomUUID(),
    userId: randomUUID(),
    amr: ['pwd'],
    acr: 'urn:keyline:acr:password',
    ip: '203.0.113.7',
    userAgent: CHROME_MAC,
    idleTtlMs: 30 * 60_000,
    absoluteTtlMs: 24 * 3600_000,
    ...over,
  });
  const create = async (over: Partial<SessionCreateRequest> = {}) => {
    const res = await call<SessionCreateResponse>('POST', PATHS.create, request(over));
    expect(res.status).toBe(201);
    return res.body;
  };

  it('refuses every internal route without the internal token, or with a wrong one', async () => {
    const tenantId = randomUUID();
    const attempts: [string, string, unknown?][] = [
      ['POST', PATHS.create, request()],
      ['POST', PATHS.touch, { token: `kls_${'a'.repeat(43)}` }],
      ['POST', PATHS.revoke, { token: `kls_${'a'.repeat(43)}` }],
      ['GET', `${PATHS.list}?tenantId=${tenantId}&userId=${randomUUID()}`],
      ['DELETE', sessionInternalPath('a'.repeat(43), tenantId)],
    ];
    for (const [method, path, body] of attempts) {
      expectProblem(await call(method, path, body, null), 401, 'unauthorized');
      expectProblem(await call(method, path, body, 'not-the-token'), 401, 'unauthorized');
    }
  });

  it('answers invalid requests with validation_failed problems naming each field', async () => {
    const res = await call('POST', PATHS.create, { ...request({ idleTtlMs: 2 * 24 * 3600_000, amr: ['PWD'] }), tenantId: 'acme', remember: true });
    const problem = expectProblem(res, 400, 'validation_failed');
    expect([...new Set(problem.errors!.map((e) => e.field))].sort()).toEqual(['amr', 'idleTtlMs', 'remember', 'tenantId']);
    expect(problem.errors).toContainEqual({ field: 'remember', message: 'unknown field' });
    expect(problem.errors).toContainEqual({ field: 'idleTtlMs', message: 'idleTtlMs must not exceed absoluteTtlMs' });

    expectProblem(await call('GET', `${PATHS.list}?tenantId=${randomUUID()}`), 400, 'validation_failed');
    expectProblem(await call('DELETE', sessionInternalPath('short', randomUUID())), 400, 'validation_failed');
  });

  it('creates a session, resolves it on touch, and answers 404 once it is revoked', async () => {
    const { token, session } = await create({ clientId: 'web' });
    expect(token).toMatch(/^kls_[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({
      id: sessionIdOf(token),
      tenantId: expect.any(String),
      userId: expect.any(String),
      createdAt: expect.any(String),
      lastSeenAt: session.createdAt,
      idleExpiresAt: new Date(Date.parse(session.createdAt) + 30 * 60_000).toISOString(),
      expiresAt: new Date(Date.parse(session.createdAt) + 24 * 3600_000).toISOString(),
      amr: ['pwd'],
      acr: 'urn:keyline:acr:password',
      ip: '203.0.113.7',
      userAgent: CHROME_MAC,
      lastIp: '203.0.113.7',
      lastUserAgent: CHROME_MAC,
      device: 'Chrome on macOS',
      clients: ['web'],
    });

    const touched = await call<SessionView>('POST', PATHS.touch, { token, ip: '198.51.100.4' });
    expect(touched.status).toBe(200);
    expect(touched.body).toEqual({ ...session, lastSeenAt: expect.any(String), idleExpiresAt: expect.any(String), lastIp: '198.51.100.4' });

    const elevated = await call<SessionView>('POST', PATHS.elevate, { token, amr: ['otp'], acr: 'urn:keyline:acr:mfa' });
    expect(elevated.status).toBe(200);
    expect(elevated.body).toEqual(expect.objectContaining({ amr: ['pwd', 'otp'], acr: 'urn:keyline:acr:mfa' }));

    const revoked = await call('POST', PATHS.revoke, { token });
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeUndefined();
    expect((await call('POST', PATHS.revoke, { token })).status).toBe(204);

    expectProblem(await call('POST', PATHS.touch, { token }), 404, 'session_not_found');
    expectProblem(await call('POST', PATHS.elevate, { token, amr: ['otp'], acr: 'x' }), 404, 'session_not_found');
  });

  it('answers an unknown or malformed token exactly like a revoked one', async () => {
    const unknown = expectProblem(await call('POST', PATHS.touch, { token: `kls_${randomBytes(32).toString('base64url')}` }), 404, 'session_not_found');
    const malformed = expectProblem(await call('POST', PATHS.touch, { token: 'garbage' }), 404, 'session_not_found');
    expect(malformed.detail).toBe(unknown.detail);
    expect((await call('POST', PATHS.revoke, { token: 'garbage' })).status).toBe(204);
  });

  it('lists a user’s sessions newest first, deletes by id only within the tenant, and revokes the rest of a user’s sessions', async () => {
    const owner = { tenantId: randomUUID(), userId: randomUUID() };
    const first = await create(owner);
    const second = await create(owner);
    const third = await create(owner);
    const listPath = `${PATHS.list}?tenantId=${owner.tenantId}&userId=${owner.userId}`;
    const ids = async () => (await call<SessionListResponse>('GET', listPath)).body.items.map((s) => s.id);

    const list = await call<SessionListResponse>('GET', listPath);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s) => s.id)).toEqual([third.session.id, second.session.id, first.session.id]);

    expect((await call('DELETE', sessionInternalPath(first.session.id, randomUUID()))).status).toBe(204);
    expect((await call('POST', PATHS.touch, { token: first.token })).status).toBe(200);
    expect((await call('DELETE', sessionInternalPath(first.session.id, owner.tenantId))).status).toBe(204);
    expectProblem(await call('POST', PATHS.touch, { token: first.token }), 404, 'session_not_found');
    expect(await ids()).toEqual([third.session.id, second.session.id]);

    const rest = await call<SessionRevokeUserResponse>('POST', PATHS.revokeUser, { ...owner, exceptId: third.session.id });
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ revoked: 1 });
    expect(await ids()).toEqual([third.session.id]);
    expect((await call('POST', PATHS.touch, { token: third.token })).status).toBe(200);
  });
});
