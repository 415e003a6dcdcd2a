import { All, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@keyline/platform-http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE, cookieOf, redirect } from '../hosted/hosted.http';
import { requestContext } from '../flows/request-context';
import { AccountService } from '../me/account.service';
import { TenantsService } from '../tenants/tenants.service';
import { OidcProviders } from './oidc.registry';

type Raw = IncomingMessage & { body?: unknown; originalUrl?: string };

/**
 * The OAuth 2 / OpenID Connect endpoints of every tenant's issuer (`/t/{slug}/.well-known/*`,
 * `/t/{slug}/oauth/*`), served by that tenant's oidc-provider instance, and the interaction step
 * that connects the provider to the hosted sign-in pages.
 */
@ApiExcludeController()
@Public()
@Controller('t/:slug')
export class OidcController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly providers: OidcProviders,
    private readonly account: AccountService,
  ) {}

  @All(['.well-known/*', 'oauth/*'])
  async protocol(@Param('slug') slug: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = await this.tenants.bySlug(slug);
    const provider = await this.providers.get(tenant);
    const raw = req.raw as Raw;
    // Fastify has read the body already; oidc-provider takes it from req.body then.
    if (req.body !== undefined) raw.body = req.body;
    raw.originalUrl = raw.url;
    raw.url = (raw.url ?? '/').slice(`/t/${tenant.slug}`.length) || '/';
    reply.hijack();
    // Relying parties may cache the key set; a new key is published well before it signs.
    if (raw.url.startsWith('/.well-known/')) reply.raw.setHeader('cache-control', 'public, max-age=300');
    await new Promise<void>((resolve) => {
      reply.raw.once('finish', resolve);
      reply.raw.once('close', resolve);
      void provider.callback()(raw, reply.raw);
    });
  }

  /**
   * Where the provider sends the browser when it needs the user: with a live session of this tenant
   * (the hosted pages' cookie) the login finishes at once; otherwise the sign-in page comes first and
   * returns here.
   */
  @Get('interaction/:uid')
  async interaction(@Param('slug') slug: string, @Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = await this.tenants.bySlug(slug);
    const provider = await this.providers.get(tenant);
    const details = await provider.interactionDetails(req.raw, reply.raw);
    const here = `/t/${tenant.slug}/interaction/${encodeURIComponent(uid)}`;
    const token = cookieOf(req, SESSION_COOKIE);
    const me = token ? await this.account.resolve(token, requestContext(req), async () => tenant) : null;
    const session = me && me.session.tenantId === tenant.id ? me.session : null;
    const maxAge = Number((details.params as Record<string, unknown>).max_age);
    const fresh = session && (!Number.isFinite(maxAge) || Date.now() - Date.parse(session.createdAt) <= maxAge * 1000);

    if (details.prompt.name === 'login' && !fresh) {
      redirect(reply, `/t/${tenant.slug}/sign-in?return_to=${encodeURIComponent(here)}`);
      return;
    }
    if (!session) {
      redirect(reply, `/t/${tenant.slug}/sign-in?return_to=${encodeURIComponent(here)}`);
      return;
    }
    const result: Record<string, unknown> = {};
    if (details.prompt.name === 'login') {
      result.login = { accountId: session.userId, amr: session.amr, acr: session.acr, ts: Math.floor(Date.parse(session.createdAt) / 1000), remember: true };
    }
    if (details.prompt.name === 'consent') {
      const client = await provider.Client.find(details.params.client_id as string);
      if (!(client as unknown as Record<string, unknown> | undefined)?.['urn:keyline:first_party']) {
        // Third-party applications need the user's explicit consent, and its screen is not built yet:
        // refuse rather than grant silently.
        reply.hijack();
        await provider.interactionFinished(req.raw, reply.raw, { error: 'consent_required', error_description: 'This application needs consent, which cannot be given yet' }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: session.userId, clientId: details.params.client_id as string });
      if (!grant) throw new Error('grant vanished');
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      result.consent = { grantId: await grant.save() };
    }
    reply.hijack();
    await provider.interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: true });
  }
}
