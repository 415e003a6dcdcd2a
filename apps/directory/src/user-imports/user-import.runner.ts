import type { Logger } from '@keyline/platform-observability';
import type { DirectoryEvent } from '../core/directory-event';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { userData } from '../users/user.profile';
import { ImportProgress, planBatch } from './user-import.batch';
import { ImportCandidate, ImportLineValidator } from './user-import.line';
import type { RawLine } from './user-import.lines';
import type { OnConflict } from './user-import-job.entity';
import type { UserImportStore } from './user-import.store';

/** Lines validated between two yields to the event loop: keeps each slice of CPU work to a few ms. */
const LINES_PER_SLICE = 50;

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RunnerJob {
  id: string;
  tenantId: string;
  actor: string;
  onConflict: OnConflict;
}

export interface RunnerDeps {
  store: UserImportStore;
  now: () => Date;
  newId: () => string;
  logger: Pick<Logger, 'warn' | 'error'>;
  batchSize: number;
  /** Asked between batches: true stops the job (the service shuts down). */
  stopping?: () => boolean;
}

export type RunOutcome = { status: 'completed'; progress: ImportProgress } | { status: 'stopped' | 'gone'; progress: ImportProgress };

/**
 * Processes one job: validates lines as POST /v1/users would, then writes them in batches (one
 * transaction per batch: users, unique values, events and the job's counters). Between slices of
 * work it yields to the event loop, so API traffic of the same process keeps flowing.
 */
/** Users written before the first statistics refresh; each later one comes after twice as many. */
const FIRST_ANALYZE = 10_000;

export class UserImportRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async run(job: RunnerJob, defs: AttributeDefinition[], lines: AsyncIterable<RawLine>): Promise<RunOutcome> {
    const validator = new ImportLineValidator({ tenantId: job.tenantId, defs, now: this.deps.now, newId: this.deps.newId });
    const progress = new ImportProgress();
    let batch: ImportCandidate[] = [];
    let linesInBatch = 0;
    let sinceYield = 0;
    let analyzeAt = FIRST_ANALYZE;

    for await (const raw of lines) {
      const outcome = await validator.validate(raw);
      if (outcome.ok) batch.push(outcome.candidate);
      else progress.fail(outcome.errors);
      linesInBatch++;
      if (linesInBatch >= this.deps.batchSize) {
        if ((await this.writeBatch(job, defs, batch, progress)) === 'gone') return { status: 'gone', progress };
        batch = [];
        linesInBatch = 0;
        sinceYield = 0;
        if (progress.snapshot().created >= analyzeAt) {
          // The planner's statistics lag a fast-growing table; stale ones once led it to scan the
          // whole tenant for each batch's identifier check instead of probing the unique index.
          await this.deps.store.refreshStatistics();
          analyzeAt *= 2;
        }
        await yieldToEventLoop();
        if (this.deps.stopping?.()) return { status: 'stopped', progress };
      } else if (++sinceYield >= LINES_PER_SLICE) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    if (linesInBatch > 0 && (await this.writeBatch(job, defs, batch, progress)) === 'gone') return { status: 'gone', progress };
    if (progress.snapshot().created >= FIRST_ANALYZE) await this.deps.store.refreshStatistics();
    return { status: 'completed', progress };
  }

  /**
   * Writes one batch into `progress`: collisions are settled first (skip or line error), the rest go
   * in one multi-row insert; should that hit a unique index anyway (a concurrent write took a value
   * since the check), the batch is redone row by row so that only the colliding lines fail.
   */
  private async writeBatch(job: RunnerJob, defs: AttributeDefinition[], candidates: ImportCandidate[], progress: ImportProgress): Promise<'ok' | 'gone'> {
    const { store } = this.deps;
    const taken = candidates.length ? await store.taken(job.tenantId, candidates) : new Set<string>();
    const plan = planBatch(candidates, taken);
    for (const c of plan.collisions) this.collided(job, progress, c.candidate.line, c.field, c.message);

    const now = this.deps.now();
    const eventsOf = (c: ImportCandidate) => this.events(job, defs, c, now);
    const before = progress.copy();
    progress.create(plan.insert.length);
    progress.settle();
    const result = await store.writeBatch(job.id, plan.insert, plan.insert.flatMap(eventsOf), progress.snapshot(), now);
    if (result.ok) {
      progress.saved();
      return 'ok';
    }
    if (result.reason === 'gone') return 'gone';

    // Nothing was written: back to before the inserts, then count each row as it lands.
    progress.restore(before);
    for (const c of plan.insert) {
      const one = await store.writeOne(c, eventsOf(c));
      if (one.ok) progress.create();
      else this.collided(job, progress, c.line, one.conflict, `${one.conflict} is already taken`);
    }
    progress.settle();
    if (!(await store.saveProgress(job.id, progress.snapshot(), this.deps.now()))) return 'gone';
    progress.saved();
    return 'ok';
  }

  private collided(job: RunnerJob, progress: ImportProgress, line: number, field: string, message: string): void {
    if (job.onConflict === 'skip') progress.skip();
    else progress.fail([{ line, field, message }]);
  }

  /** `user.created` (never with a hash), and the imported hash for authn when there is one. */
  private events(job: RunnerJob, defs: AttributeDefinition[], c: ImportCandidate, now: Date): DirectoryEvent[] {
    const meta = { tenantId: job.tenantId, actor: job.actor, subject: c.user.id, occurredAt: now };
    const events: DirectoryEvent[] = [{ type: 'user.created', meta, data: userData(c.user, defs) }];
    if (c.credential) {
      events.push({
        type: 'credential.password-set',
        meta,
        data: { userId: c.user.id, tenantId: job.tenantId, format: c.credential.format, hash: c.credential.hash, source: 'import' },
      });
    }
    return events;
  }
}
