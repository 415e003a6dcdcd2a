import { ApiKeyCache } from './api-key.cache';
import { REVOKED_KEY, UNKNOWN_KEY } from './api-key.principal';

describe('ApiKeyCache', () => {
  it('forgets entries after the TTL', () => {
    const cache = new ApiKeyCache(10, 500);
    cache.set('a', UNKNOWN_KEY, 1000);
    expect(cache.get('a', 1499)).toBe(UNKNOWN_KEY);
    expect(cache.get('a', 1500)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new ApiKeyCache(2, 1000);
    cache.set('a', UNKNOWN_KEY, 0);
    cache.set('b', REVOKED_KEY, 0);
    expect(cache.get('a', 1)).toBe(UNKNOWN_KEY); // a is now the young one
    cache.set('c', UNKNOWN_KEY, 2);
    expect(cache.get('b', 3)).toBeUndefined();
    expect(cache.get('a', 3)).toBe(UNKNOWN_KEY);
    expect(cache.get('c', 3)).toBe(UNKNOWN_KEY);
  });

  it('deletes and clears on demand, and caches nothing when disabled', () => {
    const cache = new ApiKeyCache(10, 1000);
    cache.set('a', UNKNOWN_KEY, 0);
    cache.set('b', UNKNOWN_KEY, 0);
    cache.delete('a');
    expect(cache.get('a', 1)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
    const off = new ApiKeyCache(10, 0);
    off.set('a', UNKNOWN_KEY, 0);
    expect(off.get('a', 0)).toBeUndefined();
  });
});
