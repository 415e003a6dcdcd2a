import { generateKeyPairSync } from 'node:crypto';
import { type ApplicationInput, type ApplicationSettings, defaultsFor, redirectUriProblem, validateApplication } from './applications.rules';

const web = (over: ApplicationInput = {}): ApplicationInput => ({ name: 'Shop', type: 'web', redirectUris: ['https://shop.example.com/callback'], ...over });
const fieldsOf = (input: ApplicationInput, mode: Parameters<typeof validateApplication>[1] = 'create') => validateApplication(input, mode).errors.map((e) => e.field);
const created = (input: ApplicationInput): ApplicationSettings => {
  const r = validateApplication(input, 'create');
  expect(r.errors).toEqual([]);
  return r.value as ApplicationSettings;
};
const publicJwk = (kind: 'ec' | 'rsa' | 'ed25519' = 'ec') => {
  const { publicKey, privateKey } =
    kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return { pub: publicKey.export({ format: 'jwk' }) as Record<string, string>, priv: privateKey.export({ format: 'jwk' }) as Record<string, string> };
};

describe('validateApplication', () => {
  describe('defaults per type', () => {
    it('gives a web app the code flow with refresh tokens, OIDC scopes, client_secret_basic and the standard lifetimes', () => {
      expect(created(web())).toEqual({
        name: 'Shop',
        type: 'web',
        firstParty: true,
        redirectUris: ['https://shop.example.com/callback'],
        postLogoutRedirectUris: [],
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        corsOrigins: [],
        tokenEndpointAuthMethod: 'client_secret_basic',
        jwks: null,
        jwksUri: null,
        accessTokenTtlSeconds: 900,
        idTokenTtlSeconds: 3600,
        refreshTokenTtlSeconds: 2_592_000,
        backchannelLogoutUri: null,
        idTokenSignedResponseAlg: 'ES256',
        claims: { attributes: [] },
      });
    });

    it('makes SPAs and native apps public clients (auth method none) and machine apps client_credentials only, without scopes', () => {
      expect(created({ name: 'SPA', type: 'spa', redirectUris: ['https://app.example.com/cb'] }).tokenEndpointAuthMethod).toBe('none');
      expect(created({ name: 'iOS', type: 'native', redirectUris: ['com.example.app:/callback'] }).tokenEndpointAuthMethod).toBe('none');
      const machine = created({ name: 'Batch', type: 'machine' });
      expect(machine).toEqual(expect.objectContaining({ grantTypes: ['client_credentials'], scopes: [], redirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' }));
    });

    it('trims the name and treats null on create like an absent field', () => {
      const app = created(web({ name: '  Shop  ', scopes: null, firstParty: null }));
      expect(app.name).toBe('Shop');
      expect(app.scopes).toEqual(defaultsFor('web').scopes);
      expect(app.firstParty).toBe(true);
    });
  });

  describe('redirect URIs', () => {
    it.each([
      ['https://*.example.com/callback', 'wildcards'],
      ['https://shop.example.com/*', 'wildcards'],
      ['https://shop.example.com/callback#done', 'fragment'],
      ['http://shop.example.com/callback', 'loopback'],
      ['http://192.168.1.10/callback', 'loopback'],
      ['com.example.app:/callback', 'https'],
      ['javascript:alert(1)', 'https'],
      ['/callback', 'absolute'],
      ['https://user:pass@shop.example.com/cb', 'credentials'],
    ])('refuses %s for a web app (%s)', (uri, why) => {
      const r = validateApplication(web({ redirectUris: [uri] }), 'create');
      expect(r.value).toBeNull();
      expect(r.errors).toEqual([{ field: 'redirectUris[0]', message: expect.stringContaining(why) }]);
    });

    it('accepts https anywhere and http only on loopback hosts', () => {
      const uris = ['https://shop.example.com/callback?tenant=a', 'http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb'];
      expect(created(web({ redirectUris: uris })).redirectUris).toEqual(uris);
    });

    it('accepts reverse-domain private-use schemes for native apps only (RFC 8252 §7.1)', () => {
      expect(redirectUriProblem('com.example.app:/callback', 'native')).toBeNull();
      expect(redirectUriProblem('com.example.app:/callback', 'spa')).toMatch(/https/);
      expect(redirectUriProblem('myapp://callback', 'native')).toMatch(/reverse domain/);
      expect(redirectUriProblem('javascript:alert(1)', 'native')).toMatch(/reverse domain/);
      expect(redirectUriProblem('com.example.app:/*', 'native')).toMatch(/wildcards/);
      expect(redirectUriProblem('http://127.0.0.1:51234/cb', 'native')).toBeNull();
      expect(redirectUriProblem('https://127.0.0.1:51234/cb', 'native')).toMatch(/over http, not https/);
      expect(redirectUriProblem('https://127.0.0.1:51234/cb', 'web')).toBeNull();
    });

    it('requires a redirect URI for interactive apps and refuses any for machine apps', () => {
      expect(fieldsOf({ name: 'Shop', type: 'web' })).toEqual(['redirectUris']);
      expect(fieldsOf({ name: 'SPA', type: 'spa', redirectUris: [] })).toEqual(['redirectUris']);
      expect(fieldsOf({ name: 'Batch', type: 'machine', redirectUris: ['https://x.example.com/cb'] })).toEqual(['redirectUris']);
      expect(fieldsOf({ name: 'Batch', type: 'machine', postLogoutRedirectUris: ['https://x.example.com/bye'] })).toEqual(['postLogoutRedirectUris']);
    });

    it('lets a native device-flow-only app (a TV app) go without redirect URIs', () => {
      const tv = created({ name: 'TV', type: 'native', grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] });
      expect(tv.redirectUris).toEqual([]);
    });

    it('checks post-logout redirect URIs by the same rules and refuses duplicates', () => {
      expect(fieldsOf(web({ postLogoutRedirectUris: ['http://shop.example.com/bye'] }))).toEqual(['postLogoutRedirectUris[0]']);
      expect(fieldsOf(web({ redirectUris: ['https://a.example.com/cb', 'https://a.example.com/cb'] }))).toEqual(['redirectUris']);
    });
  });

  describe('client types and authentication', () => {
    it('refuses a secret-based auth method for public clients and none for confidential ones', () => {
      expect(fieldsOf({ name: 'SPA', type: 'spa', redirectUris: ['https://a.example.com/cb'], tokenEndpointAuthMethod: 'client_secret_basic' })).toEqual(['tokenEndpointAuthMethod']);
      expect(fieldsOf({ name: 'iOS', type: 'native', redirectUris: ['com.example.app:/cb'], tokenEndpointAuthMethod: 'private_key_jwt' })).toContain('tokenEndpointAuthMethod');
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'none' }))).toEqual(['tokenEndpointAuthMethod']);
      expect(fieldsOf({ name: 'Batch', type: 'machine', tokenEndpointAuthMethod: 'none' })).toEqual(['tokenEndpointAuthMethod']);
    });

    it('keeps machine apps to client_credentials and public clients away from it', () => {
      expect(fieldsOf({ name: 'Batch', type: 'machine', grantTypes: ['client_credentials', 'authorization_code'] })).toEqual(['grantTypes']);
      expect(fieldsOf({ name: 'SPA', type: 'spa', redirectUris: ['https://a.example.com/cb'], grantTypes: ['authorization_code', 'client_credentials'] })).toEqual(['grantTypes']);
      expect(created(web({ grantTypes: ['authorization_code', 'client_credentials'] })).grantTypes).toEqual(['authorization_code', 'client_credentials']);
    });

    it('refuses unknown, empty and orphaned grant types', () => {
      expect(fieldsOf(web({ grantTypes: ['implicit'] }))).toEqual(['grantTypes']);
      expect(fieldsOf(web({ grantTypes: [] }))).toEqual(['grantTypes']);
      expect(fieldsOf(web({ grantTypes: ['refresh_token', 'client_credentials'] }))).toEqual(['grantTypes']);
    });

    it('refuses openid and offline_access for machine apps (no user) and malformed scope tokens', () => {
      expect(fieldsOf({ name: 'Batch', type: 'machine', scopes: ['openid', 'orders:read'] })).toEqual(['scopes']);
      expect(fieldsOf(web({ scopes: ['orders read'] }))).toEqual(['scopes[0]']);
      expect(created({ name: 'Batch', type: 'machine', scopes: ['orders:read'] }).scopes).toEqual(['orders:read']);
    });
  });

  describe('keys for private_key_jwt', () => {
    it('accepts public EC, RSA and Ed25519 keys', () => {
      const keys = [publicJwk('ec').pub, publicJwk('rsa').pub, publicJwk('ed25519').pub].map((k, i) => ({ ...k, kid: `k${i}`, use: 'sig' }));
      const app = created(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys } }));
      expect(app.jwks).toEqual({ keys });
    });

    it('refuses private keys, symmetric keys and keys that do not load', () => {
      const withPrivate = validateApplication(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [publicJwk('ec').priv] } }), 'create');
      expect(withPrivate.errors).toEqual([{ field: 'jwks.keys[0]', message: expect.stringContaining('private key material ("d")') }]);
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }))).toEqual(['jwks.keys[0]']);
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] } }))).toEqual(['jwks.keys[0]']);
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [] } }))).toEqual(['jwks.keys']);
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: [publicJwk().pub] }))).toEqual(['jwks']);
    });

    it('needs jwks or an https jwksUri for private_key_jwt, not both, and neither otherwise', () => {
      const { pub } = publicJwk();
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt' }))).toEqual(['jwks']);
      expect(created(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://shop.example.com/jwks.json' })).jwksUri).toBe('https://shop.example.com/jwks.json');
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://shop.example.com/jwks.json' }))).toEqual(['jwksUri']);
      expect(fieldsOf(web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [pub] }, jwksUri: 'https://shop.example.com/jwks.json' }))).toEqual(['jwksUri']);
      expect(fieldsOf(web({ jwks: { keys: [pub] } }))).toEqual(['jwks']);
    });
  });

  describe('other fields', () => {
    it('keeps token lifetimes within their bounds', () => {
      expect(fieldsOf(web({ accessTokenTtlSeconds: 59, idTokenTtlSeconds: 86_401, refreshTokenTtlSeconds: 299 }))).toEqual([
        'accessTokenTtlSeconds',
        'idTokenTtlSeconds',
        'refreshTokenTtlSeconds',
      ]);
      expect(fieldsOf(web({ accessTokenTtlSeconds: 1.5 }))).toEqual(['accessTokenTtlSeconds']);
      expect(created(web({ accessTokenTtlSeconds: 60, idTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 31_536_000 })).refreshTokenTtlSeconds).toBe(31_536_000);
    });

    it('allows CORS origins for SPAs only, as exact https (or loopback) origins', () => {
      const spa = (corsOrigins: string[]) => ({ name: 'SPA', type: 'spa', redirectUris: ['https://app.example.com/cb'], corsOrigins });
      expect(created(spa(['https://app.example.com', 'http://localhost:5173'])).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
      expect(fieldsOf(spa(['https://*.example.com']))).toEqual(['corsOrigins[0]']);
      expect(fieldsOf(spa(['https://app.example.com/']))).toEqual(['corsOrigins[0]']);
      expect(fieldsOf(spa(['http://app.example.com']))).toEqual(['corsOrigins[0]']);
      expect(fieldsOf(web({ corsOrigins: ['https://shop.example.com'] }))).toEqual(['corsOrigins']);
    });

    it('allows back-channel logout for web apps only, at https without a fragment', () => {
      expect(created(web({ backchannelLogoutUri: 'https://shop.example.com/bcl' })).backchannelLogoutUri).toBe('https://shop.example.com/bcl');
      expect(fieldsOf(web({ backchannelLogoutUri: 'https://shop.example.com/bcl#x' }))).toEqual(['backchannelLogoutUri']);
      expect(fieldsOf(web({ backchannelLogoutUri: 'http://shop.example.com/bcl' }))).toEqual(['backchannelLogoutUri']);
      expect(fieldsOf({ name: 'SPA', type: 'spa', redirectUris: ['https://a.example.com/cb'], backchannelLogoutUri: 'https://a.example.com/bcl' })).toEqual(['backchannelLogoutUri']);
    });

    it('checks the name, the type, the signing algorithm and released attributes', () => {
      expect(fieldsOf(web({ name: '   ' }))).toEqual(['name']);
      expect(fieldsOf(web({ name: 'x'.repeat(101) }))).toEqual(['name']);
      expect(fieldsOf(web({ name: 'bad\u0007name' }))).toEqual(['name']);
      expect(fieldsOf({ name: 'X', type: 'server' })).toEqual(['type']);
      expect(fieldsOf(web({ idTokenSignedResponseAlg: 'HS256' }))).toEqual(['idTokenSignedResponseAlg']);
      expect(fieldsOf(web({ claims: { attributes: ['plan', '1bad'] } }))).toEqual(['claims.attributes[1]']);
      expect(created(web({ claims: { attributes: ['plan'] } })).claims).toEqual({ attributes: ['plan'] });
    });
  });

  describe('merge patch over an existing application', () => {
    const current = (): ApplicationSettings => created(web({ scopes: ['openid'], accessTokenTtlSeconds: 300 }));

    it('keeps absent fields, applies given ones and names what changed', () => {
      const r = validateApplication({ name: 'Shop 2', accessTokenTtlSeconds: 300 }, { current: current() });
      expect(r.errors).toEqual([]);
      expect(r.value).toEqual({ ...current(), name: 'Shop 2' });
      expect(r.changes).toEqual(['name']);
    });

    it('resets a field to the type default with null', () => {
      const r = validateApplication({ scopes: null, accessTokenTtlSeconds: null }, { current: current() });
      expect(r.value?.scopes).toEqual(['openid', 'profile', 'email', 'offline_access']);
      expect(r.value?.accessTokenTtlSeconds).toBe(900);
      expect(r.changes).toEqual(['scopes', 'accessTokenTtlSeconds']);
    });

    it('refuses a change of type, a null name and a patch that breaks a rule between fields', () => {
      expect(fieldsOf({ type: 'spa' }, { current: current() })).toEqual(['type']);
      expect(fieldsOf({ name: null }, { current: current() })).toEqual(['name']);
      expect(fieldsOf({ redirectUris: [] }, { current: current() })).toEqual(['redirectUris']);
    });

    it('reports no changes for a patch that repeats the current values', () => {
      expect(validateApplication({ name: 'Shop', scopes: ['openid'] }, { current: current() }).changes).toEqual([]);
    });
  });
});
