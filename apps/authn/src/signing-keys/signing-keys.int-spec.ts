import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestDatabase, createTestDatabase } from '@keyline/platform-testing';
import type { DataSource } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';
import { type SigningKeysHarness, signingKeysDataSource, signingKeysHarness } from './signing-keys.testing';

/** The races of lazy creation, promotion and rotation between replicas, on the real Postgres. */
describe('SigningKeysService on Postgres, many instances at once', () => {
  let db: TestDatabase;
  let dir: string;
  let ds: DataSource;
  let h: SigningKeysHarness;

  beforeAll(async () => {
    db = await createTestDatabase('authn_signing_keys');
    dir = mkdtempSync(join(tmpdir(), 'kl-signing-keys-pg-'));
    ds = await signingKeysDataSource({ dataDir: dir, url: db.url });
    h = signingKeysHarness(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = (tenantId: string) => ds.getRepository(SigningKeyEntity).findBy({ tenantId });
  const activeSlots = async (tenantId: string) =>
    (await rowsOf(tenantId))
      .filter((r) => r.status === 'active')
      .map((r) => r.slot)
      .sort();

  it('creates exactly one active key per alg when 20 instances ensure keys in parallel', async () => {
    const tenant = randomUUID();
    const instances = Array.from({ length: 20 }, () => h.service());
    await Promise.all(instances.map((s) => s.ensureKeys(tenant)));
    expect(await activeSlots(tenant)).toEqual(['ES256:active', 'EdDSA:active', 'RS256:active']);
    expect(await rowsOf(tenant)).toHaveLength(3);
    // Every instance signs with the same keys.
    const kids = new Set((await Promise.all(instances.map(async (s) => (await s.signingKeys(tenant)).map((k) => k.kid).join()))));
    expect(kids.size).toBe(1);
  });

  it('creates exactly one active key per alg when 20 first reads race on one instance', async () => {
    const tenant = randomUUID();
    const svc = h.service();
    const sets = await Promise.all(Array.from({ length: 20 }, () => svc.jwks(tenant)));
    expect(await activeSlots(tenant)).toEqual(['ES256:active', 'EdDSA:active', 'RS256:active']);
    expect(new Set(sets.map((s) => s.keys.map((k) => k.kid).join())).size).toBe(1);
  });

  it('promotes each due key once when 10 instances sweep at the same time', async () => {
    const tenant = randomUUID();
    const svc = h.service();
    const before = await svc.signingKeys(tenant);
    const rotated = await svc.rotate(tenant, { publishSeconds: 60 }, 'api-key:k1');
    h.clock.advance(60);
    const promoted = (await Promise.all(Array.from({ length: 10 }, () => h.service().promoteDue(undefined, tenant)))).flat();
    expect(promoted.sort()).toEqual(rotated.map((k) => k.kid).sort());
    const rows = await rowsOf(tenant);
    expect(rows.filter((r) => r.status === 'active').map((r) => r.kid).sort()).toEqual(rotated.map((k) => k.kid).sort());
    expect(rows.filter((r) => r.status === 'retired').map((r) => r.kid).sort()).toEqual(before.map((k) => k.kid).sort());
  });

  it('keeps one pending key per alg when 5 rotations race, each committed with its event', async () => {
    const tenant = randomUUID();
    await h.service().ensureKeys(tenant);
    const results = await Promise.all(Array.from({ length: 5 }, () => h.service().rotate(tenant, { alg: 'ES256' }, 'api-key:k1')));
    const pending = (await rowsOf(tenant)).filter((r) => r.status === 'next');
    expect(pending).toHaveLength(1);
    expect(results.flat().map((k) => k.kid)).toContain(pending[0].kid);
    const events = (await h.rotatedEvents()).filter((e) => e.tenantId === tenant);
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.data.kids[0]).sort()).toEqual(results.flat().map((k) => k.kid).sort());
  });

  it('round-trips the lifecycle through Postgres types (uuid, bigint times, sealed text)', async () => {
    const tenant = randomUUID();
    const svc = h.service({ retireAfterSeconds: 3600 });
    const [old] = (await svc.signingKeys(tenant)).filter((k) => k.alg === 'RS256');
    const [next] = await svc.rotate(tenant, { alg: 'RS256', publishSeconds: 10 }, 'api-key:k1');
    h.clock.advance(10);
    const listed = await svc.list(tenant);
    expect(listed.find((k) => k.kid === old.kid)).toEqual(
      expect.objectContaining({ status: 'retired', retiredAt: new Date(h.clock.ms).toISOString(), expiresAt: new Date(h.clock.ms + 3600_000).toISOString() }),
    );
    expect(listed.find((k) => k.kid === next.kid)?.status).toBe('active');
    h.clock.advance(3600);
    expect((await svc.jwks(tenant)).keys.map((k) => k.kid)).not.toContain(old.kid);
  });
});
