import type { Logger } from '@keyline/platform-observability';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AuthnEventsService } from '../core/authn-events';

interface IssuedToken {
  clientId?: string;
  accountId?: string;
  gty?: string;
  scope?: string;
  exp?: number;
  /** Lifetime in seconds (tokens that are not stored carry no `exp` yet when announced). */
  expiration?: number;
}

/**
 * Announces what a tenant's provider does as authn events (through the outbox; never a token): every
 * access and refresh token issued, and a refresh token used twice, which revoked its whole grant.
 */
export function announceProviderEvents(provider: Provider, tenantId: string, events: AuthnEventsService, logger: Logger): void {
  const emit: AuthnEventsService['emit'] = (type, who, data) =>
    events.emit(type, who, data).catch((err: Error) => logger.warn({ tenantId, type, err: err.message }, 'oauth event not recorded'));

  const issued = (tokenType: 'access_token' | 'refresh_token') => (token: IssuedToken) => {
    void emit(
      'oauth.token-issued',
      { tenantId, subject: token.accountId ?? `client:${token.clientId}`, actor: `client:${token.clientId}` },
      {
        clientId: token.clientId ?? '',
        subject: token.accountId ?? null,
        grantType: token.gty ?? null,
        tokenType,
        scope: token.scope ?? null,
        expiresAt: new Date(token.exp ? token.exp * 1000 : Date.now() + (token.expiration ?? 0) * 1000).toISOString(),
      },
    );
  };
  // A token model emits `<kind>.saved` when stored (opaque tokens) and `<kind>.issued` when it is
  // not (JWTs); the typings list only some of these names.
  const on = (provider as unknown as NodeJS.EventEmitter).on.bind(provider);
  for (const suffix of ['saved', 'issued']) {
    on(`access_token.${suffix}`, (t: IssuedToken) => issued('access_token')(t));
    on(`client_credentials.${suffix}`, (t: IssuedToken) => issued('access_token')({ ...t, gty: 'client_credentials' }));
    on(`refresh_token.${suffix}`, (t: IssuedToken) => issued('refresh_token')(t));
  }

  // oidc-provider revokes the grant of a refresh token presented a second time (lib/actions/grants/refresh_token.js).
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    if (ctx.oidc?.route !== 'token' || ctx.oidc.params?.grant_type !== 'refresh_token') return;
    const clientId = ctx.oidc.client?.clientId ?? null;
    const subject = ctx.oidc.account?.accountId ?? null;
    void emit('oauth.refresh-reuse-detected', { tenantId, subject: subject ?? `client:${clientId}`, actor: `client:${clientId}` }, { clientId, subject, grantId });
  });
}
