import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthnEvents } from '@keyline/authn-contracts';
import { PlatformErrorCode, PlatformException, DEFAULT_PAGE_SIZE, type Page, UUID_PATTERN, decodeCursor, toPage } from '@keyline/platform-http';
import { DataSource, IsNull, MoreThan, type EntityManager } from 'typeorm';
import { AuthnEventsService } from '../core/authn-events';
import { Clock } from '../core/clock';
import { ApplicationEntity } from './application.entity';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { type ApplicationInput, isConfidential, settingsOf, validateApplication } from './applications.rules';
import { ClientCredentials } from './client-secret';
import { applicationData } from './dto/application-response.dto';

/** Who acts on a tenant's applications: the tenant and the actor recorded in events. */
export interface Acting {
  tenantId: string;
  actor: string;
}

/** How long `findByClientId` may answer from memory; a change made on another instance shows within it. */
const CACHE_MS = 2000;
const CACHE_MAX = 10_000;
/** Optimistic writes without If-Match retry this often when another write got there first. */
const STALE_RETRIES = 5;
export const MAX_GRACE_SECONDS = 604_800;

/** A write lost the race for this version: retried without If-Match, a 412 with it. */
class Stale extends Error {}

/**
 * A tenant's OAuth clients. Every write commits with its event in one transaction, and drops the
 * client from this instance's cache at once so the provider never serves a stale client from here.
 */
@Injectable()
export class ApplicationsService {
  private readonly cache = new Map<string, { app: ApplicationEntity | null; at: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly events: AuthnEventsService,
    private readonly credentials: ClientCredentials,
    private readonly clock: Clock,
  ) {}

  /** A new application; `clientSecret` is set for confidential clients and never retrievable again. */
  async create(at: Acting, input: ApplicationInput): Promise<{ app: ApplicationEntity; clientSecret: string | null }> {
    const { value, errors } = validateApplication(input, 'create');
    if (!value) throw invalid(errors);
    const now = this.clock.now();
    const secret = isConfidential(value.type) ? this.credentials.newSecret() : null;
    const app = Object.assign(new ApplicationEntity(), {
      ...value,
      id: randomUUID(),
      tenantId: at.tenantId,
      clientId: this.credentials.newClientId(),
      refreshTokenRotation: true,
      secretHash: secret?.hash ?? null,
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    } satisfies ApplicationEntity);
    await this.ds.transaction(async (m) => {
      await m.insert(ApplicationEntity, app);
      await this.append(m, at, 'application.created', applicationData(app));
    });
    this.written(app);
    return { app, clientSecret: secret?.secret ?? null };
  }

  /** An application of the tenant; deleted ones and other tenants' ones are 404 alike. */
  async get(tenantId: string, id: string): Promise<ApplicationEntity> {
    const app = await this.find(this.ds.manager, tenantId, id);
    if (!app) throw applicationNotFound(id);
    return app;
  }

  async list(tenantId: string, query: { limit?: number; cursor?: string }): Promise<Page<ApplicationEntity>> {
    const after = decodeCursor(query.cursor);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.ds.manager.find(ApplicationEntity, {
      where: { tenantId, deletedAt: IsNull(), ...(after ? { id: MoreThan(after) } : {}) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  /**
   * Applies a merge patch. With `ifMatch` the write happens only on that version (else 412); without,
   * a concurrent change is re-read and the patch re-applied, so no write is lost. A patch that changes
   * nothing writes nothing.
   */
  async update(at: Acting, id: string, patch: ApplicationInput, ifMatch?: number): Promise<ApplicationEntity> {
    return this.write(at, id, ifMatch, async (m, current) => {
      const { value, errors, changes } = validateApplication(patch, { current: settingsOf(current) });
      if (!value) throw invalid(errors);
      if (!changes.length) return current;
      const next = Object.assign(new ApplicationEntity(), current, value, this.bumped(current));
      await this.save(m, next, current.version);
      await this.append(m, at, 'application.updated', { ...applicationData(next), changes });
      return next;
    });
  }

  /** Soft deletion: the row stays (its client id is never reused) but the client stops working at once. */
  async delete(at: Acting, id: string, ifMatch?: number): Promise<void> {
    await this.write(at, id, ifMatch, async (m, current) => {
      const next = Object.assign(new ApplicationEntity(), current, this.bumped(current));
      next.deletedAt = next.updatedAt;
      await this.save(m, next, current.version);
      await this.append(m, at, 'application.deleted', { ...applicationData(next), deletedAt: next.updatedAt.toISOString() });
      return next;
    });
  }

  /**
   * A new secret for a confidential client. The current one keeps working for `gracePeriodSeconds`
   * (0: it stops at once), so that a deployment can switch without downtime.
   */
  async rotateSecret(at: Acting, id: string, gracePeriodSeconds = 0, ifMatch?: number): Promise<{ app: ApplicationEntity; clientSecret: string }> {
    if (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < 0 || gracePeriodSeconds > MAX_GRACE_SECONDS) {
      throw invalid([{ field: 'gracePeriodSeconds', message: `gracePeriodSeconds must be a whole number from 0 to ${MAX_GRACE_SECONDS}` }]);
    }
    let clientSecret = '';
    const app = await this.write(at, id, ifMatch, async (m, current) => {
      if (!isConfidential(current.type) || !current.secretHash) {
        throw new AuthnException(AuthnErrorCode.PublicClient, `A ${current.type} application is a public client: it has no secret to rotate`);
      }
      const secret = this.credentials.newSecret();
      clientSecret = secret.secret;
      const bumped = this.bumped(current);
      const grace = gracePeriodSeconds > 0;
      const next = Object.assign(new ApplicationEntity(), current, bumped, {
        secretHash: secret.hash,
        previousSecretHash: grace ? current.secretHash : null,
        previousSecretExpiresAt: grace ? new Date(bumped.updatedAt.getTime() + gracePeriodSeconds * 1000) : null,
      });
      await this.save(m, next, current.version);
      await this.append(m, at, 'application.secret-rotated', applicationData(next));
      return next;
    });
    return { app, clientSecret };
  }

  /**
   * The live application with this OAuth client id, in any tenant (the caller checks the tenant), or
   * null. For the provider's hot path: answers from memory for up to 2 s.
   */
  async findByClientId(clientId: string): Promise<ApplicationEntity | null> {
    if (typeof clientId !== 'string' || !clientId || clientId.length > 64) return null;
    const now = this.clock.nowMs();
    const hit = this.cache.get(clientId);
    if (hit && now - hit.at < CACHE_MS) return hit.app;
    const app = await this.ds.manager.findOneBy(ApplicationEntity, { clientId, deletedAt: IsNull() });
    this.cache.delete(clientId);
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(clientId, { app, at: now });
    return app;
  }

  /** Drops what this instance remembers of a client (after every write here). */
  forget(clientId: string): void {
    this.cache.delete(clientId);
  }

  private async write(at: Acting, id: string, ifMatch: number | undefined, change: (m: EntityManager, current: ApplicationEntity) => Promise<ApplicationEntity>) {
    for (let attempt = 0; ; attempt++) {
      try {
        const next = await this.ds.transaction(async (m) => {
          const current = await this.find(m, at.tenantId, id);
          if (!current) throw applicationNotFound(id);
          if (ifMatch !== undefined && ifMatch !== current.version) throw preconditionFailed(current.version);
          return change(m, current);
        });
        this.written(next);
        return next;
      } catch (err) {
        if (!(err instanceof Stale)) throw err;
        if (ifMatch !== undefined || attempt >= STALE_RETRIES) throw preconditionFailed((await this.get(at.tenantId, id)).version);
      }
    }
  }

  private find(m: EntityManager, tenantId: string, id: string): Promise<ApplicationEntity | null> {
    if (typeof id !== 'string' || !UUID_PATTERN.test(id)) return Promise.resolve(null);
    return m.findOneBy(ApplicationEntity, { tenantId, id: id.toLowerCase(), deletedAt: IsNull() });
  }

  /** Writes `next` only if the row is still at `version` (optimistic concurrency). */
  private async save(m: EntityManager, next: ApplicationEntity, version: number): Promise<void> {
    const { id, tenantId, clientId: _clientId, createdAt: _createdAt, ...changes } = next;
    const result = await m.update(ApplicationEntity, { id, tenantId, version }, changes);
    if (result.affected === 0) throw new Stale();
  }

  private bumped(current: ApplicationEntity): { version: number; updatedAt: Date } {
    return { version: current.version + 1, updatedAt: this.clock.now() };
  }

  private append<K extends keyof AuthnEvents & string>(m: EntityManager, at: Acting, type: K, data: AuthnEvents[K]): Promise<void> {
    return this.events.append(m, type, { tenantId: at.tenantId, subject: (data as { id: string }).id, actor: at.actor }, data);
  }

  private written(app: ApplicationEntity): void {
    this.forget(app.clientId);
    this.events.wake();
  }
}

function invalid(errors: { field: string; message: string }[]): PlatformException {
  return new PlatformException(PlatformErrorCode.ValidationFailed, 'The application is invalid', errors);
}

function preconditionFailed(version: number): AuthnException {
  return new AuthnException(AuthnErrorCode.PreconditionFailed, `The application is at version ${version}; read it again and retry`);
}

/** Unknown, deleted and another tenant's applications look alike. */
const applicationNotFound = (id: string) => new AuthnException(AuthnErrorCode.ApplicationNotFound, `No application ${id}`);
