import { PasswordHashFormat } from './password-hash.formats';
import {
  ImportedPasswordHash,
  InvalidPasswordHash,
  normalisePasswordHash,
  parseImportedPasswordHash,
  parseStoredPasswordHash,
} from './password-hash.format';

const normalise = (format: PasswordHashFormat, hash: string, extra: Partial<ImportedPasswordHash> = {}) =>
  normalisePasswordHash({ format, hash, ...extra });

const rejection = (input: ImportedPasswordHash): InvalidPasswordHash => {
  try {
    normalisePasswordHash(input);
  } catch (err) {
    if (err instanceof InvalidPasswordHash) return err;
    throw err;
  }
  throw new Error('expected InvalidPasswordHash');
};

// Reference implementation CLI example (phc-winner-argon2 README): "password", salt "somesalt".
const ARGON2I_CLI = '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
const ARGON2ID_REF = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
// PHP's password_verify test: "rasmuslerdorf".
const PHP_BCRYPT = '$07$usesomesillystringfore2uDLvp1Ii2e./U9C8sBjqp8I90dH6hi';
// passlib test_handlers_pbkdf2.py: "password".
const PASSLIB_PBKDF2_SHA256 = '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ';
// Django auth_tests test_hashers.py: "lètmein".
const DJANGO_PBKDF2 = 'pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=';
// passlib test_handlers_scrypt.py: "test".
const PASSLIB_SCRYPT = '$scrypt$ln=8,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA';
// SHA-256("NaCl" + "password"), computed once with node:crypto.
const SHA256_NACL_PASSWORD = 'b20ab74aa2549f7e13a0e886cb4471cc2e70fcd2ce8075c0ee6483abba6132f3';

describe('normalising imported password hashes', () => {
  it('keeps argon2 PHC strings as they are, minus base64 padding', () => {
    expect(normalise('argon2i', ARGON2I_CLI)).toBe(ARGON2I_CLI);
    expect(normalise('argon2id', ARGON2ID_REF)).toBe(ARGON2ID_REF);
    expect(normalise('argon2id', '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc=')).toBe(ARGON2ID_REF);
    expect(normalise('argon2id', `  ${ARGON2ID_REF}\n`)).toBe(ARGON2ID_REF);
  });

  it('accepts only argon2 version 19 and only the variant named by the format', () => {
    expect(rejection({ format: 'argon2i', hash: '$argon2i$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ' }).message).toMatch(
      /version 16 .* only v=19/,
    );
    expect(rejection({ format: 'argon2id', hash: ARGON2ID_REF.replace('v=19', 'v=16') }).message).toMatch(/only version 19/);
    expect(rejection({ format: 'argon2id', hash: ARGON2I_CLI }).message).toMatch(/expected \$argon2id\$v=19/);
    expect(rejection({ format: 'argon2i', hash: ARGON2ID_REF }).message).toMatch(/expected \$argon2i\$v=19/);
    expect(rejection({ format: 'argon2id', hash: ARGON2ID_REF.replace('p=1', 'p=1,keyid=AAAA') }).message).toMatch(/exactly m=/);
    expect(rejection({ format: 'argon2id', hash: ARGON2ID_REF.replace('m=65536,t=2', 't=2,m=65536') }).message).toMatch(/exactly m=/);
  });

  it('bounds argon2 cost so an imported hash cannot make sign-in a denial of service', () => {
    const withParams = (params: string) => ARGON2ID_REF.replace('m=65536,t=2,p=1', params);
    expect(normalise('argon2id', withParams('m=1048576,t=100,p=64'))).toContain('m=1048576,t=100,p=64');
    expect(rejection({ format: 'argon2id', hash: withParams('m=1048577,t=2,p=1') }).message).toBe(
      'invalid argon2id hash: m=1048577 is outside the accepted range 8..1048576',
    );
    expect(rejection({ format: 'argon2id', hash: withParams('m=65536,t=101,p=1') }).message).toMatch(/t=101 is outside .*1\.\.100/);
    expect(rejection({ format: 'argon2id', hash: withParams('m=65536,t=2,p=65') }).message).toMatch(/p=65 is outside .*1\.\.64/);
    expect(rejection({ format: 'argon2id', hash: withParams('m=31,t=2,p=4') }).message).toMatch(/m=31 is outside .*32\.\./);
    expect(rejection({ format: 'argon2id', hash: withParams('m=65536,t=0,p=1') }).message).toMatch(/t=0 is outside/);
    expect(rejection({ format: 'argon2id', hash: withParams('m=65536,t=99999999999999999999,p=1') }).message).toMatch(/t is outside .*1\.\.100/);
    expect(rejection({ format: 'argon2id', hash: withParams('m=065536,t=2,p=1') }).message).toMatch(/m must be a decimal integer/);
    // "short" is 5 bytes; the algorithm needs at least 8.
    expect(rejection({ format: 'argon2id', hash: ARGON2ID_REF.replace('c29tZXNhbHQ', 'c2hvcnQ') }).message).toMatch(/salt is 5 bytes; expected 8\.\./);
    expect(rejection({ format: 'argon2id', hash: ARGON2ID_REF.replace('c29tZXNhbHQ', 'c29tZX*hbHQ') }).message).toMatch(/salt is not valid base64/);
  });

  it('stores bcrypt as $2a$ or $2b$, reading $2y$ as $2b$', () => {
    expect(normalise('bcrypt', `$2a${PHP_BCRYPT}`)).toBe(`$2a${PHP_BCRYPT}`);
    expect(normalise('bcrypt', `$2b${PHP_BCRYPT}`)).toBe(`$2b${PHP_BCRYPT}`);
    expect(normalise('bcrypt', `$2y${PHP_BCRYPT}`)).toBe(`$2b${PHP_BCRYPT}`);
  });

  it('clears the spare bits of bcrypt salt and digest that bcryptjs would never reproduce', () => {
    // passlib's known_incorrect_padding vectors: R (2 spare bits set) reads as O, V as S.
    expect(normalise('bcrypt', '$2a$04$oaQbBqq8JnSM1NHRPQGXORY4Vw3bdHKLIXTecPDRAcJ98cz1ilveO')).toBe(
      '$2a$04$oaQbBqq8JnSM1NHRPQGXOOY4Vw3bdHKLIXTecPDRAcJ98cz1ilveO',
    );
    expect(normalise('bcrypt', '$2a$04$yjDgE74RJkeqC0/1NheSSOrvKeu9IbKDpcQf/Ox3qsrRS/Kw42qIV')).toBe(
      '$2a$04$yjDgE74RJkeqC0/1NheSSOrvKeu9IbKDpcQf/Ox3qsrRS/Kw42qIS',
    );
  });

  it('rejects bcrypt with another revision, a cost outside 4..31 or a wrong length', () => {
    expect(rejection({ format: 'bcrypt', hash: `$2x${PHP_BCRYPT}` }).message).toMatch(/expected \$2a\$, \$2b\$ or \$2y\$/);
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`.replace('$07$', '$03$') }).message).toBe('invalid bcrypt hash: cost 3 is outside 4..31');
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`.replace('$07$', '$32$') }).message).toMatch(/cost 32 is outside 4\.\.31/);
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`.replace('$07$', '$7$') }).message).toMatch(/two-digit cost/);
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`.slice(0, -1) }).message).toMatch(/31 hash characters/);
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`.replace('.', '!') }).message).toMatch(/22 salt/);
  });

  it('refuses bcrypt costs above 16, which take seconds per sign-in', () => {
    expect(normalise('bcrypt', `$2b${PHP_BCRYPT}`.replace('$07$', '$16$'))).toMatch(/^\$2b\$16\$/);
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`.replace('$07$', '$17$') }).message).toBe(
      'invalid bcrypt hash: cost 17 is above the import limit of 16',
    );
  });

  it('converts passlib and Django pbkdf2 hashes to the PHC form', () => {
    expect(normalise('pbkdf2-sha256', PASSLIB_PBKDF2_SHA256)).toBe(
      '$pbkdf2-sha256$i=1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg+fJPeq1h/gXXY7acBp9/6c+tmQ',
    );
    // Django's salt is text: its UTF-8 bytes ("seasalt") become the PHC salt.
    expect(normalise('pbkdf2-sha256', DJANGO_PBKDF2)).toBe('$pbkdf2-sha256$i=10000$c2Vhc2FsdA$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY');
    expect(normalise('pbkdf2-sha512', DJANGO_PBKDF2.replace('pbkdf2_sha256', 'pbkdf2_sha512'))).toMatch(/^\$pbkdf2-sha512\$i=10000\$c2Vhc2FsdA\$/);
    const phc = '$pbkdf2-sha256$i=6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M';
    expect(normalise('pbkdf2-sha256', phc)).toBe(phc);
  });

  it('rejects pbkdf2 with the wrong digest, iterations outside 1..10,000,000 or bad encodings', () => {
    expect(rejection({ format: 'pbkdf2-sha512', hash: PASSLIB_PBKDF2_SHA256 }).message).toMatch(
      /expected \$pbkdf2-sha512\$i=<iterations>.*\(PHC\).*\(passlib\).*pbkdf2_sha512\$.*\(Django\)/,
    );
    expect(rejection({ format: 'pbkdf2-sha512', hash: DJANGO_PBKDF2 }).message).toMatch(/\(Django\)/);
    expect(rejection({ format: 'pbkdf2-sha256', hash: PASSLIB_PBKDF2_SHA256.replace('$1212$', '$0$') }).message).toMatch(
      /iterations=0 is outside the accepted range 1\.\.10000000/,
    );
    expect(rejection({ format: 'pbkdf2-sha256', hash: DJANGO_PBKDF2.replace('$10000$', '$10000001$') }).message).toMatch(/iterations=10000001/);
    expect(rejection({ format: 'pbkdf2-sha256', hash: PASSLIB_PBKDF2_SHA256.replace('$1212$', '$01212$') }).message).toMatch(/decimal integer/);
    // passlib's alphabet has no "+"; the PHC form has no ".".
    expect(rejection({ format: 'pbkdf2-sha256', hash: PASSLIB_PBKDF2_SHA256.replace('Fg.', 'Fg+') }).message).toMatch(/hash is not valid passlib ab64/);
    expect(rejection({ format: 'pbkdf2-sha256', hash: PASSLIB_PBKDF2_SHA256.replace('$1212$', '$i=1212$') }).message).toMatch(/hash is not valid base64/);
    expect(rejection({ format: 'pbkdf2-sha256', hash: DJANGO_PBKDF2.replace('$seasalt$', () => '$$') }).message).toMatch(/salt is empty/);
    expect(rejection({ format: 'pbkdf2-sha256', hash: '$pbkdf2-sha256$i=1000$c2FsdA$c2hvcnQ' }).message).toMatch(/hash is 5 bytes; expected 16\.\.64/);
  });

  it('keeps passlib scrypt hashes and bounds their memory and work', () => {
    expect(normalise('scrypt', PASSLIB_SCRYPT)).toBe(PASSLIB_SCRYPT);
    const withParams = (params: string) => PASSLIB_SCRYPT.replace('ln=8,r=8,p=1', params);
    expect(normalise('scrypt', withParams('ln=18,r=8,p=4'))).toContain('ln=18,r=8,p=4');
    expect(rejection({ format: 'scrypt', hash: withParams('ln=19,r=8,p=1') }).message).toBe(
      'invalid scrypt hash: ln=19,r=8 needs more than 256 MiB',
    );
    expect(rejection({ format: 'scrypt', hash: withParams('ln=18,r=8,p=5') }).message).toMatch(/p=5 is too slow to verify/);
    expect(rejection({ format: 'scrypt', hash: withParams('ln=4,r=8,p=17') }).message).toMatch(/p=17 is outside .*1\.\.16/);
    expect(rejection({ format: 'scrypt', hash: withParams('ln=0,r=8,p=1') }).message).toMatch(/ln=0 is outside/);
    // RFC 7914 §2: N must be less than 2^(128·r/8).
    expect(rejection({ format: 'scrypt', hash: withParams('ln=16,r=1,p=1') }).message).toBe('invalid scrypt hash: ln=16 must be less than 16·r');
    expect(rejection({ format: 'scrypt', hash: withParams('ln=8,p=1') }).message).toMatch(/exactly ln=/);
    expect(rejection({ format: 'scrypt', hash: '$scrypt$ln=4,r=1,p=1$$d9ZXYjhleyA7GcpCwYoEl/FrSETjB0ro39/6P+3iFEI' }).message).toMatch(
      /salt is not valid base64/,
    );
  });

  it('reads salted SHA-256 from sha256$<salt>$<digest> or a separate salt, in either order', () => {
    const b64 = Buffer.from(SHA256_NACL_PASSWORD, 'hex').toString('base64').replace(/=$/, '');
    const canonical = `$salted-sha256$pos=prefix$TmFDbA$${b64}`;
    expect(normalise('salted-sha256', `sha256$NaCl$${SHA256_NACL_PASSWORD}`)).toBe(canonical);
    expect(normalise('salted-sha256', SHA256_NACL_PASSWORD.toUpperCase(), { salt: 'NaCl' })).toBe(canonical);
    expect(normalise('salted-sha256', `${b64}=`, { salt: 'TmFDbA==', saltEncoding: 'base64' })).toBe(canonical);
    expect(normalise('salted-sha256', SHA256_NACL_PASSWORD, { salt: '4e61436c', saltEncoding: 'hex', saltPosition: 'suffix' })).toBe(
      `$salted-sha256$pos=suffix$TmFDbA$${b64}`,
    );
  });

  it('rejects salted SHA-256 input that is ambiguous or malformed', () => {
    const digest = SHA256_NACL_PASSWORD;
    expect(rejection({ format: 'salted-sha256', hash: digest }).message).toMatch(/expected sha256\$<salt>\$<digest>/);
    expect(rejection({ format: 'salted-sha256', hash: `sha256$NaCl$${digest}`, salt: 'NaCl' }).message).toMatch(/bare digest/);
    expect(rejection({ format: 'salted-sha256', hash: `sha256$NaCl$${digest.slice(2)}` }).message).toMatch(/64 hex characters or the base64 of 32 bytes/);
    expect(rejection({ format: 'salted-sha256', hash: `sha256$$${digest}` }).message).toMatch(/salt is 0 bytes/);
    expect(rejection({ format: 'salted-sha256', hash: digest, salt: 'xyz', saltEncoding: 'hex' }).message).toMatch(/salt is not valid hex/);
    const loose = { format: 'salted-sha256', hash: digest, salt: 'NaCl', saltPosition: 'middle' } as unknown as ImportedPasswordHash;
    expect(rejection(loose).message).toMatch(/saltPosition must be prefix or suffix/);
    expect(rejection({ format: 'bcrypt', hash: `$2b${PHP_BCRYPT}`, salt: 'NaCl' }).message).toMatch(/apply to salted-sha256 only/);
  });

  it('rejects unknown formats and oversized input before parsing', () => {
    const unknown = { format: 'md5', hash: '5f4dcc3b5aa765d61d8327deb882cf99' } as unknown as ImportedPasswordHash;
    expect(rejection(unknown)).toMatchObject({ format: undefined, message: expect.stringMatching(/unsupported format; expected one of argon2id, argon2i, bcrypt/) });
    expect(rejection({ format: 'scrypt', hash: `${PASSLIB_SCRYPT}${'A'.repeat(1024)}` }).message).toMatch(/longer than 1024 characters/);
    expect(rejection({ format: 'scrypt', hash: '   ' }).message).toBe('invalid scrypt hash: hash is empty');
  });

  it('never echoes the hash, salt or digest in an error', () => {
    const secretish = 'Zm9vYmFyYmF6cXV4cXV1eA';
    const inputs: ImportedPasswordHash[] = [
      { format: 'argon2id', hash: `$argon2id$v=19$m=65536,t=2,p=1$${secretish}$!!` },
      { format: 'argon2i', hash: `$argon2i$v=18$m=65536,t=2,p=1$${secretish}$${secretish}` },
      { format: 'bcrypt', hash: `$2x$10$${secretish}` },
      { format: 'pbkdf2-sha256', hash: `pbkdf2_sha256$0$${secretish}$${secretish}` },
      { format: 'pbkdf2-sha512', hash: `$pbkdf2-sha512$i=1$${secretish}` },
      { format: 'scrypt', hash: `$scrypt$ln=40,r=8,p=1$${secretish}$${secretish}` },
      { format: 'salted-sha256', hash: `sha256$${secretish}$${secretish}` },
    ];
    for (const input of inputs) {
      const err = rejection(input);
      expect(err).toBeInstanceOf(InvalidPasswordHash);
      expect(err.name).toBe('InvalidPasswordHash');
      expect(err.format).toBe(input.format);
      expect(err.message).toMatch(new RegExp(`^invalid ${input.format} hash: `));
      expect(err.message).not.toContain(secretish.slice(0, 8));
    }
  });

  it('is idempotent: a canonical hash normalises to itself', () => {
    const inputs: ImportedPasswordHash[] = [
      { format: 'argon2id', hash: ARGON2ID_REF },
      { format: 'bcrypt', hash: `$2y${PHP_BCRYPT}` },
      { format: 'pbkdf2-sha256', hash: DJANGO_PBKDF2 },
      { format: 'scrypt', hash: PASSLIB_SCRYPT },
      { format: 'salted-sha256', hash: `sha256$NaCl$${SHA256_NACL_PASSWORD}`, saltPosition: 'suffix' },
    ];
    for (const input of inputs) {
      const once = normalisePasswordHash(input);
      expect(normalisePasswordHash({ format: input.format, hash: once })).toBe(once);
      expect(parseStoredPasswordHash(once)).toEqual(parseImportedPasswordHash(input));
    }
  });

  it('reads back only canonical stored hashes', () => {
    expect(parseStoredPasswordHash(ARGON2I_CLI)).toMatchObject({ format: 'argon2i', memoryKiB: 65536, passes: 2, parallelism: 4 });
    expect(parseStoredPasswordHash(`$2a${PHP_BCRYPT}`)).toMatchObject({ format: 'bcrypt', minor: 'a', cost: 7 });
    expect(() => parseStoredPasswordHash(`$2y${PHP_BCRYPT}`)).toThrow('invalid password hash: not a recognised stored hash');
    expect(() => parseStoredPasswordHash(PASSLIB_PBKDF2_SHA256)).toThrow('invalid pbkdf2-sha256 hash: stored hash is not in canonical form');
    expect(() => parseStoredPasswordHash(`${ARGON2ID_REF} `)).toThrow(/not in canonical form/);
    expect(() => parseStoredPasswordHash(DJANGO_PBKDF2)).toThrow(/not a recognised stored hash/);
    expect(() => parseStoredPasswordHash('$argon2d$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$cZn5d+rFh+ZfuRhm2iGUGgcrW5YLeM6q7L3vBsdmFA0')).toThrow(
      /not a recognised stored hash/,
    );
  });
});
