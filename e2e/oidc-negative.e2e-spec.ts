import { SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { type AuthnTenant, type AuthnWorld, type HtmlRes, AuthnApi, Browser, decodeHtml, freshEmail, freshPassword, startAuthnWorld } from './support/authn';

interface AppCreated {
  id: string;
  clientId: string;
  clientSecret?: string;
}

interface Side {
  tenant: AuthnTenant;
  issuer: URL;
  web: AppCreated;
  spa: AppCreated;
  machine: AppCreated;
}

const REDIRECT = 'http://127.0.0.1:9/callback';
const CALLBACK = /^http:\/\/127\.0\.0\.1:9\/callback\?/;

/** A raw answer of an endpoint: status, redirect target as sent, and the JSON body when there is one. */
interface Raw {
  status: number;
  location: string | null;
  body: Record<string, unknown>;
  headers: Headers;
}

async function raw(url: string | URL, init: RequestInit = {}): Promise<Raw> {
  const r = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(20_000), ...init });
  const text = await r.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: r.status, location: r.headers.get('location'), body, headers: r.headers };
}

/** The `error` of an authorization error redirect (query of the Location). */
const redirectError = (location: string | null) => (location ? new URL(location).searchParams.get('error') : null);

/** The `error` of an authorization error redirect in the fragment (response modes of implicit response types). */
const fragmentError = (location: string | null) => (location ? new URLSearchParams(new URL(location).hash.slice(1)).get('error') : null);

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * OAuth 2 / OpenID Connect, the refusals: every request a hostile or broken client could send to a
 * tenant's issuer, answered with the OAuth error the specifications name.
 */
describe('OAuth 2 / OpenID Connect: what a tenant issuer refuses', () => {
  let world: AuthnWorld;
  let a: Side;
  let b: Side;
  let user: { email: string; password: string; userId: string };
  let browser: Browser;

  const discover = (side: Side, clientId: string, secret?: string) =>
    oidc.discovery(side.issuer, clientId, secret, secret === undefined ? oidc.None() : undefined, { execute: [oidc.allowInsecureRequests] });

  /** Drives the browser of A's user from an authorization URL to the final redirect off the platform (signing in when asked). */
  async function authorize(url: URL): Promise<HtmlRes> {
    let res = await browser.get(`${url.pathname}${url.search}`);
    for (let i = 0; i < 12 && (res.status === 303 || res.status === 302) && res.location!.startsWith('/'); i++) {
      res = await browser.get(res.location!);
      if (res.status === 200 && /<form[^>]*action="[^"]*sign-in/.test(res.html)) {
        const action = decodeHtml(/<form[^>]*action="([^"]*sign-in[^"]*)"/.exec(res.html)![1]);
        res = await browser.post(action, { email: user.email, password: user.password });
      }
    }
    return res;
  }

  /** A code for `config`'s client (A's user), with PKCE. */
  async function code(config: oidc.Configuration, scope = 'openid email') {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const res = await authorize(url);
    expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    return { callback: new URL(res.location!), verifier, state };
  }

  beforeAll(async () => {
    world = await startAuthnWorld('e2e_oidc_neg');
    const side = async (prefix: string): Promise<Side> => {
      const tenant = await world.tenant(prefix);
      const create = async (body: Record<string, unknown>) => {
        const res = await world.call<AppCreated>('POST', '/v1/applications', { key: tenant.key, json: body });
        if (res.status !== 201) throw new Error(`application not created: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      };
      return {
        tenant,
        issuer: new URL(`${world.platform.gateway}${tenant.path}`),
        web: await create({ name: 'Web shop', type: 'web', redirectUris: [REDIRECT] }),
        spa: await create({ name: 'Single page', type: 'spa', redirectUris: [REDIRECT] }),
        machine: await create({ name: 'Backend', type: 'machine' }),
      };
    };
    [a, b] = await Promise.all([side('oidcnega'), side('oidcnegb')]);
    const email = freshEmail('neg');
    const password = freshPassword();
    const signedUp = await new AuthnApi(world.call, a.tenant, world.sink).signUp(email, password, { givenName: 'Nora' });
    user = { email, password, userId: signedUp.userId };
    browser = new Browser(world.platform.gateway, a.tenant);
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const config = await discover(a, a.web.clientId, a.web.clientSecret);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:9/evil', scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const res = await raw(url);
    expect(res.location).toBeNull();
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_redirect_uri');
  });

  it('requires PKCE (S256) of a public client and checks the verifier', async () => {
    const config = await discover(a, a.spa.clientId);
    // No code_challenge: refused, back to the registered redirect URI.
    const bare = await raw(oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 's1' }));
    expect(bare.location).toMatch(CALLBACK);
    expect(redirectError(bare.location)).toBe('invalid_request');
    // code_challenge_method=plain: refused.
    const plain = await raw(oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: oidc.randomPKCECodeVerifier(), code_challenge_method: 'plain' }));
    expect(plain.location).toMatch(CALLBACK);
    expect(redirectError(plain.location)).toBe('invalid_request');
    // A wrong verifier at the token endpoint.
    const { callback, state } = await code(config);
    await expect(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a reused authorization code and revokes what the first redemption issued', async () => {
    const config = await discover(a, a.web.clientId, a.web.clientSecret);
    const { callback, verifier, state } = await code(config);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    await expect(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('refuses a wrong client secret and the secret of another application', async () => {
    const wrong = await discover(a, a.web.clientId, `${a.web.clientSecret}x`);
    await expect(oidc.tokenIntrospection(wrong, 'anything')).rejects.toMatchObject({ error: 'invalid_client' });
    const borrowed = await discover(a, a.web.clientId, a.machine.clientSecret);
    await expect(oidc.tokenIntrospection(borrowed, 'anything')).rejects.toMatchObject({ error: 'invalid_client' });
    const borrowedCc = await discover(a, a.machine.clientId, a.web.clientSecret);
    await expect(oidc.clientCredentialsGrant(borrowedCc)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('keeps tenants apart: tokens and clients of A mean nothing at B', async () => {
    const machineA = await discover(a, a.machine.clientId, a.machine.clientSecret);
    const machineB = await discover(b, b.machine.clientId, b.machine.clientSecret);
    const cc = await oidc.clientCredentialsGrant(machineA);
    expect((await oidc.tokenIntrospection(machineA, cc.access_token)).active).toBe(true);
    expect((await oidc.tokenIntrospection(machineB, cc.access_token)).active).toBe(false);

    const webA = await discover(a, a.web.clientId, a.web.clientSecret);
    const { callback, verifier, state } = await code(webA);
    const tokens = await oidc.authorizationCodeGrant(webA, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const metaB = machineB.serverMetadata();
    const userinfo = await raw(metaB.userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(userinfo.body.error).toBe('invalid_token');
    // And at A it still works.
    expect((await raw(machineA.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);

    // A's client at B's endpoints.
    const authz = new URL(metaB.authorization_endpoint!);
    authz.search = new URLSearchParams({ client_id: a.web.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).toString();
    const atB = await raw(authz);
    expect(atB.location).toBeNull();
    expect(atB.body.error).toBe('invalid_client');
    const aAtB = await discover(b, a.machine.clientId, a.machine.clientSecret);
    await expect(oidc.clientCredentialsGrant(aAtB)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('refuses forged JWTs (alg none, HS256 keyed with the public key) at userinfo and introspection', async () => {
    const config = await discover(a, a.machine.clientId, a.machine.clientSecret);
    const meta = config.serverMetadata();
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: a.issuer.href, sub: user.userId, aud: a.web.clientId, client_id: a.web.clientId, scope: 'openid email', iat: now, exp: now + 600, jti: 'forged' };
    const none = `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(claims)}.`;
    const jwks = (await raw(meta.jwks_uri!)).body as { keys: Record<string, unknown>[] };
    const es256 = jwks.keys.find((k) => k.alg === 'ES256')!;
    expect(es256).toBeDefined();
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: es256.kid as string }).sign(new TextEncoder().encode(JSON.stringify(es256)));
    for (const forged of [none, hs256]) {
      const res = await raw(meta.userinfo_endpoint!, { headers: { authorization: `Bearer ${forged}` } });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_token');
      // oidc-provider refuses to introspect anything shaped like a JWT (its tokens here are opaque)
      // rather than answering `active: false`: never active either way.
      await expect(oidc.tokenIntrospection(config, forged)).rejects.toMatchObject({ error: 'unsupported_token_type', status: 400 });
    }
  });

  it('takes pushed authorization requests (PAR) from an authenticated client only, each usable once', async () => {
    const config = await discover(a, a.web.clientId, a.web.clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const params = { redirect_uri: REDIRECT, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state };
    const url = await oidc.buildAuthorizationUrlWithPAR(config, params);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(url.searchParams.get('client_id')).toBe(a.web.clientId);
    // Only client_id and request_uri travel through the browser; the code flow completes with them.
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const done = await authorize(url);
    expect(done.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()!.sub).toBe(user.userId);
    // The same request_uri a second time is refused.
    const again = await authorize(url);
    expect(again.location ?? '').not.toMatch(/code=/);
    expect(`${again.location ?? ''} ${again.html}`).toMatch(/invalid_request_uri/);

    const wrong = await discover(a, a.web.clientId, `${a.web.clientSecret}x`);
    await expect(oidc.buildAuthorizationUrlWithPAR(wrong, params)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('never grants a third-party application silently: without a consent screen it gets consent_required', async () => {
    const created = await world.call<AppCreated>('POST', '/v1/applications', {
      key: a.tenant.key,
      json: { name: 'Partner app', type: 'web', redirectUris: [REDIRECT], firstParty: false },
    });
    expect(created.status).toBe(201);
    const config = await discover(a, created.body.clientId, created.body.clientSecret);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    });
    const res = await authorize(url);
    expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?/);
    const back = new URL(res.location!);
    expect(back.searchParams.get('error')).toBe('consent_required');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('has the implicit and password grants off', async () => {
    const config = await discover(a, a.web.clientId, a.web.clientSecret);
    const meta = config.serverMetadata();
    const implicit = new URL(meta.authorization_endpoint!);
    implicit.search = new URLSearchParams({ client_id: a.web.clientId, redirect_uri: REDIRECT, response_type: 'token', scope: 'openid', state: 's' }).toString();
    const res = await raw(implicit);
    expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback#/);
    expect(fragmentError(res.location)).toBe('unsupported_response_type');

    const basic = Buffer.from(`${encodeURIComponent(a.web.clientId)}:${encodeURIComponent(a.web.clientSecret!)}`).toString('base64');
    const password = await raw(meta.token_endpoint!, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: user.email, password: user.password, scope: 'openid' }).toString(),
    });
    expect(password.status).toBe(400);
    expect(password.body.error).toBe('unsupported_grant_type');
  });
});
