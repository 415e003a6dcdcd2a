import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PlatformException, ShutdownCoordinator } from '@keyline/platform-http';
import { ProfileSchemaService } from '../profile-schema/profile-schema.service';
import { ProfileSchemaStore } from '../profile-schema/profile-schema.store';
import { FixedClock } from '../testing/directory.fakes';
import { generateUsersNdjson } from './import.testing';
import { FakeUserImportStore } from './user-import.fakes';
import { ImportSpool } from './user-import.spool';
import { UserImportsService } from './user-imports.service';

class EmptySchemas extends ProfileSchemaStore {
  async get() {
    return null;
  }
  async save(): Promise<never> {
    throw new Error('not in these tests');
  }
}

const TENANT = '018f0000-0000-7000-8000-0000000000aa';
const at = { tenantId: TENANT, actor: 'api-key:test' };
const logger = { warn: jest.fn(), error: jest.fn(), info: jest.fn(), debug: jest.fn() } as never;

describe('user imports service', () => {
  let dir: string;
  let store: FakeUserImportStore;
  let clock: FixedClock;
  let shutdown: ShutdownCoordinator;
  let service: UserImportsService;
  const config = { importMaxBytes: 64 * 1024, importSpoolDir: '', importBatchSize: 100, importHeartbeatMs: 1000 };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kl-import-spec-'));
    store = new FakeUserImportStore();
    clock = new FixedClock();
    shutdown = new ShutdownCoordinator();
    service = new UserImportsService(store, new ProfileSchemaService(new EmptySchemas(), clock), new ImportSpool(dir), clock, { ...config, importSpoolDir: dir }, logger, shutdown);
  });

  afterEach(async () => {
    await shutdown.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const problemOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlatformException);
    return (err as PlatformException).toBody();
  };

  it('spools the upload, answers with a queued job, processes it in the background and removes the file', async () => {
    const job = await service.start(at, { onConflict: 'fail', body: Readable.from([generateUsersNdjson(250, { prefix: 'svc' })]) });
    expect(job).toEqual(expect.objectContaining({ status: 'queued', totalLines: 250, processed: 0, worker: service.worker }));
    await service.idle();
    expect(store.jobs.get(job.id)).toEqual(expect.objectContaining({ status: 'completed', processed: 250, created: 250, finishedAt: clock.now() }));
    expect(store.users.size).toBe(250);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an upload over IMPORT_MAX_BYTES, declared or streamed, and keeps nothing of it', async () => {
    const big = generateUsersNdjson(1000, { prefix: 'big' });
    expect((await problemOf(service.start(at, { onConflict: 'fail', body: Readable.from([big]), contentLength: String(big.length) }))).status).toBe(413);
    const streamed = Readable.from((function* () {
      for (let i = 0; i < big.length; i += 8192) yield Buffer.from(big.slice(i, i + 8192));
    })());
    expect((await problemOf(service.start(at, { onConflict: 'fail', body: streamed }))).status).toBe(413);
    // The request stream is left alone (not destroyed), so the 413 can still be sent on its connection.
    expect(streamed.destroyed).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(store.jobs.size).toBe(0);
  });

  it('refuses an empty upload or a missing body', async () => {
    expect((await problemOf(service.start(at, { onConflict: 'fail', body: Readable.from(['\n  \n']) }))).code).toBe('validation_failed');
    expect((await problemOf(service.start(at, { onConflict: 'fail', body: undefined }))).code).toBe('validation_failed');
  });

  it('fails jobs of a replica that stopped marking them alive, at boot and later', async () => {
    const job = await service.start(at, { onConflict: 'fail', body: Readable.from(['{"email":"a@example.com"}\n']) });
    await service.idle();
    const orphan = { ...store.jobs.get(job.id)!, id: '018f0000-0000-7000-8000-0000000000ff', status: 'running' as const, worker: 'crashed', heartbeatAt: clock.now() };
    await store.insertJob(orphan);
    await service.onApplicationBootstrap();
    expect(store.jobs.get(orphan.id)?.status).toBe('running');
    clock.advance(3 * config.importHeartbeatMs + 1);
    await service.onApplicationBootstrap();
    expect(store.jobs.get(orphan.id)).toEqual(expect.objectContaining({ status: 'failed', failureReason: 'interrupted' }));
    expect(store.jobs.get(job.id)?.status).toBe('completed');
  });

  it('on shutdown stops the running job after its batch and fails what this replica had not finished', async () => {
    const first = await service.start(at, { onConflict: 'fail', body: Readable.from([generateUsersNdjson(300, { prefix: 'stop-a' })]) });
    const second = await service.start(at, { onConflict: 'fail', body: Readable.from([generateUsersNdjson(10, { prefix: 'stop-b' })]) });
    await shutdown.onApplicationShutdown();
    const a = store.jobs.get(first.id)!;
    expect(a).toEqual(expect.objectContaining({ status: 'failed', failureReason: expect.stringContaining('interrupted') }));
    expect(a.processed).toBeLessThan(300);
    expect(a.created).toBe(store.users.size);
    expect(store.jobs.get(second.id)).toEqual(expect.objectContaining({ status: 'failed', processed: 0 }));
    expect(readdirSync(dir)).toEqual([]);
    expect((await problemOf(service.start(at, { onConflict: 'fail', body: Readable.from(['{}\n']) }))).status).toBe(503);
  });

  it('finds jobs of the tenant only', async () => {
    const job = await service.start(at, { onConflict: 'skip', body: Readable.from(['{"email":"b@example.com"}\n']) });
    expect((await service.get(TENANT, job.id)).id).toBe(job.id);
    for (const [tenant, id] of [
      ['018f0000-0000-7000-8000-0000000000bb', job.id],
      [TENANT, 'not-a-uuid'],
    ]) {
      const err = await service.get(tenant, id).catch((e: unknown) => e);
      expect((err as PlatformException).toBody().code).toBe('import_not_found');
    }
    expect((await service.list(TENANT, { limit: 10 })).items.map((j) => j.id)).toEqual([job.id]);
  });
});
