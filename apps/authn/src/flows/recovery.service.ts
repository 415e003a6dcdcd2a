import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { AuthnEventsService } from '../core/authn-events';
import { SessionsClient } from '../core/sessions.client';
import { BruteForceGuard } from '../credentials/brute-force';
import { PasswordsService } from '../credentials/passwords.service';
import { generateToken, hashToken } from '../crypto/one-time-code';
import { IdentitiesService } from '../identities/identities.service';
import type { TenantContext } from '../tenants/tenants.service';
import { FlowStore } from './flow.store';
import type { RequestContext } from './flow.types';
import { FlowsService, passwordRejected } from './flows.service';

const RESET_TTL_MS = 30 * 60_000;
/** Reset mails per address and hour; more are dropped silently (the answer stays the same). */
const RESETS_PER_HOUR = 5;

interface ResetGrant {
  tenantId: string;
  userId: string;
}

/**
 * Forgotten passwords: a single-use link (only its SHA-256 is stored, in Redis with a TTL) mailed to
 * the address if it has an account. The request's answer and timing are the same either way.
 */
@Injectable()
export class RecoveryService {
  constructor(
    private readonly ds: DataSource,
    private readonly store: FlowStore,
    private readonly flows: FlowsService,
    private readonly identities: IdentitiesService,
    private readonly passwords: PasswordsService,
    private readonly bruteForce: BruteForceGuard,
    private readonly sessions: SessionsClient,
    private readonly events: AuthnEventsService,
  ) {}

  async request(tenant: TenantContext, email: string, ctx: RequestContext): Promise<void> {
    const identity = await this.identities.findByIdentifier(tenant.id, email);
    const sent = await this.store.count(`reset:${tenant.id}:${email.trim().toLowerCase()}`, 3_600_000);
    if (!identity || identity.status !== 'active' || !identity.email || sent > RESETS_PER_HOUR) return;
    const token = generateToken();
    await this.store.putToken('reset', hashToken(token), { tenantId: tenant.id, userId: identity.userId } satisfies ResetGrant, RESET_TTL_MS);
    const link = `${this.flows.issuerLink(tenant)}/reset-password?token=${encodeURIComponent(token)}`;
    this.flows.sendMail(tenant, ctx, 'reset-password', identity.email, { link, expiresInMinutes: RESET_TTL_MS / 60_000 });
  }

  /** Whether a reset token is still good (the page shows the form only then); it is not spent. */
  async valid(tenant: TenantContext, token: string): Promise<boolean> {
    const grant = await this.store.peekToken<ResetGrant>('reset', hashToken(token));
    return grant?.tenantId === tenant.id;
  }

  /**
   * Sets the new password with a valid token, spends it, clears the lockout and (by default) revokes
   * every session. A password the policy refuses leaves the token unspent, so the user can try again.
   */
  async reset(tenant: TenantContext, token: string, password: string, signOutEverywhere: boolean, ctx: RequestContext): Promise<void> {
    const hash = hashToken(token);
    const peek = await this.store.peekToken<ResetGrant>('reset', hash);
    if (!peek || peek.tenantId !== tenant.id) throw invalidToken();
    const identity = await this.identities.findIdentity(this.ds.manager, tenant.id, peek.userId);
    if (!identity || identity.status !== 'active') throw invalidToken();
    const violations = await this.passwords.violations(tenant.id, identity.userId, tenant.settings.passwordPolicy, password, identity);
    if (violations.length) throw passwordRejected(violations, 'password');
    const newHash = await this.passwords.hash(password);
    const grant = await this.store.takeToken<ResetGrant>('reset', hash);
    if (!grant) throw invalidToken();
    await this.ds.transaction(async (m) => {
      await this.passwords.store(m, tenant.id, grant.userId, newHash, 'reset', tenant.settings.passwordPolicy.historySize);
      await this.events.append(m, 'authn.password-changed', { tenantId: tenant.id, subject: grant.userId }, { userId: grant.userId, via: 'reset', otherSessionsRevoked: signOutEverywhere, ip: ctx.ip, userAgent: ctx.userAgent });
      await this.events.append(m, 'authn.lockout-cleared', { tenantId: tenant.id, subject: grant.userId }, { userId: grant.userId, via: 'password-reset' });
    });
    this.events.wake();
    await this.bruteForce.clear(tenant.id, identifiersOf(identity));
    // The link reached the address: it is proven, whoever registered it.
    if (!identity.emailVerified && identity.email) await this.flows.markVerified(tenant, identity);
    if (signOutEverywhere) await this.sessions.revokeUser(tenant.id, grant.userId);
    if (identity.email) this.flows.sendMail(tenant, ctx, 'password-changed', identity.email, {});
  }
}

const invalidToken = () => new AuthnException(AuthnErrorCode.InvalidToken, 'This link is invalid, used or expired; ask for a new one');

/** The brute-force keys a user may be locked under. */
export function identifiersOf(i: { userId: string; email: string | null; username: string | null; phoneNumber: string | null }): string[] {
  return [i.email, i.username, i.phoneNumber, `user:${i.userId}`].filter((v): v is string => !!v);
}
