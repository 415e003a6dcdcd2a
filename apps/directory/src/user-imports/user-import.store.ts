import { Inject, Injectable } from '@nestjs/common';
import type { UserStatus } from '@keyline/directory-contracts';
import { isUniqueViolation, uniqueViolationTarget } from '@keyline/platform-persistence';
import { DataSource, EntityManager, In, LessThan, type QueryDeepPartialEntity } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { UserEntity, UserUniqueValueEntity } from '../users/user.entity';
import { attributeClaim, emailClaim, phoneClaim, ProgressSnapshot, usernameClaim } from './user-import.batch';
import type { ImportCandidate } from './user-import.line';
import { ImportStatus, UserImportJobEntity } from './user-import-job.entity';

export type BatchWrite = { ok: true } | { ok: false; reason: 'conflict' | 'gone' };
export type SingleWrite = { ok: true } | { ok: false; conflict: string };

export const UNFINISHED: ImportStatus[] = ['queued', 'running'];

/** Persistence of import jobs and of the users they create, each batch in one transaction. */
export abstract class UserImportStore {
  abstract insertJob(job: UserImportJobEntity): Promise<void>;
  abstract findJob(tenantId: string, id: string): Promise<UserImportJobEntity | null>;
  /** A tenant's jobs in creation order, after the id `after`. */
  abstract pageJobs(tenantId: string, after: string | undefined, take: number): Promise<UserImportJobEntity[]>;
  /** queued -> running; false when the job is not queued any more (failed as interrupted meanwhile). */
  abstract start(id: string, at: Date): Promise<boolean>;
  /** Which claims (`claimsOf`) of these candidates are already taken in the tenant. */
  abstract taken(tenantId: string, candidates: readonly ImportCandidate[]): Promise<Set<string>>;
  /**
   * Inserts the users, their unique values and events, and saves the job's counters, in one
   * transaction; `conflict` (nothing written) when a unique index refused a row, `gone` when the job
   * is no longer running.
   */
  abstract writeBatch(jobId: string, candidates: readonly ImportCandidate[], events: readonly DirectoryEvent[], progress: ProgressSnapshot, at: Date): Promise<BatchWrite>;
  /** One user with its unique values and events, in its own transaction. */
  abstract writeOne(candidate: ImportCandidate, events: readonly DirectoryEvent[]): Promise<SingleWrite>;
  /** Saves the counters of a running job; false when it is no longer running. */
  abstract saveProgress(jobId: string, progress: ProgressSnapshot, at: Date): Promise<boolean>;
  abstract finish(jobId: string, status: 'completed' | 'failed', progress: ProgressSnapshot | undefined, reason: string | null, at: Date): Promise<void>;
  /** Marks the unfinished jobs of `worker` alive. */
  abstract heartbeat(worker: string, at: Date): Promise<void>;
  /** Brings the planner's statistics of the users tables up to date after a large write. */
  abstract refreshStatistics(): Promise<void>;
  /** Fails unfinished jobs not marked alive since `before` (their replica is gone); returns their ids. */
  abstract failStale(before: Date, reason: string, at: Date): Promise<string[]>;
  /** Fails the unfinished jobs of `worker` (it shuts down); returns their ids. */
  abstract failWorker(worker: string, reason: string, at: Date): Promise<string[]>;
  /** Which of these job ids are still queued or running. */
  abstract unfinished(ids: readonly string[]): Promise<Set<string>>;
  /** Up to `take` users of the tenant after the id `after`, in id order; all but deleted ones without `status`. */
  abstract exportPage(tenantId: string, status: UserStatus | undefined, after: string | undefined, take: number): Promise<UserEntity[]>;
}

/** JSON columns are typed as records, which TypeORM's deep-partial insert type cannot express. */
type Row = Parameters<EntityManager['insert']>[1];
type Changes = Parameters<EntityManager['update']>[2];
type UserRows = QueryDeepPartialEntity<UserEntity>[];

/** Users per INSERT: 28 bind parameters each, below SQLite's 32,766 and Postgres's 65,535. */
const USERS_PER_INSERT = 1000;
/** Unique values per INSERT: 4 bind parameters each. */
const VALUES_PER_INSERT = 5000;
/** Values per IN list of the taken-identifier lookup. */
const KEYS_PER_LOOKUP = 1000;

class JobGone extends Error {}

class Conflict extends Error {
  constructor(readonly field: string) {
    super(`unique ${field}`);
  }
}

function conflictOf(err: unknown): string {
  const target = uniqueViolationTarget(err);
  if (/phone/i.test(target)) return 'phoneNumber';
  if (/username/i.test(target)) return 'username';
  return 'email';
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const progressColumns = (p: ProgressSnapshot, at: Date): Partial<UserImportJobEntity> => ({
  processed: p.processed,
  created: p.created,
  skipped: p.skipped,
  failed: p.failed,
  ...(p.errors ? { errors: p.errors } : {}),
  heartbeatAt: at,
});

@Injectable()
export class TypeOrmUserImportStore extends UserImportStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
  }

  private get jobs() {
    return this.ds.getRepository(UserImportJobEntity);
  }

  async insertJob(job: UserImportJobEntity): Promise<void> {
    await this.jobs.insert(job as Row);
  }

  findJob(tenantId: string, id: string): Promise<UserImportJobEntity | null> {
    return this.jobs.findOneBy({ tenantId, id });
  }

  pageJobs(tenantId: string, after: string | undefined, take: number): Promise<UserImportJobEntity[]> {
    const qb = this.jobs.createQueryBuilder('j').where('j.tenantId = :tenantId', { tenantId });
    if (after) qb.andWhere('j.id > :after', { after });
    return qb.orderBy('j.id', 'ASC').limit(take).getMany();
  }

  async start(id: string, at: Date): Promise<boolean> {
    const r = await this.jobs.update({ id, status: 'queued' }, { status: 'running', startedAt: at, heartbeatAt: at } as Changes);
    return !!r.affected;
  }

  async taken(tenantId: string, candidates: readonly ImportCandidate[]): Promise<Set<string>> {
    const out = new Set<string>();
    const emails = candidates.flatMap((c) => (c.user.emailKey === null ? [] : [c.user.emailKey]));
    const phones = candidates.flatMap((c) => (c.user.phoneKey === null ? [] : [c.user.phoneKey]));
    const usernames = candidates.flatMap((c) => (c.user.usernameKey === null ? [] : [c.user.usernameKey]));
    const lists = [
      { column: 'emailKey', keys: emails, claim: emailClaim },
      { column: 'phoneKey', keys: phones, claim: phoneClaim },
      { column: 'usernameKey', keys: usernames, claim: usernameClaim },
    ] as const;
    for (const { column, keys, claim } of lists) {
      for (const part of chunks([...new Set(keys)], KEYS_PER_LOOKUP)) {
        // One index lookup per key on uq_users_tenant_<column>.
        const rows = await this.ds
          .getRepository(UserEntity)
          .createQueryBuilder('u')
          .select(`u.${column}`, 'k')
          .where('u.tenantId = :tenantId', { tenantId })
          .andWhere(`u.${column} IN (:...keys)`, { keys: part })
          .getRawMany<{ k: string }>();
        for (const r of rows) out.add(claim(r.k));
      }
    }
    const byAttribute = new Map<string, string[]>();
    for (const c of candidates) for (const v of c.unique) byAttribute.set(v.attribute, [...(byAttribute.get(v.attribute) ?? []), v.valueKey]);
    for (const [attribute, values] of byAttribute) {
      for (const part of chunks([...new Set(values)], KEYS_PER_LOOKUP)) {
        const rows = await this.ds.getRepository(UserUniqueValueEntity).find({ select: { valueKey: true }, where: { tenantId, attribute, valueKey: In(part) } });
        for (const r of rows) out.add(attributeClaim(attribute, r.valueKey));
      }
    }
    return out;
  }

  async writeBatch(jobId: string, candidates: readonly ImportCandidate[], events: readonly DirectoryEvent[], progress: ProgressSnapshot, at: Date): Promise<BatchWrite> {
    try {
      await this.ds.transaction(async (m) => {
        try {
          for (const part of chunks(candidates, USERS_PER_INSERT)) {
            await m.createQueryBuilder().insert().into(UserEntity).values(part.map((c) => c.user) as UserRows).updateEntity(false).execute();
          }
          for (const part of chunks(candidates.flatMap((c) => c.unique), VALUES_PER_INSERT)) {
            await m.createQueryBuilder().insert().into(UserUniqueValueEntity).values(part).updateEntity(false).execute();
          }
        } catch (err) {
          if (isUniqueViolation(err)) throw new Conflict('batch');
          throw err;
        }
        await this.outbox.appendMany(m, events);
        // Counters commit with the rows they count; a job failed meanwhile (interrupted) stops here.
        const r = await m.update(UserImportJobEntity, { id: jobId, status: 'running' }, progressColumns(progress, at) as Changes);
        if (!r.affected) throw new JobGone();
      });
    } catch (err) {
      if (err instanceof Conflict) return { ok: false, reason: 'conflict' };
      if (err instanceof JobGone) return { ok: false, reason: 'gone' };
      throw err;
    }
    this.outbox.wake();
    return { ok: true };
  }

  async writeOne(candidate: ImportCandidate, events: readonly DirectoryEvent[]): Promise<SingleWrite> {
    try {
      await this.ds.transaction(async (m) => {
        try {
          await m.insert(UserEntity, candidate.user as Row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new Conflict(conflictOf(err));
          throw err;
        }
        for (const v of candidate.unique) {
          try {
            await m.insert(UserUniqueValueEntity, v);
          } catch (err) {
            if (isUniqueViolation(err)) throw new Conflict(`attributes.${v.attribute}`);
            throw err;
          }
        }
        for (const e of events) await appendEvent(this.outbox, m, e);
      });
    } catch (err) {
      if (err instanceof Conflict) return { ok: false, conflict: err.field };
      throw err;
    }
    return { ok: true };
  }

  async saveProgress(jobId: string, progress: ProgressSnapshot, at: Date): Promise<boolean> {
    const r = await this.jobs.update({ id: jobId, status: 'running' }, progressColumns(progress, at) as Changes);
    this.outbox.wake();
    return !!r.affected;
  }

  async finish(jobId: string, status: 'completed' | 'failed', progress: ProgressSnapshot | undefined, reason: string | null, at: Date): Promise<void> {
    const changes = { ...(progress ? progressColumns(progress, at) : { heartbeatAt: at }), status, failureReason: reason, finishedAt: at };
    await this.jobs.update({ id: jobId, status: In(UNFINISHED) }, changes as Changes);
  }

  async refreshStatistics(): Promise<void> {
    // SQLite plans these lookups by index without statistics.
    if (this.ds.options.type === 'postgres') await this.ds.query('ANALYZE users, user_unique_values');
  }

  async heartbeat(worker: string, at: Date): Promise<void> {
    await this.jobs.update({ worker, status: In(UNFINISHED) }, { heartbeatAt: at } as Changes);
  }

  async failStale(before: Date, reason: string, at: Date): Promise<string[]> {
    const stale = await this.jobs.find({ select: { id: true }, where: { status: In(UNFINISHED), heartbeatAt: LessThan(before) } });
    if (!stale.length) return [];
    const ids = stale.map((j) => j.id);
    // Re-checked in the update: a job marked alive since the select keeps running.
    await this.jobs.update({ id: In(ids), status: In(UNFINISHED), heartbeatAt: LessThan(before) }, { status: 'failed', failureReason: reason, finishedAt: at } as Changes);
    const alive = await this.unfinished(ids);
    return ids.filter((id) => !alive.has(id));
  }

  async failWorker(worker: string, reason: string, at: Date): Promise<string[]> {
    const mine = await this.jobs.find({ select: { id: true }, where: { worker, status: In(UNFINISHED) } });
    if (!mine.length) return [];
    await this.jobs.update({ worker, status: In(UNFINISHED) }, { status: 'failed', failureReason: reason, finishedAt: at } as Changes);
    return mine.map((j) => j.id);
  }

  async unfinished(ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.jobs.find({ select: { id: true }, where: { id: In([...ids]), status: In(UNFINISHED) } });
    return new Set(rows.map((r) => r.id));
  }

  exportPage(tenantId: string, status: UserStatus | undefined, after: string | undefined, take: number): Promise<UserEntity[]> {
    const qb = this.ds.getRepository(UserEntity).createQueryBuilder('u').where('u.tenantId = :tenantId', { tenantId });
    if (status) qb.andWhere('u.status = :status', { status });
    else qb.andWhere('u.status <> :deleted', { deleted: 'deleted' satisfies UserStatus });
    if (after) qb.andWhere('u.id > :after', { after });
    return qb.orderBy('u.id', 'ASC').limit(take).getMany();
  }
}
