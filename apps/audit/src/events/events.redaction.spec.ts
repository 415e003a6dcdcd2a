import { isSecretField, redactSecrets } from './events.redaction';

describe('redactSecrets', () => {
  it('removes secret-looking fields at any depth and keeps the rest', () => {
    const data = {
      id: 'k1',
      name: 'backend',
      prefix: 'kl_ab12',
      scopes: ['admin'],
      key: 'kl_x',
      keyHash: 'abc',
      password: 'p',
      client_secret: 's',
      nested: { accessToken: 't', refresh_token: 'r', keyId: 'k1', list: [{ passwordHash: 'h', ok: 1 }] },
    };
    expect(redactSecrets(data)).toEqual({
      id: 'k1',
      name: 'backend',
      prefix: 'kl_ab12',
      scopes: ['admin'],
      nested: { keyId: 'k1', list: [{ ok: 1 }] },
    });
  });

  it('masks whole API keys inside string values but keeps short display prefixes', () => {
    const key = `kl_${'A1b2'.repeat(10)}`;
    const admin = `kl_admin_${'z'.repeat(40)}`;
    expect(redactSecrets({ note: `rotated ${key}`, other: [admin], prefix: 'kl_ab12' })).toEqual({
      note: 'rotated [redacted]',
      other: ['[redacted]'],
      prefix: 'kl_ab12',
    });
  });

  it('does not change its input', () => {
    const data = { key: 'x', inner: { secret: 'y' } };
    redactSecrets(data);
    expect(data).toEqual({ key: 'x', inner: { secret: 'y' } });
  });

  it('cuts absurdly deep structures instead of recursing without bound', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(JSON.stringify(redactSecrets(deep))).toContain('[truncated]');
  });

  it.each([
    ['key', true],
    ['apiKey', true],
    ['APIKey', true],
    ['secretHash', true],
    ['totp-secret', true],
    ['Authorization', true],
    ['keyId', false],
    ['tokenEndpoint', false],
    ['keyboard', false],
    ['monkey', false],
    ['prefix', false],
  ])('isSecretField(%s) is %s', (name, expected) => {
    expect(isSecretField(name)).toBe(expected);
  });
});
