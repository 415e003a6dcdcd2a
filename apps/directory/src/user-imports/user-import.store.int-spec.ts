import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryEventTopics, DirectoryEvents } from '@keyline/directory-contracts';
import { Outbox, OutboxEventEntity, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { openDatabase } from '@keyline/platform-persistence';
import { TestDatabase, createTestDatabase } from '@keyline/platform-testing';
import { DataSource } from 'typeorm';
import type { DirectoryEvent } from '../core/directory-event';
import { newId } from '../core/ids';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { UserEntity, UserUniqueValueEntity } from '../users/user.entity';
import { DirectoryUsers1764200000000 } from '../users/users.migration';
import { generatedUser } from './import.testing';
import { ImportCandidate, ImportLineValidator } from './user-import.line';
import { TypeOrmUserImportStore } from './user-import.store';
import { UserImportJobEntity } from './user-import-job.entity';
import { DirectoryUserImports1764400000000 } from './user-imports.migration';

const defs: AttributeDefinition[] = [{ name: 'memberNo', type: 'string', required: false, unique: true, sensitivity: 'personal', userEditable: false }];

/** The import store's writes, on both dialects the directory runs on. */
describe.each(['postgres', 'sqlite'] as const)('import store on %s', (dialect) => {
  let db: TestDatabase | undefined;
  let dir: string | undefined;
  let ds: DataSource;
  let store: TypeOrmUserImportStore;
  const tenantId = newId();
  const validator = new ImportLineValidator({ tenantId, defs, now: () => new Date(), newId: () => newId() });

  beforeAll(async () => {
    if (dialect === 'postgres') db = await createTestDatabase('directory_import_store');
    else dir = mkdtempSync(join(tmpdir(), 'kl-import-store-'));
    ds = await openDatabase({
      service: 'directory',
      url: db?.url,
      dataDir: dir ?? '.data',
      entities: [UserEntity, UserUniqueValueEntity, UserImportJobEntity, ...messagingEntities],
      migrations: [...messagingMigrations, DirectoryUsers1764200000000, DirectoryUserImports1764400000000],
    });
    store = new TypeOrmUserImportStore(ds, new Outbox<DirectoryEvents>(DirectoryEventTopics));
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const candidate = async (n: number, extra: Record<string, unknown> = {}): Promise<ImportCandidate> => {
    const r = await validator.validate({ number: n, text: JSON.stringify({ ...generatedUser(n, { prefix: `store-${dialect}` }), ...extra }) });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.candidate;
  };
  const created = (c: ImportCandidate): DirectoryEvent => ({
    type: 'user.created',
    meta: { tenantId, actor: 'test', subject: c.user.id },
    data: { ...c.user, createdAt: c.user.createdAt.toISOString(), updatedAt: c.user.updatedAt.toISOString() },
  });
  const newJob = async (status: UserImportJobEntity['status'] = 'running') => {
    const at = new Date();
    const job = Object.assign(new UserImportJobEntity(), {
      id: newId(),
      tenantId,
      status,
      onConflict: 'fail',
      actor: 'test',
      worker: 'w1',
      bytes: 10,
      totalLines: 3,
      processed: 0,
      created: 0,
      skipped: 0,
      failed: 0,
      errors: [],
      failureReason: null,
      createdAt: at,
      startedAt: null,
      finishedAt: null,
      heartbeatAt: at,
    } satisfies UserImportJobEntity);
    await store.insertJob(job);
    return job;
  };
  const counts = async () => ({
    users: await ds.getRepository(UserEntity).countBy({ tenantId }),
    values: await ds.getRepository(UserUniqueValueEntity).countBy({ tenantId }),
    events: await ds.getRepository(OutboxEventEntity).count(),
  });

  it('writes a batch with its unique values, events and counters in one transaction', async () => {
    const job = await newJob();
    const batch = [await candidate(1, { attributes: { memberNo: 'A1' } }), await candidate(2), await candidate(3, { attributes: { memberNo: 'A3' } })];
    const progress = { processed: 4, created: 3, skipped: 0, failed: 1, errors: [{ line: 4, field: 'email', message: 'bad' }] };
    expect(await store.writeBatch(job.id, batch, batch.map(created), progress, new Date())).toEqual({ ok: true });
    expect(await counts()).toEqual({ users: 3, values: 2, events: 3 });
    expect(await store.findJob(tenantId, job.id)).toEqual(expect.objectContaining(progress));
    const stored = await ds.getRepository(UserEntity).findOneByOrFail({ id: batch[0].user.id });
    expect(stored).toEqual(batch[0].user);
    expect(await store.taken(tenantId, [await candidate(1), await candidate(9, { attributes: { memberNo: 'a3' } })])).toEqual(
      new Set([`email\u0000store-${dialect}-1@example.com`, 'attr\u0000memberNo\u0000a3']),
    );
  });

  it('writes nothing of a batch one of whose rows a unique index refuses, so it can be redone row by row', async () => {
    const job = await newJob();
    const before = await counts();
    const clash = await candidate(1); // email taken by the previous test
    const batch = [await candidate(10), clash, await candidate(11, { attributes: { memberNo: 'A1' } })];
    expect(await store.writeBatch(job.id, batch, batch.map(created), { processed: 3, created: 3, skipped: 0, failed: 0 }, new Date())).toEqual({ ok: false, reason: 'conflict' });
    expect(await counts()).toEqual(before);
    expect((await store.findJob(tenantId, job.id))?.processed).toBe(0);

    expect(await store.writeOne(batch[0], [created(batch[0])])).toEqual({ ok: true });
    expect(await store.writeOne(clash, [created(clash)])).toEqual({ ok: false, conflict: 'email' });
    expect(await store.writeOne(batch[2], [created(batch[2])])).toEqual({ ok: false, conflict: 'attributes.memberNo' });
    expect(await counts()).toEqual({ users: before.users + 1, values: before.values, events: before.events + 1 });
  });

  it('stops writing for a job that is no longer running, and fails jobs whose worker went quiet', async () => {
    const job = await newJob();
    await store.finish(job.id, 'failed', undefined, 'interrupted', new Date());
    const c = await candidate(20);
    const before = await counts();
    expect(await store.writeBatch(job.id, [c], [created(c)], { processed: 1, created: 1, skipped: 0, failed: 0 }, new Date())).toEqual({ ok: false, reason: 'gone' });
    expect(await counts()).toEqual(before);
    expect(await store.saveProgress(job.id, { processed: 1, created: 1, skipped: 0, failed: 0 }, new Date())).toBe(false);

    const quiet = await newJob('queued');
    const alive = await newJob('running');
    await store.heartbeat('w1', new Date(Date.now() + 60_000));
    expect(await store.failStale(new Date(Date.now() + 30_000), 'interrupted', new Date())).toEqual([]);
    // (Running jobs of the tests above go quiet too.)
    expect(await store.failStale(new Date(Date.now() + 120_000), 'interrupted', new Date())).toEqual(expect.arrayContaining([quiet.id, alive.id]));
    expect(await store.findJob(tenantId, quiet.id)).toEqual(expect.objectContaining({ status: 'failed', failureReason: 'interrupted' }));
    expect(await store.unfinished([quiet.id, alive.id])).toEqual(new Set());
  });

  it('pages exports by id, leaving deleted users out unless asked for', async () => {
    const all = await store.exportPage(tenantId, undefined, undefined, 1000);
    expect(all.map((u) => u.id)).toEqual(all.map((u) => u.id).sort());
    const [first, second] = await store.exportPage(tenantId, undefined, undefined, 2);
    expect((await store.exportPage(tenantId, undefined, first.id, 1))[0].id).toBe(second.id);
    await ds.getRepository(UserEntity).update({ id: first.id }, { status: 'deleted' });
    expect((await store.exportPage(tenantId, undefined, undefined, 1000)).map((u) => u.id)).not.toContain(first.id);
    expect((await store.exportPage(tenantId, 'deleted', undefined, 1000)).map((u) => u.id)).toEqual([first.id]);
    expect(await store.exportPage(newId(), undefined, undefined, 1000)).toEqual([]);
  });
});
