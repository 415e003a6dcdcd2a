import { API_KEY_PREFIX, PLATFORM_KEY_PREFIX } from '@keyline/directory-contracts';
import { API_KEY_DISPLAY_LENGTH, displayPrefix, generateApiKey, hashApiKey } from './api-key.secret';

describe('API key material', () => {
  it('makes tenant keys of kl_ and 32 random bytes in base64url', () => {
    const key = generateApiKey('tenant');
    expect(key).toMatch(/^kl_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(PLATFORM_KEY_PREFIX)).toBe(false);
    expect(Buffer.from(key.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
  });

  it('makes platform keys of kl_admin_ and 32 random bytes', () => {
    expect(generateApiKey('platform')).toMatch(/^kl_admin_[A-Za-z0-9_-]{43}$/);
  });

  it('never makes the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey('tenant')));
    expect(keys.size).toBe(1000);
  });

  it('hashes with hex SHA-256 of the whole key, as the gateway does', () => {
    // FIPS 180-2 test vector.
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('kl_a')).not.toBe(hashApiKey('kl_b'));
    expect(hashApiKey(generateApiKey('tenant'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps only the first 12 characters for display', () => {
    const key = generateApiKey('tenant');
    expect(displayPrefix(key)).toBe(key.slice(0, 12));
    expect(displayPrefix(key)).toHaveLength(API_KEY_DISPLAY_LENGTH);
  });
});
