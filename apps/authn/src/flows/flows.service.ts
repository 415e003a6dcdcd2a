import { Inject, Injectable } from '@nestjs/common';
import type { AuthMethod, SignInFailure } from '@keyline/authn-contracts';
import { LOGGER } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { DataSource } from 'typeorm';
import { AuthnErrorCode, AuthnException, tooManyAttempts } from '../core/authn.exception';
import type { AuthnConfig } from '../config';
import { AuthnEventsService } from '../core/authn-events';
import { AUTHN_CONFIG } from '../core/core.tokens';
import { Clock } from '../core/clock';
import { DirectoryClient } from '../core/directory.client';
import { AuthnKeys } from '../core/keys';
import { SessionsClient } from '../core/sessions.client';
import { BruteForceGuard } from '../credentials/brute-force';
import { PasswordsService } from '../credentials/passwords.service';
import { codesEqual, generateNumericCode } from '../crypto/one-time-code';
import { IdentitiesService } from '../identities/identities.service';
import type { IdentityEntity } from '../identities/identity.entity';
import { MailService } from '../mail/mail.service';
import type { MailTemplateKey, MailTemplateVars } from '../mail/mail.templates';
import { MfaService } from '../mfa/mfa.service';
import type { TenantContext } from '../tenants/tenants.service';
import { FLOW_TTL_MS, FlowStore } from './flow.store';
import type { FlowCompletion, FlowKind, FlowResult, FlowState, RequestContext, SecondFactor } from './flow.types';

const CODE_TTL_MS = 10 * 60_000;
const CODE_ATTEMPTS = 5;
const CODE_SENDS = 5;
const SIGN_UPS_PER_ADDRESS = 5;
const SIGN_UP_WINDOW_MS = 3_600_000;
export const ACR_PASSWORD = 'urn:keyline:acr:password';
export const ACR_MFA = 'urn:keyline:acr:mfa';

const invalidCredentials = () => new AuthnException(AuthnErrorCode.InvalidCredentials, 'The email or password is incorrect');
const invalidCode = () => new AuthnException(AuthnErrorCode.InvalidCode, 'The code is incorrect or has expired');
const wrongStep = (flow: FlowState, what: string) => new AuthnException(AuthnErrorCode.InvalidFlowStep, `This flow is at step ${flow.step}; ${what} is not possible now`);

/**
 * The flow engine behind both the hosted pages and the JSON flow API: sign-in (password or email code,
 * then MFA when due), sign-up (always confirmed by a code to the address, so sign-up never reveals
 * whether an address is registered) and step-up of an existing session. Each method takes the
 * flow, checks it is at the right step, and returns the flow's next state.
 */
@Injectable()
export class FlowsService {
  constructor(
    private readonly ds: DataSource,
    private readonly store: FlowStore,
    private readonly identities: IdentitiesService,
    private readonly passwords: PasswordsService,
    private readonly bruteForce: BruteForceGuard,
    private readonly mfa: MfaService,
    private readonly mail: MailService,
    private readonly sessions: SessionsClient,
    private readonly directory: DirectoryClient,
    private readonly events: AuthnEventsService,
    private readonly keys: AuthnKeys,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AUTHN_CONFIG) private readonly config: AuthnConfig,
  ) {}

  async start(tenant: TenantContext, kind: FlowKind, ctx: RequestContext, opts: { returnTo?: string | null; session?: { id: string; userId: string } } = {}): Promise<FlowState> {
    if (kind === 'sign-up' && !tenant.settings.signUp.enabled) throw new AuthnException(AuthnErrorCode.SignUpDisabled, 'Sign-up is disabled for this tenant');
    const now = this.clock.nowMs();
    const flow: FlowState = {
      id: this.store.newId(),
      kind,
      tenantId: tenant.id,
      createdAt: now,
      expiresAt: now + FLOW_TTL_MS,
      step: 'credentials',
      userId: null,
      identifier: null,
      amr: [],
      remember: false,
      returnTo: opts.returnTo ?? null,
      locale: ctx.locale,
      secondFactors: [],
      code: null,
      enrolment: null,
      sessionId: null,
    };
    if (kind === 'step-up') {
      if (!opts.session) throw new AuthnException(AuthnErrorCode.SessionRequired, 'Step-up needs a signed-in session');
      flow.userId = opts.session.userId;
      flow.sessionId = opts.session.id;
      flow.amr = ['pwd'];
      await this.toSecondFactor(tenant, flow, await this.identityOf(tenant, flow.userId), true);
    }
    await this.store.save(flow);
    return flow;
  }

  /** A flow of this tenant, or 404 (expired and unknown flows look alike). */
  async get(tenant: TenantContext, id: string): Promise<FlowState> {
    const flow = await this.store.get(id);
    if (!flow || flow.tenantId !== tenant.id) throw new AuthnException(AuthnErrorCode.FlowNotFound, 'This flow does not exist or has expired; start a new one');
    return flow;
  }

  // ---- first factor -------------------------------------------------------------------------------

  async password(tenant: TenantContext, flow: FlowState, input: { identifier: string; password: string; remember?: boolean }, ctx: RequestContext): Promise<FlowResult> {
    if (flow.kind !== 'sign-in' || flow.step !== 'credentials') throw wrongStep(flow, 'a password');
    const record = await this.bruteForce.check(tenant.id, input.identifier, ctx.ip, tenant.settings);
    if (record.waitMs > 0) throw tooManyAttempts(Math.ceil(record.waitMs / 1000));
    const identity = await this.identities.findByIdentifier(tenant.id, input.identifier);
    const ok = await this.passwords.verify(tenant.id, identity?.userId ?? null, input.password);
    if (!ok || !identity) {
      await this.failed(tenant, input.identifier, identity, 'invalid_credentials', 'password', ctx);
      throw invalidCredentials();
    }
    if (identity.status !== 'active') {
      await this.failed(tenant, input.identifier, identity, 'account_unavailable', 'password', ctx);
      throw new AuthnException(AuthnErrorCode.InvalidCredentials, 'This account cannot sign in');
    }
    if (record.failures > 0) await this.bruteForce.succeed(tenant.id, input.identifier);
    flow.userId = identity.userId;
    flow.identifier = input.identifier;
    flow.remember = input.remember === true;
    flow.amr = ['pwd'];
    return this.afterFirstFactor(tenant, flow, identity, ctx);
  }

  /** Sends a code: the passwordless first factor, a second factor, or email verification (resend). */
  async sendCode(tenant: TenantContext, flow: FlowState, input: { identifier?: string }, ctx: RequestContext): Promise<FlowResult> {
    if (flow.step === 'credentials') {
      if (flow.kind !== 'sign-in' || !tenant.settings.passwordless.emailCode) throw new AuthnException(AuthnErrorCode.MethodDisabled, 'Sign-in by email code is not enabled');
      if (!input.identifier) throw new AuthnException(AuthnErrorCode.InvalidCredentials, 'An email address is needed');
      await this.throttle(tenant, input.identifier, ctx);
      const identity = await this.identities.findByIdentifier(tenant.id, input.identifier);
      flow.identifier = input.identifier;
      flow.step = 'email-code';
      // The same answer whether or not the address has an account; only a real one gets a code.
      flow.code = this.newCode(identity?.status === 'active' && identity.email ? identity : null, tenant, flow, 'sign-in-code');
      flow.userId = identity?.status === 'active' ? identity.userId : null;
      return this.saved(flow);
    }
    if (flow.step === 'email-code' || flow.step === 'verify-email' || (flow.step === 'mfa' && flow.secondFactors.includes('email-code'))) {
      if ((flow.code?.sends ?? 0) >= CODE_SENDS) throw tooManyAttempts(Math.ceil((flow.expiresAt - this.clock.nowMs()) / 1000));
      const identity = flow.userId ? await this.identities.findIdentity(this.ds.manager, tenant.id, flow.userId) : null;
      const key: MailTemplateKey = flow.step === 'mfa' ? 'mfa-code' : flow.step === 'verify-email' ? 'verify-email' : 'sign-in-code';
      const sends = (flow.code?.sends ?? 0) + 1;
      flow.code = { ...(this.newCode(identity?.email ? identity : null, tenant, flow, key) as NonNullable<FlowState['code']>), sends };
      return this.saved(flow);
    }
    throw wrongStep(flow, 'sending a code');
  }

  async verifyCode(tenant: TenantContext, flow: FlowState, input: { code: string }, ctx: RequestContext): Promise<FlowResult> {
    const step = flow.step;
    if (step !== 'email-code' && step !== 'verify-email' && !(step === 'mfa' && flow.secondFactors.includes('email-code'))) throw wrongStep(flow, 'an email code');
    const throttleKey = flow.identifier ?? `user:${flow.userId}`;
    await this.throttle(tenant, throttleKey, ctx);
    const pending = flow.code;
    const matches = !!pending && pending.expiresAt > this.clock.nowMs() && pending.attempts < CODE_ATTEMPTS && !!flow.userId && codesEqual(this.codeMac(flow, input.code), pending.mac);
    if (!matches) {
      if (pending) pending.attempts += 1;
      await this.store.save(flow);
      const identity = flow.userId ? await this.identities.findIdentity(this.ds.manager, tenant.id, flow.userId) : null;
      await this.failed(tenant, throttleKey, identity, 'invalid_code', 'email-code', ctx);
      throw invalidCode();
    }
    flow.code = null;
    await this.bruteForce.succeed(tenant.id, throttleKey);
    const identity = await this.identityOf(tenant, flow.userId as string);
    if (!identity.emailVerified && identity.email) await this.markVerified(tenant, identity);
    if (step === 'mfa') return this.complete(tenant, flow, [...flow.amr, 'email'], ctx);
    if (step === 'email-code') flow.amr = ['email'];
    return this.afterFirstFactor(tenant, flow, { ...identity, emailVerified: true }, ctx);
  }

  // ---- sign-up ------------------------------------------------------------------------------------

  async signUp(
    tenant: TenantContext,
    flow: FlowState,
    input: { email: string; password: string; profile: Record<string, unknown>; remember?: boolean },
    ctx: RequestContext,
  ): Promise<FlowResult> {
    if (flow.kind !== 'sign-up' || flow.step !== 'credentials') throw wrongStep(flow, 'registering');
    const violations = await this.passwords.violations(tenant.id, null, tenant.settings.passwordPolicy, input.password, { email: input.email });
    if (violations.length) throw passwordRejected(violations, 'password');
    // Sign-ups per address are limited the same way whether or not it is registered (counting only
    // the registered path would reveal it).
    const attempts = await this.store.count(`sign-up:${tenant.id}:${input.email.trim().toLowerCase()}`, SIGN_UP_WINDOW_MS);
    if (attempts > SIGN_UPS_PER_ADDRESS) throw tooManyAttempts(SIGN_UP_WINDOW_MS / 1000);
    const hash = await this.passwords.hash(input.password);
    let user;
    try {
      user = await this.directory.signUp(tenant.id, { ...input.profile, email: input.email });
    } catch (e) {
      if (!(e instanceof AuthnException && e.authnCode === AuthnErrorCode.EmailTaken)) throw e;
      // Same answer as a new account: the address's owner learns of the attempt by mail, nobody else does.
      flow.identifier = input.email;
      flow.step = 'verify-email';
      flow.code = { mac: '', expiresAt: this.clock.nowMs() + CODE_TTL_MS, attempts: 0, sends: 1 };
      this.sendMail(tenant, flow, 'reset-password', input.email, { link: `${this.issuerLink(tenant)}/forgot-password`, expiresInMinutes: 30 });
      return this.saved(flow);
    }
    await this.ds.transaction(async (m) => {
      await this.identities.upsertUser(user, m);
      await this.passwords.store(m, tenant.id, user.id, hash, 'sign-up', tenant.settings.passwordPolicy.historySize);
      await this.events.append(m, 'authn.signed-up', { tenantId: tenant.id, subject: user.id }, { userId: user.id, method: 'password', ip: ctx.ip, userAgent: ctx.userAgent });
    });
    this.events.wake();
    flow.userId = user.id;
    flow.identifier = input.email;
    flow.remember = input.remember === true;
    flow.amr = ['pwd'];
    flow.step = 'verify-email';
    const identity = await this.identityOf(tenant, user.id);
    flow.code = this.newCode(identity, tenant, flow, 'verify-email');
    return this.saved(flow);
  }

  // ---- second factor ------------------------------------------------------------------------------

  async totp(tenant: TenantContext, flow: FlowState, input: { code: string }, ctx: RequestContext): Promise<FlowResult> {
    if (flow.step !== 'mfa' || !flow.secondFactors.includes('totp') || !flow.userId) throw wrongStep(flow, 'an authenticator code');
    const key = `user:${flow.userId}`;
    await this.throttle(tenant, key, ctx);
    const result = await this.mfa.verifyTotp(tenant.id, flow.userId, input.code);
    if (result !== 'ok') {
      const identity = await this.identities.findIdentity(this.ds.manager, tenant.id, flow.userId);
      await this.failed(tenant, key, identity, result === 'replayed' ? 'replayed_code' : 'invalid_code', 'totp', ctx);
      throw invalidCode();
    }
    await this.bruteForce.succeed(tenant.id, key);
    return this.complete(tenant, flow, [...flow.amr, 'otp'], ctx);
  }

  async recoveryCode(tenant: TenantContext, flow: FlowState, input: { code: string }, ctx: RequestContext): Promise<FlowResult> {
    if (flow.step !== 'mfa' || !flow.secondFactors.includes('recovery-code') || !flow.userId) throw wrongStep(flow, 'a recovery code');
    const key = `user:${flow.userId}`;
    await this.throttle(tenant, key, ctx);
    if (!(await this.mfa.useRecoveryCode(tenant.id, flow.userId, input.code))) {
      const identity = await this.identities.findIdentity(this.ds.manager, tenant.id, flow.userId);
      await this.failed(tenant, key, identity, 'invalid_code', 'recovery-code', ctx);
      throw invalidCode();
    }
    await this.bruteForce.succeed(tenant.id, key);
    return this.complete(tenant, flow, [...flow.amr, 'rc' as AuthMethod], ctx);
  }

  /** Starts (or shows again) the enrolment of an authenticator app during a flow that requires MFA. */
  async beginEnrolment(tenant: TenantContext, flow: FlowState): Promise<FlowResult> {
    if (flow.step !== 'mfa-enrol' || !flow.userId) throw wrongStep(flow, 'enrolling an authenticator');
    const identity = await this.identityOf(tenant, flow.userId);
    const label = { issuer: tenant.settings.branding.name ?? tenant.name, account: identity.email ?? identity.username ?? flow.userId };
    const enrolment = await this.mfa.begin(tenant.id, flow.userId, label, flow.enrolment);
    flow.enrolment = enrolment.sealed;
    await this.store.save(flow);
    const { sealed: _sealed, ...shown } = enrolment;
    return { flow, enrolment: shown };
  }

  async confirmEnrolment(tenant: TenantContext, flow: FlowState, input: { code: string }, ctx: RequestContext): Promise<FlowResult> {
    if (flow.step !== 'mfa-enrol' || !flow.userId || !flow.enrolment) throw wrongStep(flow, 'confirming an authenticator');
    const key = `user:${flow.userId}`;
    await this.throttle(tenant, key, ctx);
    const codes = await this.mfa.confirm(tenant.id, flow.userId, flow.enrolment, input.code, ctx);
    if (!codes) {
      await this.bruteForce.fail(tenant.id, key, ctx.ip, tenant.settings);
      throw invalidCode();
    }
    const result = await this.complete(tenant, flow, [...flow.amr, 'otp'], ctx);
    return { ...result, recoveryCodes: codes };
  }

  // ---- internals ----------------------------------------------------------------------------------

  private async afterFirstFactor(tenant: TenantContext, flow: FlowState, identity: IdentityEntity, ctx: RequestContext): Promise<FlowResult> {
    // A self-registered address counts only once proven: otherwise whoever signed up first with
    // somebody else's address could sign in to the account they later think is theirs (pre-hijacking).
    const unproven = !identity.emailVerified && !!identity.email && (tenant.settings.signUp.requireEmailVerification || (await this.passwords.source(tenant.id, identity.userId)) === 'sign-up');
    if (unproven) {
      flow.step = 'verify-email';
      flow.code = this.newCode(identity, tenant, flow, 'verify-email');
      return this.saved(flow);
    }
    const due = await this.toSecondFactor(tenant, flow, identity, false);
    if (!due) return this.complete(tenant, flow, flow.amr, ctx);
    return this.saved(flow);
  }

  /** Sets the flow to its MFA step when one is due; false when the first factor was enough. */
  private async toSecondFactor(tenant: TenantContext, flow: FlowState, identity: IdentityEntity, stepUp: boolean): Promise<boolean> {
    const policy = tenant.settings.mfa;
    const status = await this.mfa.status(tenant.id, identity.userId);
    const emailOk = policy.methods.includes('email-code') && identity.emailVerified && !!identity.email && !flow.amr.includes('email');
    const factors: SecondFactor[] = [];
    if (status.totp && policy.methods.includes('totp')) factors.push('totp');
    if (status.totp && status.recoveryCodesLeft > 0) factors.push('recovery-code');
    if (emailOk) factors.push('email-code');

    const required =
      stepUp ||
      policy.policy === 'required' ||
      (policy.policy === 'required-for-groups' && (await this.identities.inAnyGroup(tenant.id, identity.userId, policy.groups)));
    if (policy.policy === 'off' && !stepUp) return false;
    if (status.totp && factors.includes('totp')) {
      flow.step = 'mfa';
      flow.secondFactors = factors;
      return true;
    }
    if (!required) return false;
    if (factors.includes('email-code')) {
      flow.step = 'mfa';
      flow.secondFactors = factors;
      return true;
    }
    if (policy.methods.includes('totp')) {
      flow.step = 'mfa-enrol';
      flow.secondFactors = [];
      return true;
    }
    throw new AuthnException(AuthnErrorCode.MfaNotEnrolled, 'MFA is required but no method is available to this account; ask the administrator');
  }

  private async complete(tenant: TenantContext, flow: FlowState, amr: AuthMethod[], ctx: RequestContext): Promise<FlowResult> {
    const userId = flow.userId as string;
    const mfa = amr.length > 1;
    const acr = mfa ? ACR_MFA : ACR_PASSWORD;
    const s = tenant.settings.sessions;
    let completion: FlowCompletion | undefined;
    let sessionId: string;
    if (flow.kind === 'step-up') {
      sessionId = flow.sessionId as string;
    } else {
      const idle = flow.remember ? s.rememberMeDays * 86_400_000 : s.idleMinutes * 60_000;
      const absolute = flow.remember ? s.rememberMeDays * 86_400_000 : s.absoluteHours * 3_600_000;
      const created = await this.sessions.create({
        tenantId: tenant.id,
        userId,
        amr: amr.includes('rc' as AuthMethod) ? [...amr.filter((a) => a !== ('rc' as AuthMethod)), 'mfa'] : amr,
        acr,
        ...(ctx.ip ? { ip: ctx.ip } : {}),
        ...(ctx.userAgent ? { userAgent: ctx.userAgent.slice(0, 4096) } : {}),
        idleTtlMs: Math.min(idle, absolute),
        absoluteTtlMs: absolute,
      });
      sessionId = created.session.id;
      completion = { sessionToken: created.token, sessionId, expiresAt: created.session.expiresAt, userId, amr };
    }
    await this.events.emit('authn.signed-in', { tenantId: tenant.id, subject: userId }, { userId, sessionId, amr, mfa, stepUp: flow.kind === 'step-up', ip: ctx.ip, userAgent: ctx.userAgent });
    flow.step = 'complete';
    flow.amr = amr;
    await this.store.delete(flow.id);
    return { flow, completion };
  }

  /** Step-up finishes by elevating the caller's session; the controller holds the token. */
  async elevate(token: string, amr: AuthMethod[]): Promise<boolean> {
    const amrs = amr.map((a) => (a === ('rc' as AuthMethod) ? 'mfa' : a));
    return (await this.sessions.elevate(token, amrs, ACR_MFA)) !== null;
  }

  async signOut(tenant: TenantContext, token: string, session: { id: string; userId: string }): Promise<void> {
    await this.sessions.revoke(token);
    await this.events.emit('authn.signed-out', { tenantId: tenant.id, subject: session.userId }, { userId: session.userId, sessionId: session.id });
  }

  private async throttle(tenant: TenantContext, identifier: string, ctx: RequestContext): Promise<void> {
    const wait = await this.bruteForce.waitMs(tenant.id, identifier, ctx.ip, tenant.settings);
    if (wait > 0) throw tooManyAttempts(Math.ceil(wait / 1000));
  }

  private async failed(
    tenant: TenantContext,
    identifier: string,
    identity: IdentityEntity | null,
    reason: SignInFailure,
    method: 'password' | 'email-code' | 'totp' | 'recovery-code',
    ctx: RequestContext,
  ): Promise<void> {
    const outcome = await this.bruteForce.fail(tenant.id, identifier, ctx.ip, tenant.settings);
    const userId = identity?.status === 'active' || identity?.status === 'suspended' ? identity.userId : null;
    const subject = userId ?? 'unknown';
    await this.events.emit('authn.sign-in-failed', { tenantId: tenant.id, subject, actor: 'anonymous' }, { userId, reason, method, ip: ctx.ip, userAgent: ctx.userAgent });
    if (outcome.lockedOut && userId) {
      await this.events.emit(
        'authn.locked-out',
        { tenantId: tenant.id, subject: userId, actor: 'system' },
        { userId, until: new Date(outcome.blockedUntil).toISOString(), failures: outcome.failures, ip: ctx.ip, userAgent: ctx.userAgent },
      );
      if (identity?.email) this.sendMail(tenant, { locale: null } as FlowState, 'account-locked', identity.email, { expiresInMinutes: tenant.settings.bruteForce.lockoutMinutes });
    }
  }

  /** A fresh code for `identity` (mailed now), or a code nobody received when there is no such account. */
  private newCode(identity: IdentityEntity | null, tenant: TenantContext, flow: FlowState, template: 'sign-in-code' | 'mfa-code' | 'verify-email'): FlowState['code'] {
    const code = generateNumericCode(6);
    const expiresAt = this.clock.nowMs() + CODE_TTL_MS;
    if (!identity?.email) return { mac: '', expiresAt, attempts: 0, sends: 1 };
    const vars = template === 'verify-email' ? { code, link: `${this.issuerLink(tenant)}/verify-email`, expiresInMinutes: CODE_TTL_MS / 60_000 } : { code, expiresInMinutes: CODE_TTL_MS / 60_000 };
    this.sendMail(tenant, flow, template, identity.email, vars as never);
    return { mac: this.codeMac(flow, code), expiresAt, attempts: 0, sends: 1 };
  }

  private codeMac(flow: FlowState, code: string): string {
    return this.keys.mac('flow-code', `${flow.id}:${code.replace(/\s+/g, '')}`);
  }

  /**
   * Mail leaves in the background: the caller's answer (and its timing) must not depend on whether a
   * mail was sent, which would tell whether an account exists.
   */
  sendMail<K extends MailTemplateKey>(tenant: TenantContext, flow: Pick<FlowState, 'locale'>, key: K, to: string, vars: MailTemplateVars[K]): void {
    const mailTenant = { id: tenant.id, name: tenant.settings.branding.name ?? tenant.name, mailFrom: tenant.settings.mail.from, templates: tenant.settings.mail.templates };
    void this.mail.send(mailTenant, key, flow.locale, to, vars).catch((e: Error) => this.logger.warn({ tenantId: tenant.id, template: key, err: e.message }, 'mail not sent'));
  }

  /** The tenant's issuer, the base of every link in mail. */
  issuerLink(tenant: TenantContext): string {
    return `${this.config.publicUrl.replace(/\/$/, '')}/t/${tenant.slug}`;
  }

  /** Records in the directory (and here) that the user proved control of their address. */
  async markVerified(tenant: TenantContext, identity: IdentityEntity): Promise<void> {
    const user = await this.directory.setVerified(tenant.id, identity.userId, { emailVerified: true });
    await this.ds.transaction(async (m) => {
      await this.identities.upsertUser(user, m);
      await this.events.append(m, 'authn.email-verified', { tenantId: tenant.id, subject: identity.userId }, { userId: identity.userId, email: identity.email as string });
    });
    this.events.wake();
  }

  private async identityOf(tenant: TenantContext, userId: string): Promise<IdentityEntity> {
    const identity = await this.identities.findIdentity(this.ds.manager, tenant.id, userId);
    if (!identity || identity.status !== 'active') throw new AuthnException(AuthnErrorCode.InvalidCredentials, 'This account cannot sign in');
    return identity;
  }

  private async saved(flow: FlowState): Promise<FlowResult> {
    await this.store.save(flow);
    return { flow };
  }
}

export function passwordRejected(violations: string[], field: string): AuthnException {
  return new AuthnException(
    AuthnErrorCode.PasswordRejected,
    'The password does not meet the policy',
    violations.map((v) => ({ field, message: v })),
    { violations },
  );
}
