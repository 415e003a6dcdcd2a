import { randomUUID } from 'node:crypto';
import { DirectoryTopics } from '@keyline/directory-contracts';
import { expectProblem, waitFor } from '@keyline/platform-testing';
import { Kafka, logLevel } from 'kafkajs';
import { Platform, client, startPlatform, uniqueSlug } from './support/platform';

type Tenant = { id: string; slug: string; name: string; issuer: string; createdAt: string };
type Key = { id: string; name: string; scopes: string[]; prefix: string; key?: string; createdAt: string };
type Page<T> = { items: T[]; nextCursor: string | null };
type AuditEvent = { id: string; type: string; tenantId: string; actor: string; subject: string; occurredAt: string; data: Record<string, unknown> };

describe('the platform through the gateway', () => {
  let platform: Platform;
  let call: ReturnType<typeof client>;
  let tenantA: Tenant;
  let tenantB: Tenant;
  let keyA: Key;
  let keyB: Key;

  beforeAll(async () => {
    platform = await startPlatform('e2e');
    call = client(platform.gateway);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('creates tenants with the platform admin key', async () => {
    const slugA = uniqueSlug('acme');
    const res = await call<Tenant>('POST', '/v1/tenants', { key: platform.adminKey, json: { slug: slugA, name: 'Acme Inc' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ slug: slugA, name: 'Acme Inc', issuer: `${platform.gateway}/t/${slugA}` }));
    tenantA = res.body;
    const taken = await call('POST', '/v1/tenants', { key: platform.adminKey, json: { slug: slugA, name: 'Again' } });
    expectProblem(taken, 409);
    const b = await call<Tenant>('POST', '/v1/tenants', { key: platform.adminKey, json: { slug: uniqueSlug('globex'), name: 'Globex' } });
    expect(b.status).toBe(201);
    tenantB = b.body;
  });

  it('creates tenant keys that are shown exactly once', async () => {
    const res = await call<Key>('POST', `/v1/tenants/${tenantA.slug}/api-keys`, { key: platform.adminKey, json: { name: 'backend', scopes: ['admin'] } });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^kl_/);
    keyA = res.body;
    const list = await call<Page<Key>>('GET', `/v1/tenants/${tenantA.slug}/api-keys`, { key: keyA.key });
    expect(list.status).toBe(200);
    expect(list.body.items.map((k) => k.id)).toContain(keyA.id);
    expect(JSON.stringify(list.body)).not.toContain(keyA.key);
    const b = await call<Key>('POST', `/v1/tenants/${tenantB.slug}/api-keys`, { key: platform.adminKey, json: { name: 'b', scopes: ['admin'] } });
    expect(b.status).toBe(201);
    keyB = b.body;
  });

  it('authenticates API calls and rejects missing, malformed and unknown keys with 401', async () => {
    const ok = await call<{ kind: string; tenantId: string }>('GET', '/v1/whoami', { key: keyA.key });
    expect(ok.status).toBe(200);
    expect(ok.body.tenantId).toBe(tenantA.id);
    expectProblem(await call('GET', '/v1/whoami'), 401);
    expectProblem(await call('GET', '/v1/whoami', { key: 'not-a-key' }), 401);
    expectProblem(await call('GET', '/v1/whoami', { key: `kl_${'x'.repeat(43)}` }), 401);
  });

  it("never shows tenant B's key anything of tenant A", async () => {
    const tenant = await call('GET', `/v1/tenants/${tenantA.slug}`, { key: keyB.key });
    expect([403, 404]).toContain(tenant.status);
    expect(JSON.stringify(tenant.body)).not.toContain(tenantA.id);
    const keys = await call('GET', `/v1/tenants/${tenantA.slug}/api-keys`, { key: keyB.key });
    expect([403, 404]).toContain(keys.status);
    expect(JSON.stringify(keys.body)).not.toContain(keyA.id);
    const revoke = await call('DELETE', `/v1/tenants/${tenantA.slug}/api-keys/${keyA.id}`, { key: keyB.key });
    expect([403, 404]).toContain(revoke.status);
    const create = await call('POST', `/v1/tenants/${tenantA.slug}/api-keys`, { key: keyB.key, json: { name: 'x', scopes: ['admin'] } });
    expect([403, 404]).toContain(create.status);
    const list = await call('GET', '/v1/tenants', { key: keyB.key });
    expect(list.status).toBe(403);
    // A's key still works: B's attempts changed nothing.
    expect((await call('GET', '/v1/whoami', { key: keyA.key })).status).toBe(200);
    const audit = await call<Page<AuditEvent>>('GET', '/v1/audit/events?limit=200', { key: keyB.key });
    expect(audit.status).toBe(200);
    expect(audit.body.items.every((e) => e.tenantId === tenantB.id)).toBe(true);
  });

  it('delivers tenant and key events to audit, tenant-scoped and paginated', async () => {
    const events = await waitFor(
      async () => {
        const res = await call<Page<AuditEvent>>('GET', '/v1/audit/events?limit=200', { key: keyA.key });
        const types = res.body.items?.map((e) => e.type) ?? [];
        return types.includes('tenant.created') && types.includes('api-key.created') ? res.body.items : undefined;
      },
      30_000,
      250,
      'audit events of tenant A',
    );
    expect(events.every((e) => e.tenantId === tenantA.id)).toBe(true);
    const created = events.find((e) => e.type === 'api-key.created')!;
    expect(created.subject).toBe(keyA.id);
    expect(JSON.stringify(created)).not.toContain(keyA.key);
    const page1 = await call<Page<AuditEvent>>('GET', '/v1/audit/events?limit=1', { key: keyA.key });
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await call<Page<AuditEvent>>('GET', `/v1/audit/events?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor!)}`, { key: keyA.key });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    const filtered = await call<Page<AuditEvent>>('GET', '/v1/audit/events?type=tenant.created', { key: keyA.key });
    expect(filtered.body.items.map((e) => e.type)).toEqual(['tenant.created']);
  });

  it('answers bad input with the right 4xx problem+json', async () => {
    const path = `/v1/tenants/${tenantA.slug}/api-keys`;
    const key = keyA.key;
    expectProblem(await call('POST', path, { key, body: '{"name": "x", ', contentType: 'application/json' }), 400, 'malformed_json');
    const unknown = expectProblem(await call('POST', path, { key, json: { name: 'x', scopes: ['admin'], colour: 'red' } }), 400, 'validation_failed');
    expect(unknown.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'colour' })]));
    const wrongType = expectProblem(await call('POST', path, { key, json: { name: 42, scopes: 'admin' } }), 400, 'validation_failed');
    expect(wrongType.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['name', 'scopes']));
    expectProblem(await call('POST', '/v1/tenants', { key: platform.adminKey, json: { slug: 'Not A Slug!', name: 'x' } }), 400, 'validation_failed');
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    expectProblem(await call('POST', path, { key, body: big, contentType: 'application/json' }), 413, 'payload_too_large');
    expectProblem(await call('POST', path, { key, body: 'name=x', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    // Nothing was half-written by any of these.
    const list = await call<Page<Key>>('GET', path, { key });
    expect(list.body.items.map((k) => k.name)).toEqual(['backend']);
  });

  it('stops accepting a revoked key within 1 second', async () => {
    const extra = await call<Key>('POST', `/v1/tenants/${tenantA.slug}/api-keys`, { key: keyA.key, json: { name: 'short-lived', scopes: ['audit:read'] } });
    expect(extra.status).toBe(201);
    expect((await call('GET', '/v1/whoami', { key: extra.body.key })).status).toBe(200);
    const revoked = await call('DELETE', `/v1/tenants/${tenantA.slug}/api-keys/${extra.body.id}`, { key: keyA.key });
    expect(revoked.status).toBe(204);
    const t0 = Date.now();
    await waitFor(async () => (await call('GET', '/v1/whoami', { key: extra.body.key })).status === 401, 1000, 20, 'revocation');
    expect(Date.now() - t0).toBeLessThan(1000);
    expectProblem(await call('GET', '/v1/whoami', { key: extra.body.key }), 401);
    const events = await waitFor(async () => {
      const r = await call<Page<AuditEvent>>('GET', '/v1/audit/events?type=api-key.revoked', { key: keyA.key });
      return r.body.items?.length ? r.body.items : undefined;
    }, 30_000, 250, 'api-key.revoked in audit');
    expect(events[0].subject).toBe(extra.body.id);
  });

  it('enforces scopes: a narrow key cannot manage keys', async () => {
    const narrow = await call<Key>('POST', `/v1/tenants/${tenantA.slug}/api-keys`, { key: keyA.key, json: { name: 'reader', scopes: ['audit:read'] } });
    const res = await call('POST', `/v1/tenants/${tenantA.slug}/api-keys`, { key: narrow.body.key, json: { name: 'escalate', scopes: ['admin'] } });
    expect([403, 404]).toContain(res.status);
    expect((await call('GET', '/v1/audit/events', { key: narrow.body.key })).status).toBe(200);
  });

  it("carries the caller's request id through the gateway, the service and the event's Kafka headers", async () => {
    const requestId = `e2e-trace-${randomUUID()}`;
    const slug = uniqueSlug('traced');
    const res = await call<Tenant>('POST', '/v1/tenants', {
      key: platform.adminKey,
      json: { slug, name: 'Traced' },
      headers: { 'x-request-id': requestId },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const kafka = new Kafka({ brokers: platform.kafkaBrokers, clientId: 'e2e-trace', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-trace-${randomUUID()}` });
    const headers: Record<string, string> = {};
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: DirectoryTopics.tenant, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const e = JSON.parse(message.value!.toString()) as { tenantId: string };
          if (e.tenantId !== res.body.id) return;
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        },
      });
      await waitFor(() => headers['x-request-id'], 30_000, 100, 'the tenant.created message');
    } finally {
      await consumer.disconnect();
    }
    expect(headers['x-request-id']).toBe(requestId);
    expect(headers['keyline-event-type']).toBe('tenant.created');
    expect(headers['keyline-tenant-id']).toBe(res.body.id);
  });

  it('serves health, metrics and a merged OpenAPI document', async () => {
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('GET', '/health/ready')).status).toBe(200);
    const metrics = await fetch(`${platform.gateway}/metrics`).then((r) => r.text());
    expect(metrics).toContain('http_server_request_duration_seconds');
    const doc = await call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/tenants', '/v1/audit/events', '/v1/users', '/v1/profile-schema', '/v1/roles', '/scim/v2/Users', '/scim/v2/Groups']));
    const docs = await fetch(`${platform.gateway}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/<html/i);
  });
});
