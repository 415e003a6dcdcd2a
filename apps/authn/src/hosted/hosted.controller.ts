import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PlatformException, Public } from '@keyline/platform-http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthnConfig } from '../config';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { AUTHN_CONFIG } from '../core/core.tokens';
import { DirectoryClient } from '../core/directory.client';
import { dispatch } from '../flows/flow.dispatch';
import type { FlowResult, FlowState, RequestContext } from '../flows/flow.types';
import { FlowsService } from '../flows/flows.service';
import { RecoveryService } from '../flows/recovery.service';
import { requestContext } from '../flows/request-context';
import type { FlowSubmitDto } from '../flows/dto/flow.dto';
import { AccountService, type Me } from '../me/account.service';
import { MfaService } from '../mfa/mfa.service';
import { type TenantContext, TenantsService } from '../tenants/tenants.service';
import {
  FLOW_COOKIE,
  SESSION_COOKIE,
  type CookieOptions,
  clearCookie,
  cookieOf,
  csrfOk,
  csrfToken,
  formOf,
  redirect,
  safeReturnTo,
  sendPage,
  setCookie,
} from './hosted.http';
import * as views from './views';
import type { FormError, PageContext, RegistrationField } from './views';

const ASSETS_VERSION = '1';
type Req_ = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

/** Page state of one request: tenant, locale, cookies, CSRF token and the context views render with. */
interface Page {
  tenant: TenantContext;
  ctx: PageContext;
  cookie: CookieOptions;
  client: RequestContext;
  returnTo: string | null;
}

/**
 * Server-rendered hosted pages under each tenant's issuer (`/t/{slug}/...`): sign-in, sign-up, email
 * codes, MFA, recovery and a small account page. Same flow engine as the JSON API; the flow id and the
 * session token live in HttpOnly cookies scoped to the tenant's path; every form is CSRF-checked.
 */
@ApiExcludeController()
@Public()
@Controller('t/:slug')
export class HostedController {
  private readonly publicOrigin: string;
  private readonly secure: boolean;

  constructor(
    private readonly tenants: TenantsService,
    private readonly flows: FlowsService,
    private readonly recovery: RecoveryService,
    private readonly account: AccountService,
    private readonly mfa: MfaService,
    private readonly directory: DirectoryClient,
    @Inject(AUTHN_CONFIG) config: AuthnConfig,
  ) {
    const url = new URL(config.publicUrl);
    this.publicOrigin = url.origin;
    this.secure = url.protocol === 'https:';
  }

  // ---- assets -------------------------------------------------------------------------------------

  @Get('assets/hosted.css')
  css(@Res() reply: FastifyReply): FastifyReply {
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(views.HOSTED_CSS);
  }

  @Get('assets/theme.css')
  async theme(@Param('slug') slug: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const tenant = await this.tenants.bySlug(slug);
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(views.themeCss(tenant.settings.branding));
  }

  // ---- sign-in ------------------------------------------------------------------------------------

  @Get('sign-in')
  async signInForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (await this.signedIn(page, req)) return redirect(reply, page.returnTo ?? `${page.ctx.basePath}/account`);
    await this.newFlow(page, 'sign-in', reply);
    return sendPage(reply, views.signInPage(page.ctx, this.signInView(page)));
  }

  @Post('sign-in')
  async signIn(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const input: FlowSubmitDto = { method: 'password', identifier: form.email ?? '', password: form.password ?? '', remember: form.remember === 'on' || form.remember === 'true' };
    return this.step(page, req, reply, form, 'sign-in', input, (errors, status) =>
      sendPage(reply, views.signInPage(page.ctx, { ...this.signInView(page), email: form.email, errors }), status),
    );
  }

  @Get('sign-in/code')
  async codeRequestForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (!page.tenant.settings.passwordless.emailCode) return this.notFound(page, reply);
    await this.newFlow(page, 'sign-in', reply);
    return sendPage(reply, views.emailCodeRequestPage(page.ctx, {}));
  }

  @Post('sign-in/code')
  async codeRequest(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    return this.step(page, req, reply, form, 'sign-in', { method: 'send-code', identifier: form.email ?? '' }, (errors, status) =>
      sendPage(reply, views.emailCodeRequestPage(page.ctx, { email: form.email, errors }), status),
    );
  }

  @Post('sign-in/code/verify')
  async codeVerify(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const input: FlowSubmitDto = form.resend ? { method: 'send-code' } : { method: 'code', code: form.code ?? '' };
    return this.step(page, req, reply, form, 'sign-in', input, async (errors, status, flow) =>
      sendPage(reply, views.emailCodePage(page.ctx, { email: flow?.identifier ?? '', purpose: 'sign-in', errors }), status),
    );
  }

  // ---- email verification and MFA ------------------------------------------------------------------

  @Get('verify-email')
  async verifyForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const flow = await this.currentFlow(page, req);
    if (!flow || flow.step !== 'verify-email') return this.expired(page, reply);
    return sendPage(reply, views.emailCodePage(page.ctx, { email: flow.identifier ?? '', purpose: 'verify-email' }));
  }

  @Post('verify-email')
  async verify(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const input: FlowSubmitDto = form.resend ? { method: 'send-code' } : { method: 'code', code: form.code ?? '' };
    return this.step(page, req, reply, form, null, input, (errors, status, flow) =>
      sendPage(reply, views.emailCodePage(page.ctx, { email: flow?.identifier ?? '', purpose: 'verify-email', errors }), status),
    );
  }

  @Get('mfa')
  async mfaForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const flow = await this.currentFlow(page, req);
    if (!flow || flow.step !== 'mfa') return this.expired(page, reply);
    return sendPage(reply, views.mfaChallengePage(page.ctx, this.mfaView(flow, req.query.method)));
  }

  @Post('mfa')
  async mfaSubmit(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const method = form.method === 'recovery-code' || form.method === 'email-code' ? form.method : 'totp';
    const input: FlowSubmitDto =
      method === 'email-code' ? (form.send || form.resend ? { method: 'send-code' } : { method: 'code', code: form.code ?? '' }) : { method, code: form.code ?? '' };
    return this.step(page, req, reply, form, null, input, (errors, status, flow) =>
      sendPage(reply, views.mfaChallengePage(page.ctx, { ...this.mfaView(flow, method), errors }), status),
    );
  }

  @Get('mfa/enrol')
  async enrolForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const flow = await this.currentFlow(page, req);
    if (flow?.step === 'mfa-enrol') {
      const { enrolment } = await this.flows.beginEnrolment(page.tenant, flow);
      return sendPage(reply, views.mfaEnrolPage(page.ctx, { qrDataUri: enrolment!.qrCode, secret: enrolment!.secret, required: true }));
    }
    const me = await this.signedIn(page, req);
    if (!me) return redirect(reply, `${page.ctx.basePath}/sign-in`);
    try {
      const e = await this.account.beginTotp(me);
      return sendPage(reply, views.mfaEnrolPage(page.ctx, { qrDataUri: e.qrCode, secret: e.secret, required: false }));
    } catch (err) {
      if (err instanceof AuthnException && err.authnCode === AuthnErrorCode.MfaAlreadyEnrolled) return redirect(reply, `${page.ctx.basePath}/account`);
      throw err;
    }
  }

  @Post('mfa/enrol')
  async enrol(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const flow = await this.currentFlow(page, req);
    if (flow?.step === 'mfa-enrol') {
      return this.step(page, req, reply, form, null, { method: 'confirm-totp', code: form.code ?? '' }, async (errors, status, f) => {
        const again = await this.flows.beginEnrolment(page.tenant, f ?? flow);
        return sendPage(reply, views.mfaEnrolPage(page.ctx, { qrDataUri: again.enrolment!.qrCode, secret: again.enrolment!.secret, required: true, errors }), status);
      });
    }
    const me = await this.signedIn(page, req);
    if (!me) return redirect(reply, `${page.ctx.basePath}/sign-in`);
    if (!csrfOk(req, form, this.publicOrigin)) return this.csrfFailed(page, reply);
    try {
      const codes = await this.account.confirmTotp(me, form.code ?? '', page.client);
      return sendPage(reply, views.recoveryCodesPage(page.ctx, { codes, continueUrl: `${page.ctx.basePath}/account` }));
    } catch (err) {
      return sendPage(reply, views.messagePage(page.ctx, { title: 'message.error.title', body: 'message.error.body', status: 'error', link: { href: `${page.ctx.basePath}/mfa/enrol`, label: 'message.link.start_over' } }), statusOf(err));
    }
  }

  @Post('mfa/enrol/skip')
  async skip(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (!csrfOk(req, formOf(req.body), this.publicOrigin)) return this.csrfFailed(page, reply);
    return redirect(reply, `${page.ctx.basePath}/account`);
  }

  @Post('mfa/totp/remove')
  async removeTotp(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const me = await this.signedIn(page, req);
    if (!me) return redirect(reply, `${page.ctx.basePath}/sign-in`);
    if (!csrfOk(req, formOf(req.body), this.publicOrigin)) return this.csrfFailed(page, reply);
    this.account.requireMfaSession(me);
    await this.mfa.removeTotp(page.tenant.id, me.identity.userId, page.client);
    return redirect(reply, `${page.ctx.basePath}/account`);
  }

  // ---- sign-up ------------------------------------------------------------------------------------

  @Get('sign-up')
  async signUpForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (!page.tenant.settings.signUp.enabled) return this.notFound(page, reply);
    await this.newFlow(page, 'sign-up', reply);
    return sendPage(reply, views.signUpPage(page.ctx, await this.signUpView(page)));
  }

  @Post('sign-up')
  async signUp(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const view = await this.signUpView(page);
    const attributes: Record<string, unknown> = {};
    for (const f of view.fields) {
      const name = views.registrationInputName(f.name);
      if (name === f.name) continue;
      const raw = form[name];
      if (f.type === 'boolean') attributes[f.name] = raw === 'on' || raw === 'true';
      else if (raw !== undefined && raw !== '') attributes[f.name] = f.type === 'number' ? Number(raw) : raw;
    }
    const input: FlowSubmitDto = { method: 'register', email: form.email ?? '', password: form.password ?? '', givenName: form.givenName || undefined, familyName: form.familyName || undefined, attributes };
    const { password: _pw, csrf: _c, ...values } = form;
    return this.step(page, req, reply, form, 'sign-up', input, (errors, status) => sendPage(reply, views.signUpPage(page.ctx, { ...view, values, errors }), status));
  }

  // ---- recovery -----------------------------------------------------------------------------------

  @Get('forgot-password')
  async forgotForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    return sendPage(reply, views.forgotPasswordPage(page.ctx, {}));
  }

  @Post('forgot-password')
  async forgot(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    if (!csrfOk(req, form, this.publicOrigin)) return sendPage(reply, views.forgotPasswordPage(page.ctx, { email: form.email, errors: [{ code: 'csrf_failed' }] }), 403);
    const email = (form.email ?? '').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) {
      return sendPage(reply, views.forgotPasswordPage(page.ctx, { email, errors: [{ field: 'email', code: 'validation_failed' }] }), 400);
    }
    await this.recovery.request(page.tenant, email, page.client);
    return sendPage(reply, views.forgotPasswordPage(page.ctx, { email, sent: true }));
  }

  @Get('reset-password')
  async resetForm(@Param('slug') slug: string, @Query('token') token: string | undefined, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (!token || !(await this.recovery.valid(page.tenant, token))) return this.invalidLink(page, reply);
    return sendPage(reply, views.resetPasswordPage(page.ctx, { token, minPasswordLength: page.tenant.settings.passwordPolicy.minLength }));
  }

  @Post('reset-password')
  async reset(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const form = formOf(req.body);
    const min = page.tenant.settings.passwordPolicy.minLength;
    const token = form.token ?? '';
    if (!csrfOk(req, form, this.publicOrigin)) return sendPage(reply, views.resetPasswordPage(page.ctx, { token, minPasswordLength: min, errors: [{ code: 'csrf_failed' }] }), 403);
    try {
      await this.recovery.reset(page.tenant, token, form.password ?? '', form.signOutEverywhere === 'on' || form.signOutEverywhere === 'true', page.client);
      return sendPage(reply, views.resetPasswordPage(page.ctx, { token: '', minPasswordLength: min, done: true }));
    } catch (err) {
      if (err instanceof AuthnException && err.authnCode === AuthnErrorCode.InvalidToken) return this.invalidLink(page, reply);
      return sendPage(reply, views.resetPasswordPage(page.ctx, { token, minPasswordLength: min, errors: formErrors(err, min) }), statusOf(err));
    }
  }

  // ---- account ------------------------------------------------------------------------------------

  @Get('account')
  async accountPage(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const me = await this.signedIn(page, req);
    if (!me) return redirect(reply, `${page.ctx.basePath}/sign-in?return_to=${encodeURIComponent(`${page.ctx.basePath}/account`)}`);
    const status = await this.mfa.status(page.tenant.id, me.identity.userId);
    const name = [me.identity.claims.given_name, me.identity.claims.family_name].filter((v) => typeof v === 'string').join(' ') || undefined;
    return sendPage(reply, views.accountPage(page.ctx, { email: me.identity.email ?? me.identity.username ?? '', name, emailVerified: me.identity.emailVerified, mfa: status }));
  }

  @Get('account/password')
  async passwordForm(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (!(await this.signedIn(page, req))) return redirect(reply, `${page.ctx.basePath}/sign-in`);
    return sendPage(reply, views.changePasswordPage(page.ctx, { minPasswordLength: page.tenant.settings.passwordPolicy.minLength }));
  }

  @Post('account/password')
  async changePassword(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    const me = await this.signedIn(page, req);
    if (!me) return redirect(reply, `${page.ctx.basePath}/sign-in`);
    const form = formOf(req.body);
    const min = page.tenant.settings.passwordPolicy.minLength;
    if (!csrfOk(req, form, this.publicOrigin)) return sendPage(reply, views.changePasswordPage(page.ctx, { minPasswordLength: min, errors: [{ code: 'csrf_failed' }] }), 403);
    try {
      await this.account.changePassword(me, form.currentPassword ?? '', form.newPassword ?? '', form.signOutOthers === 'on', page.client);
      return sendPage(reply, views.changePasswordPage(page.ctx, { minPasswordLength: min, done: true }));
    } catch (err) {
      return sendPage(reply, views.changePasswordPage(page.ctx, { minPasswordLength: min, errors: formErrors(err, min, 'newPassword') }), statusOf(err));
    }
  }

  @Post('sign-out')
  async signOut(@Param('slug') slug: string, @Req() req: Req_, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = await this.page(slug, req, reply);
    if (!csrfOk(req, formOf(req.body), this.publicOrigin)) return this.csrfFailed(page, reply);
    const me = await this.signedIn(page, req);
    if (me) await this.flows.signOut(page.tenant, me.token, me.session);
    clearCookie(reply, SESSION_COOKIE, page.cookie);
    return sendPage(reply, views.messagePage(page.ctx, { title: 'message.signed_out.title', body: 'message.signed_out.body', link: { href: `${page.ctx.basePath}/sign-in`, label: 'message.link.sign_in' } }));
  }

  // ---- internals ----------------------------------------------------------------------------------

  /**
   * Runs one flow step from a form post: CSRF, the flow from its cookie, the engine, then a redirect
   * to where the flow stands now, or the same page again with the error.
   */
  private async step(
    page: Page,
    req: Req_,
    reply: FastifyReply,
    form: Record<string, string>,
    kind: 'sign-in' | 'sign-up' | null,
    input: FlowSubmitDto,
    rerender: (errors: FormError[], status: number, flow?: FlowState) => FastifyReply | Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    if (!csrfOk(req, form, this.publicOrigin)) return rerender([{ code: 'csrf_failed' }], 403, (await this.currentFlow(page, req)) ?? undefined);
    let flow = await this.currentFlow(page, req);
    if (!flow || (kind && (flow.kind !== kind || flow.step === 'complete'))) {
      if (!kind) return this.expired(page, reply);
      flow = await this.newFlow(page, kind, reply);
    }
    let result: FlowResult;
    try {
      result = await dispatch(this.flows, page.tenant, flow, input, page.client);
    } catch (err) {
      return rerender(formErrors(err, page.tenant.settings.passwordPolicy.minLength), statusOf(err), flow);
    }
    return this.next(page, reply, result);
  }

  /** Where the browser goes after a step: the next page of the flow, or signed in. */
  private next(page: Page, reply: FastifyReply, result: FlowResult): FastifyReply {
    const base = page.ctx.basePath;
    const flow = result.flow;
    if (result.completion) {
      const c = result.completion;
      setCookie(reply, SESSION_COOKIE, c.sessionToken, { ...page.cookie, ...(flow.remember ? { maxAgeSeconds: Math.floor((Date.parse(c.expiresAt) - Date.now()) / 1000) } : {}) });
      clearCookie(reply, FLOW_COOKIE, page.cookie);
      const continueUrl = flow.returnTo ?? `${base}/account`;
      if (result.recoveryCodes) return sendPage(reply, views.recoveryCodesPage(page.ctx, { codes: result.recoveryCodes, continueUrl }));
      return redirect(reply, continueUrl);
    }
    switch (flow.step) {
      case 'email-code':
        return sendPage(reply, views.emailCodePage(page.ctx, { email: flow.identifier ?? '', purpose: 'sign-in' }));
      case 'verify-email':
        return redirect(reply, `${base}/verify-email`);
      case 'mfa':
        return redirect(reply, `${base}/mfa`);
      case 'mfa-enrol':
        return redirect(reply, `${base}/mfa/enrol`);
      default:
        return redirect(reply, `${base}/sign-in`);
    }
  }

  private async page(slug: string, req: Req_, reply: FastifyReply): Promise<Page> {
    const tenant = await this.tenants.bySlug(slug);
    const basePath = `/t/${tenant.slug}`;
    const cookie: CookieOptions = { path: basePath, secure: this.secure };
    const locale = views.negotiateLocale(req.query.ui_locales, req.headers['accept-language']);
    const returnTo = safeReturnTo(req.query.return_to, basePath);
    const b = tenant.settings.branding;
    const ctx: PageContext = {
      tenant: { slug: tenant.slug, name: b.name ?? tenant.name, logoUrl: b.logoUrl, primaryColor: b.primaryColor },
      locale,
      basePath,
      csrf: csrfToken(req, reply, cookie),
      assetsVersion: ASSETS_VERSION,
      themeVersion: String(tenant.settingsVersion),
      query: new URLSearchParams([...(req.query.ui_locales ? [['ui_locales', req.query.ui_locales]] : []), ...(returnTo ? [['return_to', returnTo]] : [])] as [string, string][]).toString(),
    };
    return { tenant, ctx, cookie, client: requestContext(req, locale), returnTo };
  }

  private async newFlow(page: Page, kind: 'sign-in' | 'sign-up', reply: FastifyReply): Promise<FlowState> {
    const flow = await this.flows.start(page.tenant, kind, page.client, { returnTo: page.returnTo });
    setCookie(reply, FLOW_COOKIE, flow.id, { ...page.cookie, maxAgeSeconds: Math.floor((flow.expiresAt - Date.now()) / 1000) });
    return flow;
  }

  private async currentFlow(page: Page, req: Req_): Promise<FlowState | null> {
    const id = cookieOf(req, FLOW_COOKIE);
    if (!id) return null;
    return this.flows.get(page.tenant, id).catch(() => null);
  }

  private async signedIn(page: Page, req: Req_): Promise<Me | null> {
    const token = cookieOf(req, SESSION_COOKIE);
    if (!token) return null;
    const me = await this.account.resolve(token, page.client, async () => page.tenant);
    return me && me.session.tenantId === page.tenant.id ? me : null;
  }

  private signInView(page: Page): views.SignInView {
    return { passwordless: page.tenant.settings.passwordless.emailCode, signUp: page.tenant.settings.signUp.enabled };
  }

  private mfaView(flow: FlowState | undefined, method: string | undefined): views.MfaChallengeView {
    const methods = (flow?.secondFactors ?? ['totp']) as views.MfaMethod[];
    // A mailed code pending means the user asked for one: show where to type it.
    const mailed = !!flow?.code?.mac && methods.includes('email-code');
    const chosen = methods.includes(method as views.MfaMethod) ? (method as views.MfaMethod) : mailed ? 'email-code' : methods[0];
    return { methods, method: chosen, codeSent: !!flow?.code && flow.code.sends > 0 && !!flow.code.mac };
  }

  private async signUpView(page: Page): Promise<views.SignUpView> {
    const schema = await this.directory.profileSchema(page.tenant.id);
    const de = page.ctx.locale === 'de';
    const fields: RegistrationField[] = [
      { name: 'givenName', label: de ? 'Vorname' : 'First name', type: 'string', required: false, autocomplete: 'given-name' },
      { name: 'familyName', label: de ? 'Nachname' : 'Last name', type: 'string', required: false, autocomplete: 'family-name' },
      ...schema
        .filter((a) => a.registration && a.type !== 'string-list')
        .map((a) => ({ name: a.name, label: a.description ?? a.name, type: a.type as RegistrationField['type'], required: a.required, options: a.allowedValues })),
    ];
    return { fields, minPasswordLength: page.tenant.settings.passwordPolicy.minLength };
  }

  private expired(page: Page, reply: FastifyReply): FastifyReply {
    return sendPage(reply, views.messagePage(page.ctx, { title: 'message.flow_expired.title', body: 'message.flow_expired.body', link: { href: `${page.ctx.basePath}/sign-in`, label: 'message.link.start_over' } }), 410);
  }

  private invalidLink(page: Page, reply: FastifyReply): FastifyReply {
    return sendPage(reply, views.forgotPasswordPage(page.ctx, { errors: [{ code: 'invalid_token' }] }), 400);
  }

  private notFound(page: Page, reply: FastifyReply): FastifyReply {
    return sendPage(reply, views.messagePage(page.ctx, { title: 'message.not_found.title', body: 'message.not_found.body', status: 'error' }), 404);
  }

  private csrfFailed(page: Page, reply: FastifyReply): FastifyReply {
    return sendPage(reply, views.messagePage(page.ctx, { title: 'message.error.title', body: 'message.error.body', status: 'error', link: { href: `${page.ctx.basePath}/sign-in`, label: 'message.link.start_over' } }), 403);
  }
}

function statusOf(err: unknown): number {
  if (err instanceof PlatformException || err instanceof AuthnException) return err.getStatus();
  if (err && typeof err === 'object' && 'getStatus' in err && typeof (err as { getStatus: unknown }).getStatus === 'function') return (err as { getStatus(): number }).getStatus();
  return 500;
}

/** Engine errors as form errors; anything unexpected is rethrown (the platform answers 500 without details). */
function formErrors(err: unknown, minLength: number, passwordField = 'password'): FormError[] {
  if (err instanceof AuthnException) {
    switch (err.authnCode) {
      case AuthnErrorCode.TooManyAttempts:
        return [{ code: 'too_many_attempts', vars: { retryAfterSeconds: err.retryAfterSeconds ?? 60 } }];
      case AuthnErrorCode.PasswordRejected:
        return ((err.extensions.violations as string[]) ?? []).map((v) => ({ field: passwordField, code: v as FormError['code'], vars: { min: minLength, max: 256 } }));
      case AuthnErrorCode.InvalidCredentials:
        return [{ code: 'invalid_credentials', field: err.errors?.[0]?.field }];
      case AuthnErrorCode.InvalidCode:
        return [{ field: 'code', code: 'invalid_code' }];
      case AuthnErrorCode.InvalidToken:
        return [{ code: 'invalid_token' }];
      case AuthnErrorCode.SignUpDisabled:
        return [{ code: 'sign_up_disabled' }];
      case AuthnErrorCode.FlowNotFound:
      case AuthnErrorCode.InvalidFlowStep:
        return [{ code: 'flow_expired' }];
      default:
        return [{ code: 'internal_error' }];
    }
  }
  if (err instanceof PlatformException) {
    return (err.errors ?? [{ field: undefined, message: '' }]).map((e) => ({ field: e.field?.replace(/^attributes\./, 'attr.'), code: 'validation_failed' as const }));
  }
  throw err;
}

