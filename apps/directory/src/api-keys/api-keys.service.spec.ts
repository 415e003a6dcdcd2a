import { createLogger } from '@keyline/platform-observability';
import { ProblemException } from '@keyline/platform-http';
import {
  FakeApiKeyCache,
  FakeApiKeyStore,
  FakeTenantCorsCache,
  FakeTenantStore,
  FixedClock,
  platformCaller,
  tenantCaller,
} from '../testing/directory.fakes';
import { TenantsService } from '../tenants/tenants.service';
import { hashApiKey } from './api-key.secret';
import { ApiKeysService } from './api-keys.service';

async function setup() {
  const clock = new FixedClock();
  const tenants = new TenantsService(new FakeTenantStore(), new FakeTenantCorsCache(), clock, createLogger('test', 'silent'));
  const store = new FakeApiKeyStore();
  const cache = new FakeApiKeyCache();
  const service = new ApiKeysService(store, cache, tenants, clock);
  const acme = await tenants.create(platformCaller, { slug: 'acme', name: 'Acme' });
  const globex = await tenants.create(platformCaller, { slug: 'globex', name: 'Globex' });
  return { clock, store, cache, service, acme, globex };
}

async function problemOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemException);
  return (err as ProblemException).toBody();
}

describe('ApiKeysService', () => {
  describe('create', () => {
    it('returns the key once and stores only its hash and display prefix', async () => {
      const { service, store, acme } = await setup();
      const { key, secret } = await service.create(platformCaller, 'acme', { name: 'backend', scopes: ['users:read', 'users:read', 'audit:read'] });
      expect(secret).toMatch(/^kl_[A-Za-z0-9_-]{43}$/);
      const row = store.rows.get(key.id)!;
      expect(row).toEqual(
        expect.objectContaining({ tenantId: acme.id, kind: 'tenant', name: 'backend', keyHash: hashApiKey(secret), prefix: secret.slice(0, 12) }),
      );
      expect(row.scopes).toEqual(['users:read', 'audit:read']);
      expect(JSON.stringify(row)).not.toContain(secret);
      expect(row.createdBy).toBe(`platform-admin:${platformCaller.keyId}`);
    });

    it('writes api-key.created without the key and caches the record the gateway needs', async () => {
      const { service, store, cache, acme } = await setup();
      const { key, secret } = await service.create(tenantCaller(acme), 'acme', { name: 'ci', scopes: ['scim'] });
      expect(store.events).toEqual([
        {
          type: 'api-key.created',
          meta: expect.objectContaining({ tenantId: acme.id, subject: key.id, actor: 'api-key:00000000-0000-7000-8000-000000000002' }),
          data: { id: key.id, tenantId: acme.id, name: 'ci', prefix: key.prefix, scopes: ['scim'] },
        },
      ]);
      expect(JSON.stringify(store.events)).not.toContain(secret);
      expect(cache.records.get(hashApiKey(secret))).toEqual({ kind: 'tenant', keyId: key.id, tenantId: acme.id, tenantSlug: 'acme', scopes: ['scim'] });
    });

    it("refuses another tenant's key with 404 and a narrow key of the tenant with 403", async () => {
      const { service, store, acme, globex } = await setup();
      expect((await problemOf(service.create(tenantCaller(globex), 'acme', { name: 'x', scopes: ['admin'] }))).status).toBe(404);
      const narrow = await problemOf(service.create(tenantCaller(acme, ['audit:read']), 'acme', { name: 'x', scopes: ['admin'] }));
      expect(narrow).toEqual(expect.objectContaining({ status: 403, code: 'insufficient_scope' }));
      expect(store.rows.size).toBe(0);
    });
  });

  describe('list', () => {
    it("lists only the tenant's keys, in pages, with last use from the gateway", async () => {
      const { service, cache, clock, acme, globex } = await setup();
      const made = [];
      for (const name of ['a', 'b', 'c']) made.push((await service.create(platformCaller, 'acme', { name, scopes: ['admin'] })).key);
      await service.create(platformCaller, 'globex', { name: 'other', scopes: ['admin'] });
      const used = new Date(clock.now().getTime() + 5000);
      cache.lastUse.set(made[1].id, used);

      const first = await service.list(tenantCaller(acme), 'acme', { limit: 2 });
      expect(first.items.map((k) => k.name)).toEqual(['a', 'b']);
      expect(first.items[1].lastUsedAt).toEqual(used);
      expect(first.items[0].lastUsedAt).toBeNull();
      const second = await service.list(tenantCaller(acme), 'acme', { limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((k) => k.name)).toEqual(['c']);
      expect(second.nextCursor).toBeNull();
      expect((await problemOf(service.list(tenantCaller(globex), 'acme', { limit: 50 }))).status).toBe(404);
    });
  });

  describe('revoke', () => {
    it('revokes once with one event, and every call re-announces the revocation', async () => {
      const { service, store, cache, clock, acme } = await setup();
      const { key, secret } = await service.create(platformCaller, 'acme', { name: 'x', scopes: ['admin'] });
      clock.advance(1000);
      await service.revoke(tenantCaller(acme), 'acme', key.id);
      await service.revoke(tenantCaller(acme), 'acme', key.id.toUpperCase());
      expect(store.rows.get(key.id)!.revokedAt).toEqual(clock.now());
      const revocations = store.events.filter((e) => e.type === 'api-key.revoked');
      expect(revocations).toHaveLength(1);
      expect(revocations[0].data).toEqual(expect.objectContaining({ id: key.id, tenantId: acme.id, revokedAt: clock.now().toISOString() }));
      expect(cache.records.get(hashApiKey(secret))).toEqual({ kind: 'revoked', keyId: key.id, revoked: true });
      expect(cache.published).toEqual([hashApiKey(secret), hashApiKey(secret)]);
    });

    it("answers 404 for an unknown id, a malformed id and another tenant's key", async () => {
      const { service, store, globex } = await setup();
      const { key } = await service.create(platformCaller, 'globex', { name: 'x', scopes: ['admin'] });
      for (const id of ['01900000-0000-7000-8000-000000000000', 'not-a-uuid', key.id]) {
        expect(await problemOf(service.revoke(platformCaller, 'acme', id))).toEqual(expect.objectContaining({ status: 404, code: 'api_key_not_found' }));
      }
      expect(store.rows.get(key.id)!.revokedAt).toBeNull();
      expect((await problemOf(service.revoke(tenantCaller(globex), 'acme', key.id))).code).toBe('tenant_not_found');
    });
  });

  describe('resolve', () => {
    it('answers tenant, revoked and unknown records from the store and caches them', async () => {
      const { service, cache, acme } = await setup();
      const { key, secret } = await service.create(platformCaller, 'acme', { name: 'x', scopes: ['users:read'] });
      const hash = hashApiKey(secret);
      cache.records.clear();
      expect(await service.resolve(hash)).toEqual({ kind: 'tenant', keyId: key.id, tenantId: acme.id, tenantSlug: 'acme', scopes: ['users:read'] });
      expect(cache.records.get(hash)?.kind).toBe('tenant');

      await service.revoke(platformCaller, 'acme', key.id);
      cache.records.clear();
      expect(await service.resolve(hash)).toEqual({ kind: 'revoked', keyId: key.id, revoked: true });
      expect(cache.records.get(hash)?.kind).toBe('revoked');

      const unknown = hashApiKey('kl_nobody');
      expect(await service.resolve(unknown)).toEqual({ kind: 'unknown' });
      expect(cache.records.get(unknown)).toEqual({ kind: 'unknown' });
    });

    it('does not overwrite a revocation that reached the cache while it was reading', async () => {
      const { service, cache, store } = await setup();
      const { key, secret } = await service.create(platformCaller, 'acme', { name: 'x', scopes: ['admin'] });
      const hash = hashApiKey(secret);
      // The revocation is announced between the resolver's read and its cache write.
      const read = store.findByHash.bind(store);
      store.findByHash = async (h) => {
        const row = await read(h);
        await cache.revoke(hash, key.id);
        return row;
      };
      expect((await service.resolve(hash)).kind).toBe('tenant');
      expect(cache.records.get(hash)?.kind).toBe('revoked');
    });
  });
});
