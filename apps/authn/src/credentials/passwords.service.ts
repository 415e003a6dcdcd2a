import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { PasswordHasher } from '@keyline/platform-passwords';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../core/clock';
import { checkPassword, type PasswordPolicy, type PasswordViolation } from '../crypto/password-policy';
import { CommonPasswords } from '../crypto/common-passwords';
import { PasswordCredentialEntity, PasswordHistoryEntity } from '../identities/identity.entity';

type Source = PasswordCredentialEntity['source'];

/**
 * Password credentials: verification (with the same cost whether or not the account exists), transparent
 * upgrade of imported or weaker hashes at sign-in, policy checks and history.
 */
@Injectable()
export class PasswordsService implements OnModuleInit {
  /** Verified instead of a missing credential, so unknown accounts cost what real ones do. */
  private dummyHash = '';

  constructor(
    private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly common: CommonPasswords,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(24).toString('base64url'));
  }

  /**
   * Whether `password` is the user's. A user without a credential (or no user) costs one argon2id
   * verification all the same. A correct password on an old or weaker hash is re-hashed now.
   */
  async verify(tenantId: string, userId: string | null, password: string): Promise<boolean> {
    const cred = userId ? await this.ds.manager.findOneBy(PasswordCredentialEntity, { tenantId, userId }) : null;
    if (!cred) {
      await this.hasher.verify(password, this.dummyHash).catch(() => false);
      return false;
    }
    const ok = await this.hasher.verify(password, cred.hash).catch(() => false);
    if (ok && this.hasher.needsRehash(cred.hash)) await this.upgrade(cred, password);
    return ok;
  }

  /** Where the user's password came from (`sign-up`: chosen by whoever registered the address), or null. */
  async source(tenantId: string, userId: string): Promise<Source | null> {
    const cred = await this.ds.manager.findOne(PasswordCredentialEntity, { where: { tenantId, userId }, select: { source: true, tenantId: true, userId: true } });
    return cred?.source ?? null;
  }

  async hasPassword(tenantId: string, userId: string): Promise<boolean> {
    return (await this.ds.manager.countBy(PasswordCredentialEntity, { tenantId, userId })) > 0;
  }

  /** Policy violations of a new password, including reuse of one of the last `historySize` passwords. */
  async violations(
    tenantId: string,
    userId: string | null,
    policy: PasswordPolicy,
    password: string,
    context: { email?: string | null; username?: string | null },
  ): Promise<(PasswordViolation | 'password_reused')[]> {
    const found: (PasswordViolation | 'password_reused')[] = checkPassword(policy, password, context, this.common);
    if (found.length || !userId || policy.historySize <= 0) return found;
    const earlier = await this.earlierHashes(this.ds.manager, tenantId, userId, policy.historySize);
    for (const hash of earlier) {
      if (await this.hasher.verify(password, hash).catch(() => false)) return ['password_reused'];
    }
    return found;
  }

  /** The hash of a new password (hash outside a transaction: it takes tens of milliseconds). */
  hash(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  /** Stores a new hash in the caller's transaction, keeping the replaced one in the history. */
  async store(m: EntityManager, tenantId: string, userId: string, hash: string, source: Source, historySize: number): Promise<void> {
    const now = this.clock.now();
    const previous = await m.findOneBy(PasswordCredentialEntity, { tenantId, userId });
    // The current hash is checked too, so the history keeps `historySize - 1` earlier ones.
    if (previous && historySize > 1) {
      await m.insert(PasswordHistoryEntity, { tenantId, userId, hash: previous.hash, createdAt: previous.updatedAt });
      const all = await m.find(PasswordHistoryEntity, { where: { tenantId, userId }, order: { createdAt: 'DESC' } });
      if (all.length > historySize - 1) await m.remove(all.slice(historySize - 1));
    }
    await m.upsert(PasswordCredentialEntity, { tenantId, userId, format: 'argon2id', hash, source, updatedAt: now } as never, ['tenantId', 'userId']);
  }

  private async earlierHashes(m: EntityManager, tenantId: string, userId: string, n: number): Promise<string[]> {
    const current = await m.findOneBy(PasswordCredentialEntity, { tenantId, userId });
    const history = await m.find(PasswordHistoryEntity, { where: { tenantId, userId }, order: { createdAt: 'DESC' }, take: Math.max(0, n - 1) });
    return [...(current ? [current.hash] : []), ...history.map((h) => h.hash)];
  }

  /** Replaces the hash only if it is still the one verified (a concurrent change wins). */
  private async upgrade(cred: PasswordCredentialEntity, password: string): Promise<void> {
    const hash = await this.hasher.hash(password);
    await this.ds.manager.update(
      PasswordCredentialEntity,
      { tenantId: cred.tenantId, userId: cred.userId, hash: cred.hash },
      { hash, format: 'argon2id', source: 'rehash', updatedAt: this.clock.now() },
    );
  }
}
