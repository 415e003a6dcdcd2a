import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { type PrivateSigningJwk, type PublicSigningJwk, SIGNING_ALGS, SigningKeyGenerator, publicJwkOf } from './signing-key.crypto';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeyUnavailableError, type SigningKeysService } from './signing-keys.service';
import { FakeClock, type SigningKeysHarness, signingKeysDataSource, signingKeysHarness } from './signing-keys.testing';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const PUBLIC_MEMBERS = { EC: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'], RSA: ['alg', 'e', 'kid', 'kty', 'n', 'use'], OKP: ['alg', 'crv', 'kid', 'kty', 'use', 'x'] };
const DAY = 86_400;

/** The first key of each alg: the one oidc-provider signs with. */
const signerOf = (keys: PrivateSigningJwk[]) => Object.fromEntries(SIGNING_ALGS.map((alg) => [alg, keys.find((k) => k.alg === alg)?.kid]));
const kidsOf = (keys: { kid: string }[]) => keys.map((k) => k.kid).sort();

function signAndVerify(priv: PrivateSigningJwk, pub: PublicSigningJwk): boolean {
  const data = Buffer.from('header.payload');
  const privateKey = createPrivateKey({ key: priv as never, format: 'jwk' });
  const publicKey = createPublicKey({ key: pub as never, format: 'jwk' });
  const digest = priv.alg === 'EdDSA' ? null : 'sha256';
  const dsaEncoding = priv.alg === 'ES256' ? 'ieee-p1363' : undefined;
  const signature = sign(digest, data, { key: privateKey, dsaEncoding });
  return verify(digest, data, { key: publicKey, dsaEncoding }, signature);
}

describe('SigningKeysService (embedded SQLite, fake clock)', () => {
  let dir: string;
  let ds: DataSource;
  let h: SigningKeysHarness;
  let clock: FakeClock;
  let svc: SigningKeysService;
  let tenant: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kl-signing-keys-'));
    ds = await signingKeysDataSource({ dataDir: dir });
  });
  afterAll(async () => {
    await ds?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clock = new FakeClock();
    h = signingKeysHarness(ds, clock);
    svc = h.service({ retireAfterSeconds: 2 * DAY });
    tenant = randomUUID();
  });

  const rowsOf = (tenantId: string) => ds.getRepository(SigningKeyEntity).findBy({ tenantId });

  describe('first use', () => {
    it('creates one active key per alg, ES256 first, each a working key pair', async () => {
      const keys = await svc.signingKeys(tenant);
      expect(keys.map((k) => k.alg)).toEqual(['ES256', 'RS256', 'EdDSA']);
      expect(keys.map((k) => [k.kty, k.crv])).toEqual([
        ['EC', 'P-256'],
        ['RSA', undefined],
        ['OKP', 'Ed25519'],
      ]);
      const { keys: published } = await svc.jwks(tenant);
      for (const k of keys) {
        expect(k.kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(k.use).toBe('sig');
        expect(signAndVerify(k, published.find((p) => p.kid === k.kid)!)).toBe(true);
      }
      expect(Buffer.from(keys[1].n!, 'base64url').length * 8).toBe(2048);
      expect((await svc.list(tenant)).map((k) => k.status)).toEqual(['active', 'active', 'active']);
    });

    it('stores private keys sealed: no private member appears in the row', async () => {
      const keys = await svc.signingKeys(tenant);
      const rows = await rowsOf(tenant);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const priv = keys.find((k) => k.kid === row.kid)!;
        const stored = JSON.stringify(row);
        expect(row.privateJwkSealed).toMatch(/^v1\.t1\./);
        for (const m of PRIVATE_MEMBERS) {
          const value = (priv as unknown as Record<string, string | undefined>)[m];
          if (value) expect(stored).not.toContain(value);
        }
        expect(Object.keys(row.publicJwk).sort()).toEqual(PUBLIC_MEMBERS[row.publicJwk.kty]);
      }
    });

    it('creates the keys once for callers at the same time, also on separate instances', async () => {
      const others = Array.from({ length: 5 }, () => h.service());
      await Promise.all([...Array.from({ length: 10 }, () => svc.ensureKeys(tenant)), ...others.map((s) => s.ensureKeys(tenant))]);
      const rows = await rowsOf(tenant);
      expect(rows.map((r) => r.slot).sort()).toEqual(['ES256:active', 'EdDSA:active', 'RS256:active']);
      expect(kidsOf(await others[0].signingKeys(tenant))).toEqual(kidsOf(await svc.signingKeys(tenant)));
    });
  });

  describe('rotation lifecycle', () => {
    it('publishes the new keys at once but keeps signing with the active ones until activatesAt', async () => {
      const before = await svc.signingKeys(tenant);
      const rotated = await svc.rotate(tenant, {}, 'api-key:k1');

      expect(rotated.map((k) => [k.alg, k.status])).toEqual([
        ['ES256', 'next'],
        ['RS256', 'next'],
        ['EdDSA', 'next'],
      ]);
      expect(new Set(rotated.map((k) => k.activatesAt))).toEqual(new Set([new Date(clock.ms + 600_000).toISOString()]));
      expect(kidsOf((await svc.jwks(tenant)).keys)).toEqual(kidsOf([...before, ...rotated]));
      const after = await svc.signingKeys(tenant);
      expect(signerOf(after)).toEqual(signerOf(before));
      expect(after.slice(0, 3).map((k) => k.kid)).toEqual(before.map((k) => k.kid));

      clock.advance(599);
      expect(await svc.promoteDue()).toEqual([]);
      expect(signerOf(await svc.signingKeys(tenant))).toEqual(signerOf(before));
    });

    it('commits a keys.rotated event with the new kids, algs and activation time', async () => {
      const rotated = await svc.rotate(tenant, { alg: 'RS256', publishSeconds: 60 }, 'api-key:k1');
      const events = (await h.rotatedEvents()).filter((e) => e.tenantId === tenant);
      expect(events).toEqual([
        expect.objectContaining({
          tenantId: tenant,
          actor: 'api-key:k1',
          subject: tenant,
          data: { tenantId: tenant, kids: [rotated[0].kid], algs: ['RS256'], activatesAt: new Date(clock.ms + 60_000).toISOString() },
        }),
      ]);
    });

    it('swaps the active key when due: the old one is retired, still published, and gone after expiresAt', async () => {
      const before = await svc.signingKeys(tenant);
      const rotated = await svc.rotate(tenant, {}, 'api-key:k1');

      clock.advance(600);
      // The sweep covers every tenant; earlier cases left due keys of theirs too.
      expect(await svc.promoteDue()).toEqual(expect.arrayContaining(kidsOf(rotated)));
      expect(await svc.promoteDue()).toEqual([]);
      const after = await svc.signingKeys(tenant);
      expect(signerOf(after)).toEqual(Object.fromEntries(rotated.map((k) => [k.alg, k.kid])));
      const listed = await svc.list(tenant);
      const retired = listed.filter((k) => k.status === 'retired');
      expect(kidsOf(retired)).toEqual(kidsOf(before));
      for (const k of retired) {
        expect(k.retiredAt).toBe(new Date(clock.ms).toISOString());
        expect(k.expiresAt).toBe(new Date(clock.ms + 2 * DAY * 1000).toISOString());
      }
      expect(kidsOf((await svc.jwks(tenant)).keys)).toEqual(kidsOf([...before, ...rotated]));
      // Retired keys stay in the provider's key set (after the active ones), so old tokens still verify.
      expect(after.slice(3).map((k) => k.kid)).toEqual(expect.arrayContaining(before.map((k) => k.kid)));

      clock.advance(2 * DAY - 1);
      await svc.promoteDue();
      expect((await svc.jwks(tenant)).keys).toHaveLength(6);
      clock.advance(1);
      await svc.promoteDue();
      expect(kidsOf((await svc.jwks(tenant)).keys)).toEqual(kidsOf(rotated));
      expect(kidsOf(await rowsOf(tenant))).toEqual(kidsOf(rotated));
    });

    it('promotes and expires lazily on reads when no timer has run', async () => {
      const before = await svc.signingKeys(tenant);
      const rotated = await svc.rotate(tenant, { publishSeconds: 30 }, 'api-key:k1');
      clock.advance(30);
      expect(signerOf(await svc.signingKeys(tenant))).toEqual(Object.fromEntries(rotated.map((k) => [k.alg, k.kid])));
      clock.advance(2 * DAY);
      expect(kidsOf((await svc.jwks(tenant)).keys)).toEqual(kidsOf(rotated));
      expect((await rowsOf(tenant)).some((r) => before.some((b) => b.kid === r.kid))).toBe(false);
    });

    it('activates at once with publishSeconds 0, only for the alg given', async () => {
      const before = signerOf(await svc.signingKeys(tenant));
      const [rs] = await svc.rotate(tenant, { alg: 'RS256', publishSeconds: 0 }, 'api-key:k1');
      expect(rs).toEqual(expect.objectContaining({ alg: 'RS256', status: 'active' }));
      expect(signerOf(await svc.signingKeys(tenant))).toEqual({ ...before, RS256: rs.kid });
      expect((await svc.list(tenant)).filter((k) => k.status === 'retired').map((k) => k.kid)).toEqual([before.RS256]);
    });

    it('replaces a pending key that has not started signing, keeping one next key per alg', async () => {
      const first = await svc.rotate(tenant, { alg: 'ES256' }, 'api-key:k1');
      clock.advance(60);
      const second = await svc.rotate(tenant, { alg: 'ES256', publishSeconds: 120 }, 'api-key:k1');
      const pending = (await svc.list(tenant)).filter((k) => k.status === 'next');
      expect(pending.map((k) => k.kid)).toEqual([second[0].kid]);
      expect((await svc.jwks(tenant)).keys.map((k) => k.kid)).not.toContain(first[0].kid);
    });

    it('lets a due pending key sign before a new rotation, instead of dropping it', async () => {
      const first = await svc.rotate(tenant, { alg: 'EdDSA', publishSeconds: 10 }, 'api-key:k1');
      clock.advance(10);
      const second = await svc.rotate(tenant, { alg: 'EdDSA', publishSeconds: 10 }, 'api-key:k1');
      const status = Object.fromEntries((await svc.list(tenant)).map((k) => [k.kid, k.status]));
      expect(status[first[0].kid]).toBe('active');
      expect(status[second[0].kid]).toBe('next');
    });

    it('promotes on its interval timer, and stops it on shutdown', async () => {
      const timed = h.service({ promoteIntervalMs: 10 });
      const [next] = await timed.rotate(tenant, { alg: 'ES256', publishSeconds: 5 }, 'api-key:k1');
      timed.onApplicationBootstrap();
      try {
        clock.advance(5);
        const statusOf = async () => (await ds.getRepository(SigningKeyEntity).findOneByOrFail({ kid: next.kid })).status;
        for (let i = 0; i < 200 && (await statusOf()) !== 'active'; i++) await new Promise((r) => setTimeout(r, 10));
        expect(await statusOf()).toBe('active');
      } finally {
        await timed.onModuleDestroy();
      }
    });

    it('refuses publishSeconds outside 0..86400', async () => {
      await expect(svc.rotate(tenant, { publishSeconds: 86_401 }, 'api-key:k1')).rejects.toMatchObject({ status: 400 });
      await expect(svc.rotate(tenant, { publishSeconds: -1 }, 'api-key:k1')).rejects.toMatchObject({ status: 400 });
      await expect(svc.rotate(tenant, { publishSeconds: 1.5 }, 'api-key:k1')).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('version', () => {
    it('stays the same while nothing changes and changes with every change of the key set', async () => {
      const v0 = await svc.version(tenant);
      expect(await svc.version(tenant)).toBe(v0);
      expect(Number.isSafeInteger(v0)).toBe(true);
      await svc.rotate(tenant, { alg: 'ES256', publishSeconds: 60 }, 'api-key:k1');
      const v1 = await svc.version(tenant);
      clock.advance(60);
      const v2 = await svc.version(tenant);
      clock.advance(2 * DAY);
      const v3 = await svc.version(tenant);
      expect(new Set([v0, v1, v2, v3]).size).toBe(4);
      const set = await svc.keySet(tenant);
      expect(set.version).toBe(v3);
      expect(kidsOf(set.keys)).toEqual(kidsOf((await svc.jwks(tenant)).keys));
    });

    it('is seen by another instance once its cache time has passed', async () => {
      const other = h.service({ cacheMs: 0 });
      const v0 = await other.version(tenant);
      await svc.rotate(tenant, {}, 'api-key:k1');
      expect(await other.version(tenant)).not.toBe(v0);
    });
  });

  describe('key material', () => {
    it('never puts a private member in the JWKS or the listing', async () => {
      await svc.rotate(tenant, {}, 'api-key:k1');
      clock.advance(600);
      await svc.rotate(tenant, { publishSeconds: 60 }, 'api-key:k1');
      const privates = await svc.signingKeys(tenant);
      expect(privates).toHaveLength(9);
      const { keys } = await svc.jwks(tenant);
      expect(keys).toHaveLength(9);
      for (const k of keys) {
        expect(Object.keys(k).sort()).toEqual(PUBLIC_MEMBERS[k.kty]);
        for (const m of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(m);
      }
      const listed = JSON.stringify(await svc.list(tenant));
      const jwks = JSON.stringify(keys);
      for (const priv of privates) {
        for (const m of PRIVATE_MEMBERS) {
          const value = (priv as unknown as Record<string, string | undefined>)[m];
          if (!value) continue;
          expect(jwks).not.toContain(value);
          expect(listed).not.toContain(value);
        }
      }
      const rows = await rowsOf(tenant);
      for (const row of rows) expect(listed).not.toContain(row.privateJwkSealed);
      expect(Object.keys(JSON.parse(listed)[0]).sort()).toEqual(['activatesAt', 'alg', 'createdAt', 'expiresAt', 'kid', 'retiredAt', 'status']);
    });

    it('cannot open a sealed key copied onto another tenant\u2019s row', async () => {
      const other = randomUUID();
      await svc.ensureKeys(tenant);
      await svc.ensureKeys(other);
      const mine = (await rowsOf(tenant)).find((r) => r.alg === 'ES256')!;
      const theirs = (await rowsOf(other)).find((r) => r.alg === 'ES256')!;
      await ds.getRepository(SigningKeyEntity).update({ kid: theirs.kid }, { privateJwkSealed: mine.privateJwkSealed });
      svc.forget(other);

      const failure = await svc.signingKeys(other).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SigningKeyUnavailableError);
      expect((failure as Error).message).toBe(`cannot open the private key ${theirs.kid} of tenant ${other}`);
      // The owner's own row still opens.
      expect((await svc.signingKeys(tenant)).map((k) => k.kid)).toContain(mine.kid);
    });

    it('publicJwkOf keeps only the public members, by allow-list', async () => {
      const { privateJwk } = await new SigningKeyGenerator().generate('RS256');
      const withExtra = { ...privateJwk, oth: [{ r: 'x' }], x5c: ['y'], ext: true } as unknown as PrivateSigningJwk;
      expect(Object.keys(publicJwkOf(withExtra)).sort()).toEqual(PUBLIC_MEMBERS.RSA);
    });
  });
});
