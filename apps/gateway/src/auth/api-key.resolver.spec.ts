import { ApiKeyRecord, apiKeyCacheKey, apiKeyLastUsedKey } from '@keyline/directory-contracts';
import { ApiKeyCache } from './api-key.cache';
import { ApiKeyResolver, KeyDirectory, KeySource, KeyStore, KeyVerificationUnavailable, keyHash } from './api-key.resolver';

const KEY = `kl_${'k'.repeat(43)}`;
const HASH = keyHash(KEY);
const TENANT: ApiKeyRecord = { kind: 'tenant', keyId: 'k1', tenantId: 't1', tenantSlug: 'acme', scopes: ['admin'] };

class FakeStore implements KeyStore {
  readonly values = new Map<string, string>();
  gets = 0;
  down = false;
  async get(key: string) {
    this.gets++;
    if (this.down) throw new Error('Redis down');
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string) {
    if (this.down) throw new Error('Redis down');
    this.values.set(key, value);
    return 'OK';
  }
}

class FakeDirectory implements KeyDirectory {
  calls = 0;
  record: ApiKeyRecord = { kind: 'unknown' };
  down = false;
  gate: Promise<void> = Promise.resolve();
  async resolve() {
    this.calls++;
    await this.gate;
    if (this.down) throw new Error('directory down');
    return this.record;
  }
}

function setup() {
  let now = 1_000_000;
  const store = new FakeStore();
  const directory = new FakeDirectory();
  const sources: KeySource[] = [];
  const resolver = new ApiKeyResolver(new ApiKeyCache(100, 500), store, directory, { lookup: (s) => sources.push(s) }, () => now);
  return { store, directory, sources, resolver, tick: (ms: number) => (now += ms) };
}

describe('ApiKeyResolver', () => {
  it('hashes keys as hex SHA-256', () => {
    expect(keyHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('answers from memory synchronously after the first lookup, until the TTL passes', async () => {
    const { store, resolver, sources, tick } = setup();
    store.values.set(apiKeyCacheKey(HASH), JSON.stringify(TENANT));
    const first = resolver.check(KEY, 'r1');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual(expect.objectContaining({ valid: true, keyId: 'k1' }));
    const second = resolver.check(KEY, 'r2');
    expect(second).toEqual(expect.objectContaining({ valid: true, keyId: 'k1' }));
    expect(store.gets).toBe(1);
    tick(500);
    expect(resolver.check(KEY, 'r3')).toBeInstanceOf(Promise);
    expect(sources).toEqual(['redis', 'memory']);
  });

  it('asks the directory on a Redis miss, once for concurrent requests', async () => {
    const { directory, resolver, sources } = setup();
    directory.record = TENANT;
    let release!: () => void;
    directory.gate = new Promise((r) => (release = r));
    const all = [resolver.check(KEY, 'a'), resolver.check(KEY, 'b'), resolver.check(KEY, 'c')];
    await new Promise((r) => setImmediate(r));
    release();
    for (const r of await Promise.all(all)) expect(r.valid).toBe(true);
    expect(directory.calls).toBe(1);
    expect(sources).toEqual(['directory']);
  });

  it('refuses to guess when neither Redis nor the directory answers', async () => {
    const { store, directory, resolver } = setup();
    store.down = true;
    directory.down = true;
    await expect(resolver.check(KEY, 'r')).rejects.toBeInstanceOf(KeyVerificationUnavailable);
    // Redis alone being down is fine: the directory vouches.
    directory.down = false;
    directory.record = TENANT;
    expect(await resolver.check(KEY, 'r')).toEqual(expect.objectContaining({ valid: true }));
  });

  it('treats malformed Redis records as a miss', async () => {
    const { store, directory, resolver } = setup();
    store.values.set(apiKeyCacheKey(HASH), '{"kind":"tenant"');
    directory.record = { kind: 'revoked', keyId: 'k1', revoked: true };
    expect(await resolver.check(KEY, 'r')).toEqual({ valid: false, reason: 'revoked' });
    expect(directory.calls).toBe(1);
  });

  it('throttles directory lookups when the admission check says no', async () => {
    const { directory, resolver } = setup();
    expect(await resolver.check(KEY, 'r', async () => false)).toEqual({ valid: false, reason: 'throttled' });
    expect(directory.calls).toBe(0);
    // Not cached: the next admitted attempt asks.
    expect(await resolver.check(KEY, 'r', async () => true)).toEqual({ valid: false, reason: 'unknown' });
    expect(directory.calls).toBe(1);
  });

  it('forgets a key on eviction and does not cache a lookup that raced with it', async () => {
    const { store, directory, resolver } = setup();
    store.values.set(apiKeyCacheKey(HASH), JSON.stringify(TENANT));
    await resolver.check(KEY, 'r');
    store.values.set(apiKeyCacheKey(HASH), JSON.stringify({ kind: 'revoked', keyId: 'k1', revoked: true }));
    resolver.evict(HASH);
    expect(await resolver.check(KEY, 'r')).toEqual({ valid: false, reason: 'revoked' });

    store.values.delete(apiKeyCacheKey(HASH));
    resolver.evictAll();
    directory.record = TENANT;
    let release!: () => void;
    directory.gate = new Promise((r) => (release = r));
    const racing = resolver.check(KEY, 'r');
    await new Promise((r) => setImmediate(r));
    resolver.evict(HASH); // revocation arrives while the stale answer is in flight
    release();
    expect((await racing).valid).toBe(true);
    expect(resolver.check(KEY, 'r')).toBeInstanceOf(Promise); // not cached
  });

  it('records last use at most once a minute per key', async () => {
    const { store, resolver, tick } = setup();
    resolver.touch('k1');
    await new Promise((r) => setImmediate(r));
    const first = store.values.get(apiKeyLastUsedKey('k1'));
    expect(first).toBe('1000000');
    tick(59_999);
    resolver.touch('k1');
    await new Promise((r) => setImmediate(r));
    expect(store.values.get(apiKeyLastUsedKey('k1'))).toBe(first);
    tick(1);
    resolver.touch('k1');
    await new Promise((r) => setImmediate(r));
    expect(store.values.get(apiKeyLastUsedKey('k1'))).toBe('1060000');
    store.down = true;
    tick(60_000);
    expect(() => resolver.touch('k1')).not.toThrow();
  });
});
