import { AuthnKeys } from '../core/keys';
import { SecretBox } from '../crypto/secret-box';
import { ApplicationEntity } from './application.entity';
import { CLIENT_SECRET_PREFIX, ClientCredentials, hashClientSecret, verifyClientSecret } from './client-secret';

describe('client secrets', () => {
  const keys = new AuthnKeys(SecretBox.generateKeySpec('t1'));
  const credentials = new ClientCredentials(keys);
  const now = new Date('2030-01-01T12:00:00Z');
  const appWith = (fields: Partial<ApplicationEntity>) =>
    Object.assign(new ApplicationEntity(), { secretHash: null, previousSecretHash: null, previousSecretExpiresAt: null, deletedAt: null, ...fields });

  it('issues high-entropy klcs_ secrets and public client ids, and stores only a keyed hash', () => {
    const a = credentials.newSecret();
    const b = credentials.newSecret();
    expect(a.secret).toMatch(new RegExp(`^${CLIENT_SECRET_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(a.secret).not.toBe(b.secret);
    expect(a.hash).toBe(hashClientSecret(keys, a.secret));
    expect(a.hash).not.toContain(a.secret.slice(CLIENT_SECRET_PREFIX.length));
    // Another server key gives another hash: a leaked table alone verifies nothing.
    expect(hashClientSecret(new AuthnKeys(SecretBox.generateKeySpec('t2')), a.secret)).not.toBe(a.hash);
    expect(credentials.newClientId()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('verifies the current secret and nothing else', () => {
    const { secret, hash } = credentials.newSecret();
    const app = appWith({ secretHash: hash });
    expect(verifyClientSecret(keys, secret, app, now)).toBe(true);
    expect(verifyClientSecret(keys, `${secret}x`, app, now)).toBe(false);
    expect(verifyClientSecret(keys, secret.slice(0, -1), app, now)).toBe(false);
    expect(verifyClientSecret(keys, '', app, now)).toBe(false);
    expect(verifyClientSecret(keys, hash, app, now)).toBe(false);
    expect(verifyClientSecret(keys, `${secret}${'x'.repeat(300)}`, app, now)).toBe(false);
  });

  it('accepts the previous secret after a rotation until its grace period ends', () => {
    const old = credentials.newSecret();
    const next = credentials.newSecret();
    const app = appWith({ secretHash: next.hash, previousSecretHash: old.hash, previousSecretExpiresAt: new Date(now.getTime() + 60_000) });
    expect(verifyClientSecret(keys, next.secret, app, now)).toBe(true);
    expect(verifyClientSecret(keys, old.secret, app, now)).toBe(true);
    expect(verifyClientSecret(keys, old.secret, app, new Date(now.getTime() + 59_999))).toBe(true);
    expect(verifyClientSecret(keys, old.secret, app, new Date(now.getTime() + 60_000))).toBe(false);
    expect(verifyClientSecret(keys, next.secret, app, new Date(now.getTime() + 60_000))).toBe(true);
  });

  it('accepts no secret for a public client or a deleted application', () => {
    const { secret, hash } = credentials.newSecret();
    expect(verifyClientSecret(keys, secret, appWith({}), now)).toBe(false);
    expect(verifyClientSecret(keys, secret, appWith({ secretHash: hash, deletedAt: now }), now)).toBe(false);
  });
});
