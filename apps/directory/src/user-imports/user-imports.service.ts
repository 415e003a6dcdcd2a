import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, PlatformErrorCode, PlatformException, ShutdownCoordinator, ShutdownPhase } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { Clock } from '../core/clock';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { newId } from '../core/ids';
import { Page, decodeCursor, toPage } from '@keyline/platform-http';
import { ProfileSchemaService } from '../profile-schema/profile-schema.service';
import type { Acting } from '../users/users.service';
import { MAX_LINE_BYTES } from './user-import.line';
import { readLines } from './user-import.lines';
import { RunnerJob, UserImportRunner } from './user-import.runner';
import { ImportSpool, UploadAborted, UploadTooLarge } from './user-import.spool';
import { UserImportStore } from './user-import.store';
import { OnConflict, UserImportJobEntity } from './user-import-job.entity';
import type { UserImportConfig } from './user-imports.config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A job is interrupted once its replica has missed this many heartbeats. */
const MISSED_HEARTBEATS = 3;
/** Spool files of finished jobs, or of uploads that stalled this long, are removed. */
const SPOOL_IDLE_MS = 10 * 60_000;
const SPOOL_CLEANUP_EVERY_MS = 60_000;

export const INTERRUPTED = 'interrupted';
const SHUT_DOWN = 'interrupted: the service shut down before the import finished';
const UNEXPECTED = 'an unexpected error stopped the import; the lines counted as processed were handled';

export interface ImportStart {
  onConflict: OnConflict;
  /** The request body: the raw stream of a route with a streamed body (`application/x-ndjson`). */
  body: unknown;
  /** The declared Content-Length, if any. */
  contentLength?: string;
}

/**
 * Bulk imports: receives an upload into a spool file, records the job and answers at once; one job
 * at a time per replica is processed in the background. A replica marks its jobs alive every
 * IMPORT_HEARTBEAT_MS; jobs of a replica that crashed are failed as `interrupted` by whichever
 * replica notices first (at boot, then at every heartbeat), since their upload died with it.
 */
@Injectable()
export class UserImportsService implements OnApplicationBootstrap {
  /** This process, as recorded on the jobs it accepts. */
  readonly worker = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly queue: RunnerJob[] = [];
  private draining?: Promise<void>;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private lastCleanup = 0;
  private readonly runner: UserImportRunner;

  constructor(
    private readonly store: UserImportStore,
    private readonly schemas: ProfileSchemaService,
    private readonly spool: ImportSpool,
    private readonly clock: Clock,
    @Inject(DIRECTORY_CONFIG) private readonly config: UserImportConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    shutdown: ShutdownCoordinator,
  ) {
    this.runner = new UserImportRunner({
      store,
      now: () => clock.now(),
      newId: () => newId(),
      logger,
      batchSize: config.importBatchSize,
      stopping: () => this.stopping,
    });
    shutdown.add(ShutdownPhase.StopConsumers, 'user imports', () => this.stop());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'cannot check for interrupted imports'));
    this.timer = setInterval(() => void this.tick(), this.config.importHeartbeatMs);
    this.timer.unref();
  }

  /** Receives the upload and queues the job; 413 over IMPORT_MAX_BYTES, 400 for an empty upload. */
  async start(at: Acting, input: ImportStart): Promise<UserImportJobEntity> {
    if (this.stopping) throw new PlatformException(PlatformErrorCode.ServiceUnavailable, 'The service is shutting down; retry shortly');
    const max = this.config.importMaxBytes;
    if (!(input.body instanceof Readable)) throw emptyUpload();
    if (Number(input.contentLength) > max) throw tooLarge(max);
    const id = newId();
    let received;
    try {
      received = await this.spool.receive(id, input.body, max);
    } catch (err) {
      if (err instanceof UploadTooLarge) throw tooLarge(max);
      if (err instanceof UploadAborted) throw new PlatformException(PlatformErrorCode.BadRequest, 'The upload broke off before it was complete');
      throw err;
    }
    if (received.lines === 0) {
      await this.spool.remove(id);
      throw emptyUpload();
    }
    const now = this.clock.now();
    const job = Object.assign(new UserImportJobEntity(), {
      id,
      tenantId: at.tenantId,
      status: 'queued',
      onConflict: input.onConflict,
      actor: at.actor.slice(0, 200),
      worker: this.worker,
      bytes: received.bytes,
      totalLines: received.lines,
      processed: 0,
      created: 0,
      skipped: 0,
      failed: 0,
      errors: [],
      failureReason: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      heartbeatAt: now,
    } satisfies UserImportJobEntity);
    try {
      await this.store.insertJob(job);
    } catch (err) {
      await this.spool.remove(id);
      throw err;
    }
    this.queue.push({ id, tenantId: at.tenantId, actor: job.actor, onConflict: job.onConflict });
    this.kick();
    return job;
  }

  async get(tenantId: string, id: string): Promise<UserImportJobEntity> {
    const job = UUID.test(id) ? await this.store.findJob(tenantId, id) : null;
    if (!job) throw new DirectoryException(DirectoryErrorCode.ImportNotFound, `No import ${id}`);
    return job;
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<UserImportJobEntity>> {
    const rows = await this.store.pageJobs(tenantId, decodeCursor(query.cursor), query.limit + 1);
    return toPage(rows, query.limit);
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (this.draining || this.stopping) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let job = this.queue.shift(); job && !this.stopping; job = this.queue.shift()) await this.process(job);
  }

  private async process(job: RunnerJob): Promise<void> {
    try {
      if (!(await this.store.start(job.id, this.clock.now()))) return;
      const { attributes: defs } = await this.schemas.get(job.tenantId);
      const outcome = await this.runner.run(job, defs, readLines(this.spool.open(job.id), MAX_LINE_BYTES));
      if (outcome.status === 'completed') await this.store.finish(job.id, 'completed', outcome.progress.snapshot(), null, this.clock.now());
      else if (outcome.status === 'stopped') await this.store.finish(job.id, 'failed', outcome.progress.snapshot(), SHUT_DOWN, this.clock.now());
      // 'gone': failed as interrupted by another replica meanwhile; nothing more to record.
    } catch (err) {
      this.logger.error({ err, importId: job.id }, 'user import failed');
      await this.store.finish(job.id, 'failed', undefined, UNEXPECTED, this.clock.now()).catch(() => undefined);
    } finally {
      await this.spool.remove(job.id).catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    try {
      await this.store.heartbeat(this.worker, this.clock.now());
      await this.sweep();
    } catch (err) {
      this.logger.warn({ err }, 'import heartbeat failed');
    }
  }

  /** Fails jobs whose replica went quiet, and removes spool files nobody will process. */
  private async sweep(): Promise<void> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - MISSED_HEARTBEATS * this.config.importHeartbeatMs);
    const failed = await this.store.failStale(before, INTERRUPTED, now);
    if (failed.length) this.logger.warn({ imports: failed }, 'imports interrupted: their replica stopped');
    for (const id of failed) await this.spool.remove(id);
    if (Date.now() - this.lastCleanup < SPOOL_CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    const idle = await this.spool.idleFiles(SPOOL_IDLE_MS);
    const alive = await this.store.unfinished(idle);
    for (const id of idle) if (!alive.has(id)) await this.spool.remove(id);
  }

  /** Shutdown: the running job stops after its current batch; this replica's unfinished jobs fail. */
  private async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
    const failed = await this.store.failWorker(this.worker, SHUT_DOWN, this.clock.now()).catch(() => []);
    for (const id of failed) await this.spool.remove(id).catch(() => undefined);
  }
}

function tooLarge(max: number): PlatformException {
  return new PlatformException(PlatformErrorCode.PayloadTooLarge, `Imports are limited to ${max} bytes; split the file`);
}

function emptyUpload(): PlatformException {
  return new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', [
    { field: 'body', message: 'send the users as application/x-ndjson: one JSON object per line' },
  ]);
}
