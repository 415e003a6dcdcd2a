import { createHash } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { LOGGER, PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { dialectOf, isUniqueViolation } from '@keyline/platform-persistence';
import { DataSource, type EntityManager, In, Not } from 'typeorm';
import { AuthnEventsService } from '../core/authn-events';
import { Clock } from '../core/clock';
import { AuthnKeys } from '../core/keys';
import { type PrivateSigningJwk, type PublicSigningJwk, SIGNING_ALGS, type SigningAlg, SigningKeyGenerator, publicJwkOf } from './signing-key.crypto';
import { SigningKeyEntity, type SigningKeyStatus, slotOf } from './signing-key.entity';

export interface SigningKeysOptions {
  /**
   * How long a retired key stays in the JWKS (and in the provider's keystore, for verification) after
   * the key that replaced it started signing. It must cover the longest lifetime of anything the old key
   * signed that someone may still verify: ID tokens and JWT access tokens (1 h by default in
   * oidc-provider) with clock skew and the caches of relying parties. oidc-provider also verifies an
   * expired ID token given as `id_token_hint` at logout, so a longer value keeps RP-initiated logout
   * working for sessions that outlive a rotation. Default 2 days.
   */
  retireAfterSeconds: number;
  /** Default delay between a rotation and the new key signing: it is published for that long first. */
  publishSeconds: number;
  /** How often every instance promotes due keys and deletes expired ones (besides doing it lazily on reads). */
  promoteIntervalMs: number;
  /** How long an instance reuses a tenant's key rows before reading them again (changes made here drop them at once). */
  cacheMs: number;
}

export const DEFAULT_SIGNING_KEYS_OPTIONS: SigningKeysOptions = Object.freeze({
  retireAfterSeconds: 2 * 86_400,
  publishSeconds: 600,
  promoteIntervalMs: 30_000,
  cacheMs: 2000,
});

/** Upper bound of `publishSeconds` in a rotation request: one day. */
export const MAX_PUBLISH_SECONDS = 86_400;

/**
 * `Cache-Control` max-age for a tenant's JWKS: below the default `publishSeconds`, so a relying party
 * that honours it fetches a rotated key before the key signs anything.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/** Options for `SigningKeysService` (`Partial<SigningKeysOptions>`, merged over the defaults). */
export const SIGNING_KEYS_OPTIONS = Symbol('authn:signing-keys-options');

/** A signing key as the API shows it: never any key material. */
export interface SigningKeySummary {
  kid: string;
  alg: SigningAlg;
  status: SigningKeyStatus;
  createdAt: string;
  activatesAt: string;
  retiredAt: string | null;
  expiresAt: string | null;
}

export interface SigningKeyRotation {
  /** One alg, or every alg when omitted. */
  alg?: SigningAlg;
  /** Seconds the new key is published before it signs, 0..86400; 0 activates it at once (emergencies). */
  publishSeconds?: number;
}

/** A private key that does not open (wrong key ring, or a sealed value moved to another row). Never carries key material. */
export class SigningKeyUnavailableError extends Error {
  override readonly name = 'SigningKeyUnavailableError';
}

const aadOf = (tenantId: string, kid: string) => `signing-key:${tenantId}:${kid}`;
const STATUS_ORDER: Record<SigningKeyStatus, number> = { active: 0, next: 1, retired: 2 };
const ALG_ORDER = Object.fromEntries(SIGNING_ALGS.map((a, i) => [a, i])) as Record<SigningAlg, number>;
/** Retries of a rotation that lost a race with another one for the same `<alg>:next` slot. */
const ROTATE_ATTEMPTS = 3;

/**
 * Per-tenant signing keys of the OIDC provider. Every tenant has one active key per alg, created on
 * first use. A rotation adds a `next` key per alg that is published at once and signs from
 * `activatesAt` on; then the active key it replaces is retired and stays published until `expiresAt`.
 * Promotion happens on a timer on every instance and lazily on reads; conditional updates make
 * concurrent promoters harmless. Private keys are sealed at rest and opened only for the provider.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly options: SigningKeysOptions;
  private readonly cache = new Map<string, { rows: SigningKeyEntity[]; at: number }>();
  private readonly ensuring = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly ds: DataSource,
    private readonly keys: AuthnKeys,
    private readonly events: AuthnEventsService,
    private readonly clock: Clock,
    private readonly generator: SigningKeyGenerator,
    @Optional() @Inject(SIGNING_KEYS_OPTIONS) options?: Partial<SigningKeysOptions>,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_SIGNING_KEYS_OPTIONS, ...options };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.promoteIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /**
   * Creates the tenant's missing active keys (one per alg). Safe under concurrency: within an instance
   * callers share one run; across instances the unique `<alg>:active` slot lets one insert win and the
   * others' unique violations are ignored.
   */
  ensureKeys(tenantId: string): Promise<void> {
    const running = this.ensuring.get(tenantId);
    if (running) return running;
    const run = this.createMissing(tenantId).finally(() => this.ensuring.delete(tenantId));
    this.ensuring.set(tenantId, run);
    return run;
  }

  /** The tenant's public JWKS: active, next and retired-but-unexpired keys, public members only. */
  async jwks(tenantId: string): Promise<{ keys: PublicSigningJwk[] }> {
    return { keys: (await this.published(tenantId)).map((r) => publicJwkOf(r.publicJwk)) };
  }

  /**
   * The private JWKs of every published key, for the OIDC provider's `jwks` configuration and nothing
   * else. oidc-provider signs with the first key that matches the requested alg (keystore.js
   * `selectForSign`: a filter and a stable sort by a score that is equal for all of these keys), so
   * the active key of each alg comes first, then the pending ones, then the retired ones (which only
   * verify, selected by kid).
   */
  async signingKeys(tenantId: string): Promise<PrivateSigningJwk[]> {
    return (await this.keySet(tenantId)).keys;
  }

  /**
   * `signingKeys` and `version` from one read, so that a provider cache never stores a key set under
   * the version of another one.
   */
  async keySet(tenantId: string): Promise<{ version: number; keys: PrivateSigningJwk[] }> {
    const rows = await this.published(tenantId);
    return { version: versionOf(rows), keys: rows.map((r) => this.open(r)) };
  }

  /**
   * A number that changes whenever the published key set (kids, statuses, order) changes: the first
   * 48 bits of a SHA-256 of it. Cheap: served from the instance's short cache of key rows.
   */
  async version(tenantId: string): Promise<number> {
    return versionOf(await this.published(tenantId));
  }

  /** The tenant's published keys for the API: what they are and when they change, never key material. */
  async list(tenantId: string): Promise<SigningKeySummary[]> {
    return (await this.published(tenantId)).map(summaryOf);
  }

  /**
   * Adds a `next` key for one alg or all of them, published now and signing from now + publishSeconds.
   * A pending key of the same alg that has not started signing is replaced (it never signed anything).
   * Commits with a `keys.rotated` event. Returns the new keys.
   */
  async rotate(tenantId: string, rotation: SigningKeyRotation, actor: string): Promise<SigningKeySummary[]> {
    const publishSeconds = rotation.publishSeconds ?? this.options.publishSeconds;
    if (!Number.isInteger(publishSeconds) || publishSeconds < 0 || publishSeconds > MAX_PUBLISH_SECONDS) {
      throw new PlatformException(PlatformErrorCode.ValidationFailed, 'The rotation is invalid', [
        { field: 'publishSeconds', message: `must be an integer from 0 to ${MAX_PUBLISH_SECONDS}` },
      ]);
    }
    const algs = rotation.alg ? [rotation.alg] : [...SIGNING_ALGS];
    // The key a rotation replaces must exist, and a pending key that is already due must sign before
    // it could be replaced as if it never had.
    await this.ensureKeys(tenantId);
    await this.promoteDue(this.clock.now(), tenantId);

    const now = this.clock.now();
    const activatesAt = new Date(now.getTime() + publishSeconds * 1000);
    const generated = await Promise.all(algs.map((alg) => this.newRow(tenantId, alg, 'next', now, activatesAt)));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ds.transaction(async (m) => {
          // Rotations of one tenant queue on its active rows (Postgres; SQLite runs one writer at a time),
          // so that each one replaces the pending key of the one before instead of colliding with it.
          if (dialectOf(this.ds) === 'postgres') {
            await m.find(SigningKeyEntity, { where: { tenantId, slot: In(algs.map((a) => slotOf(a, 'active'))) }, lock: { mode: 'pessimistic_write' } });
          }
          await m.delete(SigningKeyEntity, { tenantId, slot: In(algs.map((a) => slotOf(a, 'next'))) });
          await m.insert(SigningKeyEntity, generated);
          await this.events.append(
            m,
            'keys.rotated',
            { tenantId, subject: tenantId, actor },
            { tenantId, kids: generated.map((g) => g.kid), algs, activatesAt: activatesAt.toISOString() },
          );
        });
        break;
      } catch (err) {
        // A rotation that raced a promotion of the same alg past the lock: replace its key too.
        if (!isUniqueViolation(err) || attempt >= ROTATE_ATTEMPTS) throw err;
      }
    }
    this.events.wake();
    this.forget(tenantId);
    if (publishSeconds === 0) await this.promoteDue(now, tenantId);
    const rows = await this.ds.manager.findBy(SigningKeyEntity, { kid: In(generated.map((g) => g.kid)) });
    return sortKeys(rows).map(summaryOf);
  }

  /**
   * Promotes every due `next` key (retiring the active key of its tenant and alg) and deletes retired
   * keys past `expiresAt`; of one tenant, or of all. Returns the kids promoted here.
   */
  async promoteDue(now: Date = this.clock.now(), tenantId?: string): Promise<string[]> {
    const due = this.ds.manager
      .createQueryBuilder(SigningKeyEntity, 'k')
      .select(['k.kid', 'k.tenantId', 'k.alg'])
      .where('k.status = :next AND k.activatesAt <= :now', { next: 'next', now: now.getTime() });
    if (tenantId) due.andWhere('k.tenantId = :tenantId', { tenantId });
    const promoted: string[] = [];
    for (const key of await due.getMany()) {
      if (await this.promote(key, now)) promoted.push(key.kid);
      this.forget(key.tenantId);
    }
    const expired = this.ds.manager
      .createQueryBuilder()
      .delete()
      .from(SigningKeyEntity)
      .where('status = :retired AND "expiresAt" <= :now', { retired: 'retired', now: now.getTime() });
    if (tenantId) expired.andWhere('"tenantId" = :tenantId', { tenantId });
    const deleted = await expired.execute();
    if (deleted.affected) {
      if (tenantId) this.forget(tenantId);
      else this.cache.clear();
    }
    return promoted;
  }

  /** Drops what this instance remembers of a tenant's keys. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = this.promoteDue()
      .then(() => undefined)
      .catch((err: unknown) => this.logger?.warn({ err }, 'signing key promotion failed; retrying at the next tick'))
      .finally(() => (this.sweeping = undefined));
    await this.sweeping;
  }

  /**
   * One promotion in one transaction. Claiming the `next` row first (a conditional update) locks it on
   * Postgres, so a concurrent promoter of the same key waits and then finds nothing to do; the active
   * slot is taken last, after the old key left it.
   */
  private promote(key: Pick<SigningKeyEntity, 'kid' | 'tenantId' | 'alg'>, now: Date): Promise<boolean> {
    const { kid, tenantId, alg } = key;
    return this.ds.transaction(async (m: EntityManager) => {
      const claimed = await m.update(SigningKeyEntity, { kid, status: 'next' }, { status: 'active', slot: null });
      if (!claimed.affected) return false;
      await m.update(
        SigningKeyEntity,
        { tenantId, alg, status: 'active', kid: Not(kid) },
        { status: 'retired', slot: null, retiredAt: now, expiresAt: new Date(now.getTime() + this.options.retireAfterSeconds * 1000) },
      );
      await m.update(SigningKeyEntity, { kid }, { slot: slotOf(alg, 'active') });
      return true;
    });
  }

  private async createMissing(tenantId: string): Promise<void> {
    const rows = await this.ds.manager.findBy(SigningKeyEntity, { tenantId });
    const missing = SIGNING_ALGS.filter((alg) => !rows.some((r) => r.slot === slotOf(alg, 'active')));
    if (!missing.length) return;
    const now = this.clock.now();
    await Promise.all(
      missing.map(async (alg) => {
        const row = await this.newRow(tenantId, alg, 'active', now, now);
        try {
          await this.ds.manager.insert(SigningKeyEntity, row);
        } catch (err) {
          // Another instance created this alg's active key first: use that one.
          if (!isUniqueViolation(err)) throw err;
        }
      }),
    );
    this.forget(tenantId);
  }

  /** The published keys in signing order, after due promotions and lazy creation. */
  private async published(tenantId: string): Promise<SigningKeyEntity[]> {
    let rows = await this.rows(tenantId);
    const now = this.clock.nowMs();
    const due = (r: SigningKeyEntity) =>
      (r.status === 'next' && r.activatesAt.getTime() <= now) || (r.status === 'retired' && r.expiresAt !== null && r.expiresAt.getTime() <= now);
    if (rows.some(due)) {
      await this.promoteDue(new Date(now), tenantId);
      rows = await this.rows(tenantId);
    }
    if (SIGNING_ALGS.some((alg) => !rows.some((r) => r.slot === slotOf(alg, 'active')))) {
      await this.ensureKeys(tenantId);
      rows = await this.rows(tenantId);
    }
    return sortKeys(rows.filter((r) => r.status !== 'retired' || (r.expiresAt !== null && r.expiresAt.getTime() > now)));
  }

  private async rows(tenantId: string): Promise<SigningKeyEntity[]> {
    const now = Date.now();
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.at < this.options.cacheMs) return hit.rows;
    const rows = await this.ds.manager.findBy(SigningKeyEntity, { tenantId });
    this.cache.set(tenantId, { rows, at: now });
    return rows;
  }

  private async newRow(tenantId: string, alg: SigningAlg, status: 'active' | 'next', now: Date, activatesAt: Date): Promise<SigningKeyEntity> {
    const { kid, publicJwk, privateJwk } = await this.generator.generate(alg);
    return Object.assign(new SigningKeyEntity(), {
      kid,
      tenantId,
      alg,
      status,
      slot: slotOf(alg, status),
      publicJwk,
      privateJwkSealed: this.keys.box.seal(JSON.stringify(privateJwk), aadOf(tenantId, kid)),
      createdAt: now,
      activatesAt,
      retiredAt: null,
      expiresAt: null,
    });
  }

  private open(row: SigningKeyEntity): PrivateSigningJwk {
    let jwk: PrivateSigningJwk;
    try {
      jwk = JSON.parse(this.keys.box.open(row.privateJwkSealed, aadOf(row.tenantId, row.kid))) as PrivateSigningJwk;
    } catch (cause) {
      throw new SigningKeyUnavailableError(`cannot open the private key ${row.kid} of tenant ${row.tenantId}`, { cause });
    }
    if (jwk.kid !== row.kid || jwk.alg !== row.alg) throw new SigningKeyUnavailableError(`the private key ${row.kid} of tenant ${row.tenantId} does not match its row`);
    return jwk;
  }
}

/** Signing order: active keys first (oidc-provider signs with the first match), then next, then retired newest first. */
function sortKeys(rows: SigningKeyEntity[]): SigningKeyEntity[] {
  return [...rows].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      ALG_ORDER[a.alg] - ALG_ORDER[b.alg] ||
      (b.retiredAt?.getTime() ?? 0) - (a.retiredAt?.getTime() ?? 0) ||
      a.kid.localeCompare(b.kid),
  );
}

function versionOf(rows: SigningKeyEntity[]): number {
  const digest = createHash('sha256')
    .update(rows.map((r) => `${r.kid}:${r.status}`).join(','))
    .digest();
  return digest.readUIntBE(0, 6);
}

function summaryOf(r: SigningKeyEntity): SigningKeySummary {
  return {
    kid: r.kid,
    alg: r.alg,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    activatesAt: r.activatesAt.toISOString(),
    retiredAt: r.retiredAt?.toISOString() ?? null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
  };
}
