import { createHash, pbkdf2Sync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { verifyPassword } from '@keyline/platform-passwords';
import { fakeBcrypt } from './import.testing';
import { importedHash } from './imported-hash';

describe('imported password hashes', () => {
  it('accepts hashes in the formats of other systems, and the canonical form verifies the original password', async () => {
    const salt = Buffer.from('saltsaltsaltsalt');
    const pbkdf2 = `$pbkdf2-sha256$i=1000$${salt.toString('base64')}$${pbkdf2Sync('hunter22', salt, 1000, 32, 'sha256').toString('base64')}`;
    const digest = createHash('sha256').update('NaCl' + 'hunter22').digest('hex');
    const inputs = [
      { format: 'bcrypt', hash: bcrypt.hashSync('hunter22', 4).replace('$2a$', '$2y$') },
      { format: 'pbkdf2-sha256', hash: pbkdf2 },
      { format: 'salted-sha256', hash: digest, salt: 'NaCl', saltPosition: 'prefix' },
    ];
    for (const input of inputs) {
      const parsed = importedHash(input);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.format).toBe(input.format);
      await expect(verifyPassword('hunter22', parsed.hash)).resolves.toBe(true);
      await expect(verifyPassword('hunter23', parsed.hash)).resolves.toBe(false);
    }
    expect(importedHash({ format: 'bcrypt', hash: fakeBcrypt('a') }).ok).toBe(true);
  });

  it.each([
    [{ format: 'md5', hash: 'abc' }, 'passwordHash.format must be one of'],
    [{ format: 'bcrypt', hash: '$2b$10$tooShortToBeAHash' }, 'passwordHash: invalid bcrypt hash'],
    [{ format: 'argon2i', hash: 'plain-text-password' }, 'passwordHash: invalid argon2i hash'],
    [{ format: 'scrypt', hash: '$scrypt$ln=30,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA' }, 'passwordHash: invalid scrypt hash'],
    [{ format: 'bcrypt', hash: fakeBcrypt('b'), salt: 'pepper' }, 'salted-sha256 only'],
    [{ format: 'salted-sha256', hash: 'f'.repeat(64), salt: 's', saltPosition: 'middle' }, 'saltPosition must be prefix or suffix'],
    [{ format: 'salted-sha256', hash: 'f'.repeat(64), salt: 's', saltEncoding: 'rot13' }, 'saltEncoding must be utf8, hex or base64'],
  ])('refuses %j with a message that does not repeat the hash', (input, message) => {
    const result = importedHash(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(message);
    expect(result.message).not.toContain(input.hash);
  });
});
