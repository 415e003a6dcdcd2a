import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@keyline/platform-persistence';
import type { Redis } from 'ioredis';
import type { Provider as ProviderType, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { DataSource } from 'typeorm';
import type { AuthnConfig } from '../config';
import { ApplicationsService } from '../applications/applications.service';
import { verifyClientSecret } from '../applications/client-secret';
import { AUTHN_CONFIG } from '../core/core.tokens';
import { AuthnEventsService } from '../core/authn-events';
import { AuthnKeys } from '../core/keys';
import { LOGGER } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { IdentitiesService } from '../identities/identities.service';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import type { TenantContext } from '../tenants/tenants.service';
import { RedisOidcAdapter } from './oidc.adapter';
import { SCOPE_CLAIMS, claimsOf } from './oidc.account';
import { announceProviderEvents } from './oidc.events';
import { KEYLINE_CLIENT_PROPERTIES, OIDC_SCOPES, clientMetadata } from './oidc.clients';

// oidc-provider is an ES module; Node 24 loads it with require() (no top-level await in it).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- ESM-only package loaded through require(esm)
const { Provider } = require('oidc-provider') as typeof import('oidc-provider');

/** Providers kept in memory; the least recently used one is dropped beyond this (thousands of tenants ≠ thousands of instances). */
const MAX_PROVIDERS = 200;

/** Routes of every tenant's provider, under its issuer `{PUBLIC_URL}/t/{slug}`; they leave room for the hosted pages. */
export const OIDC_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  jwks: '/.well-known/jwks.json',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  end_session: '/oauth/logout',
  device_authorization: '/oauth/device/authorize',
  code_verification: '/oauth/device',
  pushed_authorization_request: '/oauth/par',
  backchannel_authentication: '/oauth/backchannel',
  registration: '/oauth/register',
  challenge: '/oauth/challenge',
} as const;

interface Entry {
  provider: ProviderType;
  version: string;
}

/**
 * One oidc-provider instance per tenant, built on demand from the tenant's applications, keys and
 * settings, kept in a bounded LRU, and rebuilt when its signing keys or settings change.
 */
@Injectable()
export class OidcProviders {
  private readonly entries = new Map<string, Entry>();
  private readonly cookieKeys: string[];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AUTHN_CONFIG) private readonly config: AuthnConfig,
    private readonly ds: DataSource,
    private readonly keys: AuthnKeys,
    private readonly applications: ApplicationsService,
    private readonly signingKeys: SigningKeysService,
    private readonly identities: IdentitiesService,
    private readonly events: AuthnEventsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.cookieKeys = [keys.mac('oidc-cookies', 'v1')];
  }

  issuerOf(slug: string): string {
    return `${this.config.publicUrl.replace(/\/$/, '')}/t/${slug}`;
  }

  async get(tenant: TenantContext): Promise<ProviderType> {
    const version = `${tenant.settingsVersion}:${await this.signingKeys.version(tenant.id)}`;
    const hit = this.entries.get(tenant.id);
    if (hit && hit.version === version) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(tenant.id);
      this.entries.set(tenant.id, hit);
      return hit.provider;
    }
    const provider = await this.build(tenant);
    this.entries.delete(tenant.id);
    this.entries.set(tenant.id, { provider, version });
    while (this.entries.size > MAX_PROVIDERS) this.entries.delete(this.entries.keys().next().value as string);
    return provider;
  }

  get size(): number {
    return this.entries.size;
  }

  private async build(tenant: TenantContext): Promise<ProviderType> {
    const tenantId = tenant.id;
    const redis = this.redis;
    const applications = this.applications;
    const identities = this.identities;
    const ds = this.ds;
    const keys = this.keys;
    await this.signingKeys.ensureKeys(tenantId);
    const jwks = { keys: (await this.signingKeys.keySet(tenantId)).keys as never[] };
    const slug = tenant.slug;

    class Adapter extends RedisOidcAdapter {
      constructor(private readonly modelName: string) {
        super(redis, tenantId, modelName);
      }

      override async find(id: string) {
        if (this.modelName !== 'Client') return super.find(id);
        const app = await applications.findByClientId(id);
        return app && app.tenantId === tenantId ? clientMetadata(app) : undefined;
      }
    }

    const configuration: Configuration = {
      adapter: Adapter as never,
      jwks,
      cookies: { keys: this.cookieKeys, long: { signed: true, sameSite: 'lax' }, short: { signed: true, sameSite: 'lax' } },
      routes: OIDC_ROUTES,
      scopes: [...OIDC_SCOPES],
      claims: { ...SCOPE_CLAIMS, openid: ['sub'] } as never,
      responseTypes: ['code'],
      clientDefaults: { grant_types: ['authorization_code'], id_token_signed_response_alg: 'ES256', response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
      pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
      extraClientMetadata: { properties: [...KEYLINE_CLIENT_PROPERTIES] },
      clientBasedCORS: (_ctx, origin, client) => ((client as unknown as Record<string, string[]>)['urn:keyline:cors_origins'] ?? []).includes(origin),
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        deviceFlow: { enabled: true },
        pushedAuthorizationRequests: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        backchannelLogout: { enabled: true },
        userinfo: { enabled: true },
        dPoP: { enabled: true },
      },
      rotateRefreshToken: () => true,
      ttl: {
        AccessToken: (_ctx, _token, client) => ttlOf(client, 'AccessToken', 900),
        ClientCredentials: (_ctx, _token, client) => ttlOf(client, 'AccessToken', 900),
        IdToken: (_ctx, _token, client) => ttlOf(client, 'IdToken', 3600),
        RefreshToken: (_ctx, _token, client) => ttlOf(client, 'RefreshToken', 30 * 86400),
        AuthorizationCode: 60,
        DeviceCode: 600,
        Grant: 30 * 86400,
        Interaction: 3600,
        Session: 30 * 86400,
        PushedAuthorizationRequest: 60,
      },
      interactions: { url: (_ctx, interaction) => `/t/${slug}/interaction/${interaction.uid}` },
      // First-party applications need no consent screen: their grant is the requested scopes.
      loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const client = ctx.oidc.client as unknown as Record<string, unknown>;
        if (!client['urn:keyline:first_party'] || !ctx.oidc.session?.accountId) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session.accountId });
        const scope = ctx.oidc.params?.scope as string | undefined;
        if (scope) grant.addOIDCScope(scope);
        await grant.save();
        return grant;
      },
      findAccount: async (_ctx, sub) => {
        const identity = await identities.findIdentity(ds.manager, tenantId, sub);
        if (!identity || identity.status !== 'active') return undefined;
        return {
          accountId: sub,
          claims: async () => ({ ...claimsOf(identity, []), sub }),
        };
      },
      renderError: async (ctx, out) => {
        ctx.type = 'json';
        ctx.body = out;
      },
    };
    const provider = new Provider(this.issuerOf(slug), configuration);
    provider.proxy = true;
    announceProviderEvents(provider, tenantId, this.events, this.logger);
    // Client secrets are stored as a MAC: hash what the client presents, compare with the stored one.
    const now = () => new Date();
    provider.Client.prototype.compareClientSecret = async function compare(this: { clientId: string }, actual: string) {
      const app = await applications.findByClientId(this.clientId);
      return !!app && app.tenantId === tenantId && verifyClientSecret(keys, actual, app, now());
    };
    return provider;
  }
}

function ttlOf(client: unknown, kind: 'AccessToken' | 'IdToken' | 'RefreshToken', fallback: number): number {
  const ttl = (client as Record<string, Record<string, number> | undefined> | undefined)?.['urn:keyline:ttl'];
  return ttl?.[kind] ?? fallback;
}
