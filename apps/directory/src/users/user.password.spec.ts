import { PASSWORD_HASH_FORMATS as CONTRACT_FORMATS } from '@keyline/directory-contracts';
import { PASSWORD_HASH_FORMATS, PasswordHasher, verifyPassword } from '@keyline/platform-passwords';

describe('password credentials handed to authn', () => {
  it('announce exactly the hash formats the password library understands', () => {
    expect([...CONTRACT_FORMATS]).toEqual([...PASSWORD_HASH_FORMATS]);
  });

  it('are argon2id PHC strings that verify the password and nothing else', async () => {
    const hash = await new PasswordHasher().hash('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery!', hash)).resolves.toBe(false);
  });
});
