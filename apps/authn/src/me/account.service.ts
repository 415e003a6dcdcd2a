import { Injectable } from '@nestjs/common';
import type { SessionView } from '@keyline/sessions-contracts';
import { DataSource } from 'typeorm';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { AuthnEventsService } from '../core/authn-events';
import { DirectoryClient } from '../core/directory.client';
import { AuthnKeys } from '../core/keys';
import { SessionsClient } from '../core/sessions.client';
import { BruteForceGuard } from '../credentials/brute-force';
import { PasswordsService } from '../credentials/passwords.service';
import { codesEqual, generateNumericCode } from '../crypto/one-time-code';
import { FlowStore } from '../flows/flow.store';
import type { RequestContext } from '../flows/flow.types';
import { ACR_MFA, FlowsService, passwordRejected } from '../flows/flows.service';
import { IdentitiesService } from '../identities/identities.service';
import type { IdentityEntity } from '../identities/identity.entity';
import { MfaService, type TotpEnrolment } from '../mfa/mfa.service';
import type { TenantContext } from '../tenants/tenants.service';

const EMAIL_CHANGE_TTL_MS = 15 * 60_000;
const ENROLMENT_TTL_MS = 15 * 60_000;

/** A signed-in user acting on their own account (self-service API and hosted account pages). */
export interface Me {
  tenant: TenantContext;
  session: SessionView;
  token: string;
  identity: IdentityEntity;
}

/** Self-service account changes: password, email, MFA factors. */
@Injectable()
export class AccountService {
  constructor(
    private readonly ds: DataSource,
    private readonly identities: IdentitiesService,
    private readonly passwords: PasswordsService,
    private readonly bruteForce: BruteForceGuard,
    private readonly sessions: SessionsClient,
    private readonly directory: DirectoryClient,
    private readonly mfa: MfaService,
    private readonly flows: FlowsService,
    private readonly store: FlowStore,
    private readonly events: AuthnEventsService,
    private readonly keys: AuthnKeys,
  ) {}

  /** The signed-in user of a session token, or null (unknown, expired, revoked, or the account is gone). */
  async resolve(token: string, ctx: RequestContext, tenantOf: (id: string) => Promise<TenantContext>): Promise<Me | null> {
    const session = await this.sessions.touch(token, ctx);
    if (!session) return null;
    const identity = await this.identities.findIdentity(this.ds.manager, session.tenantId, session.userId);
    if (!identity || identity.status !== 'active') return null;
    return { tenant: await tenantOf(session.tenantId), session, token, identity };
  }

  async changePassword(me: Me, current: string, next: string, signOutOthers: boolean, ctx: RequestContext): Promise<{ otherSessionsRevoked: number }> {
    const { tenant, identity } = me;
    const key = `user:${identity.userId}`;
    const wait = await this.bruteForce.waitMs(tenant.id, key, ctx.ip, tenant.settings);
    if (wait > 0) throw new AuthnException(AuthnErrorCode.TooManyAttempts, 'Too many attempts', undefined, { retryAfter: Math.ceil(wait / 1000) });
    if (!(await this.passwords.verify(tenant.id, identity.userId, current))) {
      await this.bruteForce.fail(tenant.id, key, ctx.ip, tenant.settings);
      throw new AuthnException(AuthnErrorCode.InvalidCredentials, 'The current password is incorrect', [{ field: 'currentPassword', message: 'is incorrect' }]);
    }
    const violations = await this.passwords.violations(tenant.id, identity.userId, tenant.settings.passwordPolicy, next, identity);
    if (violations.length) throw passwordRejected(violations, 'newPassword');
    const hash = await this.passwords.hash(next);
    await this.ds.transaction(async (m) => {
      await this.passwords.store(m, tenant.id, identity.userId, hash, 'change', tenant.settings.passwordPolicy.historySize);
      await this.events.append(m, 'authn.password-changed', { tenantId: tenant.id, subject: identity.userId }, { userId: identity.userId, via: 'change', otherSessionsRevoked: signOutOthers, ip: ctx.ip, userAgent: ctx.userAgent });
    });
    this.events.wake();
    const revoked = signOutOthers ? (await this.sessions.revokeUser(tenant.id, identity.userId, me.session.id)).revoked : 0;
    if (identity.email) this.flows.sendMail(tenant, ctx, 'password-changed', identity.email, {});
    return { otherSessionsRevoked: revoked };
  }

  /** Sends a code to the new address; the change happens only when it comes back. */
  async startEmailChange(me: Me, email: string, ctx: RequestContext): Promise<void> {
    const code = generateNumericCode(6);
    await this.store.putToken('email-change', me.session.id, { email, mac: this.keys.mac('email-change', `${me.session.id}:${email}:${code}`), attempts: 0 }, EMAIL_CHANGE_TTL_MS);
    this.flows.sendMail(me.tenant, ctx, 'email-change', email, { link: `${this.flows.issuerLink(me.tenant)}/account`, expiresInMinutes: EMAIL_CHANGE_TTL_MS / 60_000, code } as never);
  }

  async confirmEmailChange(me: Me, code: string): Promise<IdentityEntity> {
    const pending = await this.store.peekToken<{ email: string; mac: string; attempts: number }>('email-change', me.session.id);
    if (!pending || pending.attempts >= 5) throw new AuthnException(AuthnErrorCode.InvalidCode, 'The code is incorrect or has expired');
    if (!codesEqual(this.keys.mac('email-change', `${me.session.id}:${pending.email}:${code.trim()}`), pending.mac)) {
      await this.store.putToken('email-change', me.session.id, { ...pending, attempts: pending.attempts + 1 }, EMAIL_CHANGE_TTL_MS);
      throw new AuthnException(AuthnErrorCode.InvalidCode, 'The code is incorrect or has expired');
    }
    await this.store.takeToken('email-change', me.session.id);
    const user = await this.directory.setVerified(me.tenant.id, me.identity.userId, { email: pending.email, emailVerified: true });
    await this.ds.transaction(async (m) => {
      await this.identities.upsertUser(user, m);
      await this.events.append(m, 'authn.email-verified', { tenantId: me.tenant.id, subject: user.id }, { userId: user.id, email: pending.email });
    });
    this.events.wake();
    return (await this.identities.findIdentity(this.ds.manager, me.tenant.id, user.id)) as IdentityEntity;
  }

  async beginTotp(me: Me): Promise<Omit<TotpEnrolment, 'sealed'>> {
    const status = await this.mfa.status(me.tenant.id, me.identity.userId);
    if (status.totp) throw new AuthnException(AuthnErrorCode.MfaAlreadyEnrolled, 'An authenticator app is already set up; remove it first');
    const e = await this.mfa.begin(me.tenant.id, me.identity.userId, { issuer: me.tenant.settings.branding.name ?? me.tenant.name, account: me.identity.email ?? me.identity.username ?? me.identity.userId });
    await this.store.putToken('totp-enrolment', me.session.id, { sealed: e.sealed }, ENROLMENT_TTL_MS);
    const { sealed: _s, ...shown } = e;
    return shown;
  }

  async confirmTotp(me: Me, code: string, ctx: RequestContext): Promise<string[]> {
    const pending = await this.store.peekToken<{ sealed: string }>('totp-enrolment', me.session.id);
    if (!pending) throw new AuthnException(AuthnErrorCode.InvalidFlowStep, 'Start the enrolment first (POST /v1/me/mfa/totp)');
    const key = `user:${me.identity.userId}`;
    const wait = await this.bruteForce.waitMs(me.tenant.id, key, ctx.ip, me.tenant.settings);
    if (wait > 0) throw new AuthnException(AuthnErrorCode.TooManyAttempts, 'Too many attempts', undefined, { retryAfter: Math.ceil(wait / 1000) });
    const codes = await this.mfa.confirm(me.tenant.id, me.identity.userId, pending.sealed, code, ctx);
    if (!codes) {
      await this.bruteForce.fail(me.tenant.id, key, ctx.ip, me.tenant.settings);
      throw new AuthnException(AuthnErrorCode.InvalidCode, 'The code is incorrect or has expired');
    }
    await this.store.takeToken('totp-enrolment', me.session.id);
    // The session just proved a second factor.
    await this.sessions.elevate(me.token, ['otp'], ACR_MFA);
    return codes;
  }

  /** Removing a factor or regenerating codes needs a session that signed in with MFA. */
  requireMfaSession(me: Me): void {
    if (me.session.acr !== ACR_MFA) throw new AuthnException(AuthnErrorCode.SessionRequired, 'This needs a session signed in with MFA; step up first');
  }
}
