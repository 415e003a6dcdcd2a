import type { UserStatus } from '@keyline/directory-contracts';
import type { DirectoryEvent } from '../core/directory-event';
import type { UserEntity } from '../users/user.entity';
import { claimsOf, ProgressSnapshot } from './user-import.batch';
import type { ImportCandidate } from './user-import.line';
import { BatchWrite, SingleWrite, UNFINISHED, UserImportStore } from './user-import.store';
import type { UserImportJobEntity } from './user-import-job.entity';

/** In-memory import store for unit tests: enforces uniqueness like the database's indexes do. */
export class FakeUserImportStore extends UserImportStore {
  readonly jobs = new Map<string, UserImportJobEntity>();
  readonly users = new Map<string, UserEntity>();
  /** Claim key -> user id, for everything committed. */
  readonly claims = new Map<string, string>();
  readonly events: DirectoryEvent[] = [];
  readonly calls = { taken: 0, writeBatch: 0, writeOne: 0, saveProgress: 0 };
  /** Runs after `taken()` answered: lets a test play a concurrent write that takes a value meanwhile. */
  afterTaken?: () => void;

  async insertJob(job: UserImportJobEntity): Promise<void> {
    this.jobs.set(job.id, { ...job, errors: [...job.errors] });
  }
  async findJob(tenantId: string, id: string) {
    const j = this.jobs.get(id);
    return j && j.tenantId === tenantId ? { ...j } : null;
  }
  async pageJobs(tenantId: string, after: string | undefined, take: number) {
    return [...this.jobs.values()]
      .filter((j) => j.tenantId === tenantId && (!after || j.id > after))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, take);
  }
  async start(id: string, at: Date): Promise<boolean> {
    const j = this.jobs.get(id);
    if (!j || j.status !== 'queued') return false;
    Object.assign(j, { status: 'running', startedAt: at, heartbeatAt: at });
    return true;
  }
  async taken(_tenantId: string, candidates: readonly ImportCandidate[]): Promise<Set<string>> {
    this.calls.taken++;
    const out = new Set(candidates.flatMap((c) => claimsOf(c).map((cl) => cl.key)).filter((k) => this.claims.has(k)));
    this.afterTaken?.();
    return out;
  }
  async writeBatch(jobId: string, candidates: readonly ImportCandidate[], events: readonly DirectoryEvent[], progress: ProgressSnapshot, at: Date): Promise<BatchWrite> {
    this.calls.writeBatch++;
    const keys = candidates.flatMap((c) => claimsOf(c).map((cl) => cl.key));
    if (keys.some((k) => this.claims.has(k)) || new Set(keys).size !== keys.length) return { ok: false, reason: 'conflict' };
    if (this.jobs.get(jobId)?.status !== 'running') return { ok: false, reason: 'gone' };
    for (const c of candidates) this.commit(c);
    this.events.push(...events);
    this.saveInto(jobId, progress, at);
    return { ok: true };
  }
  async writeOne(candidate: ImportCandidate, events: readonly DirectoryEvent[]): Promise<SingleWrite> {
    this.calls.writeOne++;
    const clash = claimsOf(candidate).find((cl) => this.claims.has(cl.key));
    if (clash) return { ok: false, conflict: clash.field };
    this.commit(candidate);
    this.events.push(...events);
    return { ok: true };
  }
  async saveProgress(jobId: string, progress: ProgressSnapshot, at: Date): Promise<boolean> {
    this.calls.saveProgress++;
    if (this.jobs.get(jobId)?.status !== 'running') return false;
    this.saveInto(jobId, progress, at);
    return true;
  }
  async finish(jobId: string, status: 'completed' | 'failed', progress: ProgressSnapshot | undefined, reason: string | null, at: Date): Promise<void> {
    const j = this.jobs.get(jobId);
    if (!j || !UNFINISHED.includes(j.status)) return;
    if (progress) this.saveInto(jobId, progress, at);
    Object.assign(j, { status, failureReason: reason, finishedAt: at });
  }
  /** How often the runner asked for fresh planner statistics. */
  statisticsRefreshes = 0;

  async refreshStatistics(): Promise<void> {
    this.statisticsRefreshes++;
  }

  async heartbeat(worker: string, at: Date): Promise<void> {
    for (const j of this.jobs.values()) if (j.worker === worker && UNFINISHED.includes(j.status)) j.heartbeatAt = at;
  }
  async failStale(before: Date, reason: string, at: Date): Promise<string[]> {
    const stale = [...this.jobs.values()].filter((j) => UNFINISHED.includes(j.status) && j.heartbeatAt < before);
    for (const j of stale) Object.assign(j, { status: 'failed', failureReason: reason, finishedAt: at });
    return stale.map((j) => j.id);
  }
  async failWorker(worker: string, reason: string, at: Date): Promise<string[]> {
    const mine = [...this.jobs.values()].filter((j) => j.worker === worker && UNFINISHED.includes(j.status));
    for (const j of mine) Object.assign(j, { status: 'failed', failureReason: reason, finishedAt: at });
    return mine.map((j) => j.id);
  }
  async unfinished(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => UNFINISHED.includes(this.jobs.get(id)?.status ?? 'completed')));
  }
  async exportPage(tenantId: string, status: UserStatus | undefined, after: string | undefined, take: number): Promise<UserEntity[]> {
    return [...this.users.values()]
      .filter((u) => u.tenantId === tenantId && (status ? u.status === status : u.status !== 'deleted') && (!after || u.id > after))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, take);
  }

  /** Plays a write of another request: the claims of `candidate` become taken. */
  commit(candidate: ImportCandidate): void {
    this.users.set(candidate.user.id, candidate.user);
    for (const cl of claimsOf(candidate)) this.claims.set(cl.key, candidate.user.id);
  }

  private saveInto(jobId: string, p: ProgressSnapshot, at: Date): void {
    const j = this.jobs.get(jobId);
    if (!j) return;
    Object.assign(j, { processed: p.processed, created: p.created, skipped: p.skipped, failed: p.failed, heartbeatAt: at });
    if (p.errors) j.errors = [...p.errors];
  }
}
