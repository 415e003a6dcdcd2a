import { argon2Sync } from 'node:crypto';
import { normalisePasswordHash } from './password-hash.format';
import { OWASP_ARGON2ID, PasswordHasher } from './password.hasher';

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

describe('password hasher (argon2id)', () => {
  const hasher = new PasswordHasher();

  it('defaults to the OWASP argon2id minimum with a 16-byte salt and a 32-byte tag', () => {
    expect(hasher.parameters).toEqual({ memoryKiB: 19456, passes: 2, parallelism: 1, saltLength: 16, tagLength: 32 });
    expect(Object.isFrozen(hasher.parameters)).toBe(true);
  });

  it('emits a PHC string that an independent argon2id computation reproduces', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    const [, m, t, p, salt, tag] = PHC.exec(stored)!;
    expect([m, t, p]).toEqual(['19456', '2', '1']);
    const saltBytes = Buffer.from(salt, 'base64');
    expect(saltBytes).toHaveLength(16);
    const expected = argon2Sync('argon2id', {
      message: 'correct horse battery staple',
      nonce: saltBytes,
      memory: 19456,
      passes: 2,
      parallelism: 1,
      tagLength: 32,
    });
    expect(Buffer.from(tag, 'base64')).toEqual(expected);
  });

  it('verifies its own hashes and rejects other passwords', async () => {
    const stored = await hasher.hash('pässwörd 🔑');
    await expect(hasher.verify('pässwörd 🔑', stored)).resolves.toBe(true);
    await expect(hasher.verify('passwörd 🔑', stored)).resolves.toBe(false);
    await expect(hasher.verify('', stored)).resolves.toBe(false);
  });

  it('salts every hash afresh', async () => {
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
    expect(PHC.exec(a)![4]).not.toBe(PHC.exec(b)![4]);
  });

  it('verifies imported hashes of any format through the same entry point', async () => {
    const stored = normalisePasswordHash({ format: 'bcrypt', hash: '$2y$07$usesomesillystringfore2uDLvp1Ii2e./U9C8sBjqp8I90dH6hi' });
    await expect(hasher.verify('rasmuslerdorf', stored)).resolves.toBe(true);
    expect(hasher.needsRehash(stored)).toBe(true);
  });

  it('asks for a rehash once its parameters are raised, not before', async () => {
    const stored = await hasher.hash('pw');
    expect(hasher.needsRehash(stored)).toBe(false);
    expect(new PasswordHasher({ ...OWASP_ARGON2ID, memoryKiB: 47104 }).needsRehash(stored)).toBe(true);
    expect(new PasswordHasher({ ...OWASP_ARGON2ID, passes: 3 }).needsRehash(stored)).toBe(true);
    expect(new PasswordHasher({ ...OWASP_ARGON2ID, tagLength: 64 }).needsRehash(stored)).toBe(true);
  });

  it('accepts each of OWASP’s equivalent configurations', () => {
    for (const [memoryKiB, passes] of [
      [47104, 1],
      [12288, 3],
      [9216, 4],
      [7168, 5],
    ]) {
      expect(new PasswordHasher({ ...OWASP_ARGON2ID, memoryKiB, passes }).parameters).toMatchObject({ memoryKiB, passes });
    }
  });

  it('refuses configurations below the OWASP minimum or beyond what the verifier accepts', () => {
    const make = (overrides: Partial<typeof OWASP_ARGON2ID>) => () => new PasswordHasher({ ...OWASP_ARGON2ID, ...overrides });
    expect(make({ memoryKiB: 19455 })).toThrow(/below the OWASP minimum/);
    expect(make({ memoryKiB: 47103, passes: 1 })).toThrow(/below the OWASP minimum/);
    expect(make({ saltLength: 8 })).toThrow(/saltLength must be at least 16 bytes/);
    expect(make({ tagLength: 16 })).toThrow(/tagLength must be at least 32 bytes/);
    expect(make({ memoryKiB: 2 * 1024 * 1024 })).toThrow(/exceed what the verifier accepts/);
    expect(make({ parallelism: 0 })).toThrow(/positive integers/);
    expect(make({ passes: 2.5 })).toThrow(RangeError);
  });
});
