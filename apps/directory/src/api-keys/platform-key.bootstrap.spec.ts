import { createLogger } from '@keyline/platform-observability';
import { FakeAnnouncer, FakeApiKeyCache, FakeApiKeyStore, FixedClock } from '../testing/directory.fakes';
import { ApiKeyEntity } from './api-key.entity';
import { hashApiKey } from './api-key.secret';
import { ADMIN_KEY_LINE_PREFIX, AdminKeyAnnouncer, PlatformKeyBootstrap } from './platform-key.bootstrap';

const logger = createLogger('test', 'silent');

function setup(store = new FakeApiKeyStore()) {
  const cache = new FakeApiKeyCache();
  const announcer = new FakeAnnouncer();
  const clock = new FixedClock();
  const boot = (platformAdminApiKey?: string) => new PlatformKeyBootstrap(store, cache, clock, announcer, { platformAdminApiKey }, logger).run();
  return { store, cache, announcer, clock, boot };
}

const active = (store: FakeApiKeyStore) => [...store.rows.values()].filter((k) => k.kind === 'platform' && !k.revokedAt);

describe('PlatformKeyBootstrap', () => {
  it('generates one platform key at first start, stores only its hash and announces it once', async () => {
    const { store, cache, announcer, boot } = setup();
    await boot();
    expect(announcer.keys).toHaveLength(1);
    const [key] = announcer.keys;
    expect(key).toMatch(/^kl_admin_[A-Za-z0-9_-]{43}$/);
    const [row] = active(store);
    expect(row).toEqual(expect.objectContaining({ kind: 'platform', tenantId: null, keyHash: hashApiKey(key), prefix: key.slice(0, 12) }));
    expect(JSON.stringify([...store.rows.values()])).not.toContain(key);
    expect(cache.records.get(hashApiKey(key))).toEqual({ kind: 'platform', keyId: row.id, scopes: ['admin'] });

    await boot();
    expect(announcer.keys).toHaveLength(1);
    expect(active(store)).toHaveLength(1);
  });

  it('registers PLATFORM_ADMIN_API_KEY by hash, once, and never announces it', async () => {
    const { store, cache, announcer, boot } = setup();
    const configured = 'kl_admin_configured-secret-value-123';
    await boot(configured);
    await boot(configured);
    expect(announcer.keys).toEqual([]);
    const rows = active(store);
    expect(rows).toHaveLength(1);
    expect(rows[0].keyHash).toBe(hashApiKey(configured));
    expect(cache.records.get(hashApiKey(configured))).toEqual(expect.objectContaining({ kind: 'platform', keyId: rows[0].id }));
  });

  it('rotates: a new PLATFORM_ADMIN_API_KEY revokes the previous and the generated keys everywhere', async () => {
    const { store, cache, boot } = setup();
    await boot();
    await boot('kl_admin_first-configured-value-0001');
    await boot('kl_admin_second-configured-value-002');
    const rows = active(store);
    expect(rows.map((k) => k.keyHash)).toEqual([hashApiKey('kl_admin_second-configured-value-002')]);
    expect(cache.records.get(hashApiKey('kl_admin_first-configured-value-0001'))?.kind).toBe('revoked');
    expect(cache.published).toHaveLength(2);
  });

  it('reactivates a configured key that an earlier rotation revoked', async () => {
    const { store, boot } = setup();
    await boot('kl_admin_first-configured-value-0001');
    await boot('kl_admin_second-configured-value-002');
    await boot('kl_admin_first-configured-value-0001');
    expect(active(store).map((k) => k.keyHash)).toEqual([hashApiKey('kl_admin_first-configured-value-0001')]);
    expect(store.rows.size).toBe(2);
  });

  it('generates a new key when every platform key was revoked and the variable is gone', async () => {
    const { store, announcer, boot } = setup();
    await boot('kl_admin_first-configured-value-0001');
    store.rows.forEach((k) => (k.revokedAt = new Date()));
    await boot();
    expect(announcer.keys).toHaveLength(1);
    expect(active(store).map((k) => k.keyHash)).toEqual([hashApiKey(announcer.keys[0])]);
  });

  it('refuses a PLATFORM_ADMIN_API_KEY that is some tenant key, changing nothing', async () => {
    const { store, boot } = setup();
    const tenantKey = 'kl_tenant-key-that-someone-reused-1';
    await store.create(
      Object.assign(new ApiKeyEntity(), {
        id: '01900000-0000-7000-8000-000000000001',
        tenantId: '01900000-0000-7000-8000-0000000000aa',
        kind: 'tenant',
        name: 't',
        prefix: tenantKey.slice(0, 12),
        keyHash: hashApiKey(tenantKey),
        scopes: ['admin'],
        createdAt: new Date(),
        lastUsedAt: null,
        revokedAt: null,
        createdBy: 'test',
      } satisfies ApiKeyEntity),
      { type: 'api-key.created', meta: { tenantId: 't', actor: 'test', subject: 's' }, data: { id: 'x', tenantId: 't', name: 't', prefix: 'p', scopes: [] } },
    );
    await expect(boot(tenantKey)).rejects.toThrow(/tenant API key/);
    expect(active(store)).toHaveLength(0);
  });

  it('prints the key as one plain stdout line that npm start recognises', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      new AdminKeyAnnouncer().announce('kl_admin_abc');
      expect(write).toHaveBeenCalledWith(`${ADMIN_KEY_LINE_PREFIX}kl_admin_abc\n`);
      expect(ADMIN_KEY_LINE_PREFIX).toBe('KEYLINE_PLATFORM_ADMIN_KEY=');
    } finally {
      write.mockRestore();
    }
  });
});
