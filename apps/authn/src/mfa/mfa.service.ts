import { Injectable } from '@nestjs/common';
import type { ClientContext } from '@keyline/authn-contracts';
import { DataSource, IsNull } from 'typeorm';
import { AuthnEventsService } from '../core/authn-events';
import { Clock } from '../core/clock';
import { AuthnKeys } from '../core/keys';
import { qrSvgDataUri } from '../crypto/qr';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from '../crypto/recovery-codes';
import { Totp } from '../crypto/totp';
import { RecoveryCodeEntity, TotpFactorEntity } from './mfa.entity';

export interface TotpEnrolment {
  /** Base32 seed for manual entry; shown once, during enrolment. */
  secret: string;
  otpauthUri: string;
  qrCode: string;
  /** The seed sealed for the enrolment state; only this is kept until the first code confirms it. */
  sealed: string;
}

export interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
}

const aadOf = (tenantId: string, userId: string) => `totp:${tenantId}:${userId}`;

/** TOTP factors and recovery codes of users. Seeds are sealed with the key ring; codes are MACs. */
@Injectable()
export class MfaService {
  private readonly totp = new Totp();

  constructor(
    private readonly ds: DataSource,
    private readonly keys: AuthnKeys,
    private readonly events: AuthnEventsService,
    private readonly clock: Clock,
  ) {}

  async status(tenantId: string, userId: string): Promise<MfaStatus> {
    // On every sign-in: most users have no factor, so one query is the usual cost.
    const totp = await this.ds.manager.countBy(TotpFactorEntity, { tenantId, userId });
    const left = totp > 0 ? await this.ds.manager.countBy(RecoveryCodeEntity, { tenantId, userId, usedAt: IsNull() }) : 0;
    return { totp: totp > 0, recoveryCodesLeft: left };
  }

  /**
   * A new enrolment, or the pending one again when `pending` (its sealed seed) is given: a reload or a
   * mistyped code must not replace the key the user has already scanned.
   */
  async begin(tenantId: string, userId: string, label: { issuer: string; account: string }, pending?: string | null): Promise<TotpEnrolment> {
    const secret = pending ? this.secretOf(tenantId, userId, pending) : this.totp.generateSecret();
    const otpauthUri = this.totp.keyUri(secret, { issuer: label.issuer.replaceAll(':', ' '), account: label.account.replaceAll(':', ' ') });
    return { secret, otpauthUri, qrCode: await qrSvgDataUri(otpauthUri), sealed: this.keys.box.seal(secret, aadOf(tenantId, userId)) };
  }

  /** Whether a sealed enrolment can still be opened for this user (it is bound to them). */
  secretOf(tenantId: string, userId: string, sealed: string): string {
    return this.keys.box.open(sealed, aadOf(tenantId, userId));
  }

  /**
   * Confirms an enrolment with a first code: stores the factor, replaces the recovery codes and returns
   * them (the only time they exist in plain text). False when the code does not match.
   */
  async confirm(tenantId: string, userId: string, sealed: string, code: string, ctx: ClientContext): Promise<string[] | null> {
    const secret = this.secretOf(tenantId, userId, sealed);
    const check = this.totp.verify(secret, code, this.clock.nowMs());
    if (!check.ok) return null;
    const codes = generateRecoveryCodes(10);
    await this.ds.transaction(async (m) => {
      await m.delete(TotpFactorEntity, { tenantId, userId });
      await m.insert(TotpFactorEntity, { tenantId, userId, secretSealed: sealed, lastUsedStep: check.step, createdAt: this.clock.now() });
      await this.replaceCodes(m, tenantId, userId, codes);
      await this.events.append(m, 'authn.mfa-enrolled', { tenantId, subject: userId }, { userId, factor: 'totp', ...ctx });
    });
    this.events.wake();
    return codes;
  }

  /** A TOTP code for the user's factor; each time step is accepted once (replays and older codes fail). */
  async verifyTotp(tenantId: string, userId: string, code: string): Promise<'ok' | 'invalid' | 'replayed' | 'none'> {
    const factor = await this.ds.manager.findOneBy(TotpFactorEntity, { tenantId, userId });
    if (!factor) return 'none';
    const check = this.totp.verify(this.secretOf(tenantId, userId, factor.secretSealed), code, this.clock.nowMs(), factor.lastUsedStep);
    if (!check.ok) return check.reason;
    // Compare-and-set on the step: two requests with the same code cannot both win.
    const res = await this.ds.manager
      .createQueryBuilder()
      .update(TotpFactorEntity)
      .set({ lastUsedStep: check.step })
      .where('"tenantId" = :tenantId AND "userId" = :userId AND ("lastUsedStep" IS NULL OR "lastUsedStep" < :step)', { tenantId, userId, step: check.step })
      .execute();
    return res.affected === 1 ? 'ok' : 'replayed';
  }

  /** Spends a recovery code; false when unknown or used. */
  async useRecoveryCode(tenantId: string, userId: string, input: string): Promise<boolean> {
    const normalised = normaliseRecoveryCode(input);
    if (!normalised) return false;
    const codeHash = hashRecoveryCode(normalised, this.pepper(tenantId, userId));
    const res = await this.ds.manager.update(RecoveryCodeEntity, { tenantId, userId, codeHash, usedAt: IsNull() }, { usedAt: this.clock.now() });
    return res.affected === 1;
  }

  async regenerateRecoveryCodes(tenantId: string, userId: string, ctx: ClientContext): Promise<string[]> {
    const codes = generateRecoveryCodes(10);
    await this.ds.transaction(async (m) => {
      await this.replaceCodes(m, tenantId, userId, codes);
      await this.events.append(m, 'authn.mfa-enrolled', { tenantId, subject: userId }, { userId, factor: 'recovery-codes', ...ctx });
    });
    this.events.wake();
    return codes;
  }

  async removeTotp(tenantId: string, userId: string, ctx: ClientContext): Promise<boolean> {
    const removed = await this.ds.transaction(async (m) => {
      const res = await m.delete(TotpFactorEntity, { tenantId, userId });
      if (!res.affected) return false;
      await m.delete(RecoveryCodeEntity, { tenantId, userId });
      await this.events.append(m, 'authn.mfa-removed', { tenantId, subject: userId }, { userId, factor: 'totp', ...ctx });
      return true;
    });
    this.events.wake();
    return removed;
  }

  private async replaceCodes(m: import('typeorm').EntityManager, tenantId: string, userId: string, codes: string[]): Promise<void> {
    await m.delete(RecoveryCodeEntity, { tenantId, userId });
    const pepper = this.pepper(tenantId, userId);
    await m.insert(
      RecoveryCodeEntity,
      codes.map((c) => ({ tenantId, userId, codeHash: hashRecoveryCode(normaliseRecoveryCode(c) as string, pepper), usedAt: null })),
    );
  }

  private pepper(tenantId: string, userId: string): string {
    return this.keys.mac('recovery-code', `${tenantId}:${userId}`);
  }
}
