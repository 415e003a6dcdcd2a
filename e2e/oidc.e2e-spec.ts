import { waitFor } from '@keyline/platform-testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { type AuthnTenant, type AuthnWorld, AuthnApi, Browser, decodeHtml, freshEmail, freshPassword, startAuthnWorld } from './support/authn';

interface AppCreated {
  id: string;
  clientId: string;
  clientSecret?: string;
}

const REDIRECT = 'http://127.0.0.1:9/callback';

/**
 * Keyline as an OpenID Provider, seen by a certified relying party (openid-client) that knows nothing
 * but the tenant's issuer URL and its client credentials; every token checked against the JWKS.
 */
describe('OAuth 2 / OpenID Connect: a standard client against a tenant issuer', () => {
  let world: AuthnWorld;
  let tenant: AuthnTenant;
  let issuer: URL;
  let web: AppCreated;
  let machine: AppCreated;
  let user: { email: string; password: string; userId: string };

  const discover = (app: AppCreated) => oidc.discovery(issuer, app.clientId, app.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });

  beforeAll(async () => {
    world = await startAuthnWorld('e2e_oidc');
    tenant = await world.tenant('oidc');
    issuer = new URL(`${world.platform.gateway}${tenant.path}`);
    const create = async (body: Record<string, unknown>) => {
      const res = await world.call<AppCreated>('POST', '/v1/applications', { key: tenant.key, json: body });
      if (res.status !== 201) throw new Error(`application not created: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    web = await create({ name: 'Web shop', type: 'web', redirectUris: [REDIRECT], postLogoutRedirectUris: ['http://127.0.0.1:9/bye'] });
    machine = await create({ name: 'Billing backend', type: 'machine' });
    const email = freshEmail('rp');
    const password = freshPassword();
    const signedUp = await new AuthnApi(world.call, tenant, world.sink).signUp(email, password, { givenName: 'Rita' });
    user = { email, password, userId: signedUp.userId };
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('serves discovery and a JWKS that a client needs nothing else to use', async () => {
    const config = await discover(web);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(issuer.href);
    expect(meta.authorization_endpoint).toBe(`${issuer.href}/oauth/authorize`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    const jwks = await fetch(meta.jwks_uri!).then((r) => r.json() as Promise<{ keys: Record<string, unknown>[] }>);
    expect(jwks.keys.map((k) => k.alg)).toEqual(expect.arrayContaining(['ES256']));
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
  });

  it('issues client-credentials tokens that introspect as active until revoked', async () => {
    const config = await discover(machine);
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toBeTruthy();
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    // A wrong secret is refused.
    const wrong = await oidc.discovery(issuer, machine.clientId, `${machine.clientSecret}x`, undefined, { execute: [oidc.allowInsecureRequests] });
    await expect(oidc.clientCredentialsGrant(wrong)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('signs a user in with authorization code + PKCE through the hosted sign-in page, then SSO without a password', async () => {
    const config = await discover(web);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'consent',
    });
    const browser = new Browser(world.platform.gateway, tenant);
    let res = await browser.get(`${url.pathname}${url.search}`);
    // authorize → interaction → sign-in page
    while (res.status === 303 || res.status === 302) {
      if (!res.location!.startsWith('/')) break;
      res = await browser.get(res.location!);
    }
    expect(res.status).toBe(200);
    expect(res.html).toContain('Sign in');
    // The form posts back with the return address (the interaction) in its action.
    const action = decodeHtml(/<form[^>]*action="([^"]*sign-in[^"]*)"/.exec(res.html)![1]);
    expect(action).toContain('return_to=');
    res = await browser.post(action, { email: user.email, password: user.password });
    for (let i = 0; i < 10 && (res.status === 303 || res.status === 302) && res.location!.startsWith('/'); i++) res = await browser.get(res.location!);
    expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.location!), { pkceCodeVerifier: verifier, expectedState: state });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.userId);
    // Scope claims come from userinfo when an access token is issued (OIDC Core §5.4), not in the ID token.
    expect(claims.email).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: issuer.href, audience: web.clientId });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(user.userId);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, user.userId);
    expect(info).toEqual(expect.objectContaining({ sub: user.userId, email: user.email, given_name: 'Rita' }));

    // SSO: the same browser signs in again without a password.
    const again = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    let r = await browser.get(`${again.pathname}${again.search}`);
    for (let i = 0; i < 10 && (r.status === 303 || r.status === 302) && r.location!.startsWith('/'); i++) r = await browser.get(r.location!);
    expect(r.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);

    // Refresh-token rotation; reusing a spent refresh token revokes the family.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // The audit log has what happened, and no token.
    const api = new AuthnApi(world.call, tenant, world.sink);
    const events = await waitFor(
      async () => {
        const all = await api.auditEvents('oauth.');
        return all.some((e) => e.type === 'oauth.refresh-reuse-detected') && all.some((e) => e.type === 'oauth.token-issued') ? all : undefined;
      },
      30_000,
      250,
      'oauth events in the audit log',
    );
    expect(events.find((e) => e.type === 'oauth.refresh-reuse-detected')!.data).toEqual(expect.objectContaining({ clientId: web.clientId, subject: user.userId }));
    const issued = events
      .filter((e) => e.type === 'oauth.token-issued')
      .map((e) => e.data as { grantType: string; tokenType: string; clientId: string; subject: string | null; expiresAt: string })
      .filter((d) => d.clientId === web.clientId);
    expect(issued.every((d) => d.subject === user.userId && Date.parse(d.expiresAt) > Date.now())).toBe(true);
    expect(issued.map((d) => d.tokenType)).toEqual(expect.arrayContaining(['access_token', 'refresh_token']));
    expect(issued.map((d) => d.grantType)).toEqual(expect.arrayContaining(['authorization_code']));
    const json = JSON.stringify(events);
    for (const t of [tokens.access_token, tokens.refresh_token!, refreshed.access_token, refreshed.refresh_token!]) expect(json).not.toContain(t);
  });
});
