import { createLogger } from '@keyline/platform-observability';
import { DirectoryException } from '../core/directory.exception';
import { decodeCursor } from '@keyline/platform-http';
import { FakeTenantCorsCache, FakeTenantStore, FixedClock, platformCaller, tenantCaller } from '../testing/directory.fakes';
import { TenantsService } from './tenants.service';

const logger = createLogger('directory-test', 'silent');

function setup() {
  const store = new FakeTenantStore();
  const cors = new FakeTenantCorsCache();
  const clock = new FixedClock();
  return { store, cors, clock, service: new TenantsService(store, cors, clock, logger) };
}

async function problemOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  return (err as DirectoryException).toBody();
}

describe('TenantsService', () => {
  describe('create', () => {
    it('stores the tenant with its tenant.created event and publishes its CORS origins', async () => {
      const { service, store, cors, clock } = setup();
      const t = await service.create(platformCaller, { slug: 'acme', name: 'Acme Inc', corsOrigins: ['https://App.acme.com/'] });
      expect(t).toEqual(expect.objectContaining({ slug: 'acme', name: 'Acme Inc', corsOrigins: ['https://app.acme.com'], createdAt: clock.now() }));
      expect(t.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(store.rows.get(t.id)?.slug).toBe('acme');
      expect(store.events).toEqual([
        {
          type: 'tenant.created',
          meta: expect.objectContaining({ tenantId: t.id, subject: t.id, actor: `platform-admin:${platformCaller.keyId}` }),
          data: { id: t.id, slug: 'acme', name: 'Acme Inc', createdAt: clock.now().toISOString(), corsOrigins: ['https://app.acme.com'] },
        },
      ]);
      expect(cors.entries.get('acme')).toEqual(['https://app.acme.com']);
    });

    it('answers 409 slug_taken for a taken slug and writes nothing more', async () => {
      const { service, store, cors } = setup();
      await service.create(platformCaller, { slug: 'acme', name: 'Acme' });
      cors.entries.clear();
      const p = await problemOf(service.create(platformCaller, { slug: 'acme', name: 'Other' }));
      expect(p).toEqual(expect.objectContaining({ status: 409, code: 'slug_taken', errors: [expect.objectContaining({ field: 'slug' })] }));
      expect(store.rows.size).toBe(1);
      expect(store.events).toHaveLength(1);
      expect(cors.entries.size).toBe(0);
    });
  });

  describe('access', () => {
    it("lets the platform key and the tenant's own key read the tenant", async () => {
      const { service } = setup();
      const t = await service.create(platformCaller, { slug: 'acme', name: 'Acme' });
      expect((await service.get(platformCaller, 'acme')).id).toBe(t.id);
      expect((await service.get(tenantCaller(t, ['admin']), 'acme')).id).toBe(t.id);
      expect((await service.get(tenantCaller(t, ['tenants:read']), 'acme')).id).toBe(t.id);
    });

    it("answers another tenant's key exactly like a tenant that does not exist", async () => {
      const { service } = setup();
      await service.create(platformCaller, { slug: 'acme', name: 'Acme' });
      const globex = await service.create(platformCaller, { slug: 'globex', name: 'Globex' });
      const foreign = await problemOf(service.get(tenantCaller(globex), 'acme'));
      const missing = await problemOf(service.get(platformCaller, 'nope'));
      expect(foreign.status).toBe(404);
      expect(foreign.code).toBe('tenant_not_found');
      expect(missing.code).toBe(foreign.code);
      expect(JSON.stringify(foreign)).not.toContain('globex');
    });

    it('treats a key whose tenant id does not match the slug as foreign', async () => {
      const { service } = setup();
      const acme = await service.create(platformCaller, { slug: 'acme', name: 'Acme' });
      const forged = tenantCaller({ id: '01900000-0000-7000-8000-000000000099', slug: acme.slug });
      expect((await problemOf(service.get(forged, 'acme'))).status).toBe(404);
    });

    it("gives the tenant's own key without the scope 403 insufficient_scope", async () => {
      const { service } = setup();
      const t = await service.create(platformCaller, { slug: 'acme', name: 'Acme' });
      const p = await problemOf(service.update(tenantCaller(t, ['users:read']), 'acme', { name: 'X' }));
      expect(p).toEqual(expect.objectContaining({ status: 403, code: 'insufficient_scope' }));
      expect((await problemOf(service.get(tenantCaller(t, ['users:read']), 'acme'))).status).toBe(403);
    });
  });

  describe('update', () => {
    it('changes name and origins in one tenant.updated event naming the changes', async () => {
      const { service, store, cors, clock } = setup();
      const t = await service.create(platformCaller, { slug: 'acme', name: 'Acme' });
      clock.advance(1000);
      const u = await service.update(tenantCaller(t), 'acme', { name: 'Acme Corp', corsOrigins: ['https://b.com', 'https://a.com'] });
      expect(u).toEqual(expect.objectContaining({ name: 'Acme Corp', corsOrigins: ['https://a.com', 'https://b.com'], updatedAt: clock.now(), createdAt: t.createdAt }));
      expect(store.rows.get(t.id)).toEqual(expect.objectContaining({ name: 'Acme Corp', updatedAt: clock.now() }));
      const event = store.events[1];
      expect(event.type).toBe('tenant.updated');
      expect(event.data).toEqual(expect.objectContaining({ name: 'Acme Corp', changes: ['name', 'corsOrigins'] }));
      expect(event.meta.actor).toBe('api-key:00000000-0000-7000-8000-000000000002');
      expect(cors.entries.get('acme')).toEqual(['https://a.com', 'https://b.com']);
    });

    it('writes nothing and emits nothing when nothing changes', async () => {
      const { service, store, clock } = setup();
      const t = await service.create(platformCaller, { slug: 'acme', name: 'Acme', corsOrigins: ['https://a.com'] });
      clock.advance(1000);
      const same = await service.update(platformCaller, 'acme', { name: 'Acme', corsOrigins: ['https://A.com/'] });
      expect(same.updatedAt).toEqual(t.updatedAt);
      expect(store.events).toHaveLength(1);
      await service.update(platformCaller, 'acme', {});
      expect(store.events).toHaveLength(1);
    });

    it('only republishes CORS when the origins changed', async () => {
      const { service, cors } = setup();
      await service.create(platformCaller, { slug: 'acme', name: 'Acme', corsOrigins: ['https://a.com'] });
      cors.entries.clear();
      await service.update(platformCaller, 'acme', { name: 'New name' });
      expect(cors.entries.has('acme')).toBe(false);
    });
  });

  describe('list', () => {
    it('pages through every tenant in creation order without repeats', async () => {
      const { service } = setup();
      const slugs = Array.from({ length: 5 }, (_, i) => `tenant-${i}`);
      for (const slug of slugs) await service.create(platformCaller, { slug, name: slug });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((t) => t.slug));
        cursor = page.nextCursor ?? undefined;
        if (cursor) expect(decodeCursor(cursor)).toBe(page.items[page.items.length - 1].id);
      } while (cursor);
      expect(seen).toEqual(slugs);
    });
  });

  it('fills missing CORS entries without overwriting present ones', async () => {
    const { service, cors } = setup();
    for (let i = 0; i < 3; i++) await service.create(platformCaller, { slug: `t-${i}x`, name: 'T', corsOrigins: [`https://${i}.example.com`] });
    cors.entries.clear();
    cors.entries.set('t-1x', ['https://newer.example.com']);
    expect(await service.syncCorsCache()).toBe(3);
    expect(cors.entries.get('t-0x')).toEqual(['https://0.example.com']);
    expect(cors.entries.get('t-1x')).toEqual(['https://newer.example.com']);
  });
});
