import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { fakeBcrypt, generatedUser } from './import.testing';
import { FakeUserImportStore } from './user-import.fakes';
import { ImportLineValidator } from './user-import.line';
import type { RawLine } from './user-import.lines';
import { RunnerJob, UserImportRunner } from './user-import.runner';
import { MAX_KEPT_ERRORS, OnConflict, UserImportJobEntity } from './user-import-job.entity';

const TENANT = '018f0000-0000-7000-8000-0000000000aa';
const defs: AttributeDefinition[] = [
  { name: 'memberNo', type: 'string', required: false, unique: true, sensitivity: 'personal', userEditable: false },
  { name: 'birthDate', type: 'date', required: false, unique: false, sensitivity: 'sensitive', userEditable: true },
];

let ids = 0;
const newId = () => `018f0000-0000-7000-8000-${String(++ids).padStart(12, '0')}`;
const now = () => new Date('2026-01-02T03:04:05.000Z');

async function* linesOf(values: unknown[]): AsyncGenerator<RawLine> {
  let number = 0;
  for (const v of values) yield { number: ++number, text: typeof v === 'string' ? v : JSON.stringify(v) };
}

function setup(opts: { batchSize?: number; onConflict?: OnConflict } = {}) {
  const store = new FakeUserImportStore();
  const stopping = { value: false };
  const runner = new UserImportRunner({ store, now, newId, logger: { warn: jest.fn(), error: jest.fn() }, batchSize: opts.batchSize ?? 3, stopping: () => stopping.value });
  const job: RunnerJob = { id: newId(), tenantId: TENANT, actor: 'api-key:test', onConflict: opts.onConflict ?? 'fail' };
  void store.insertJob(
    Object.assign(new UserImportJobEntity(), {
      id: job.id,
      tenantId: TENANT,
      status: 'queued',
      onConflict: job.onConflict,
      actor: job.actor,
      worker: 'w',
      bytes: 0,
      totalLines: 0,
      processed: 0,
      created: 0,
      skipped: 0,
      failed: 0,
      errors: [],
      failureReason: null,
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
      heartbeatAt: now(),
    } satisfies UserImportJobEntity),
  );
  void store.start(job.id, now());
  const run = (values: unknown[]) => runner.run(job, defs, linesOf(values));
  return { store, runner, job, run, stopping, saved: () => store.jobs.get(job.id)! };
}

const user = (n: number, extra: Record<string, unknown> = {}) => ({ ...generatedUser(n, { prefix: 'run' }), ...extra });

describe('import runner', () => {
  it('writes valid lines in batches, saving the counters with each batch, and publishes user.created and imported hashes', async () => {
    const { store, run, saved } = setup({ batchSize: 3 });
    const hash = fakeBcrypt('u2');
    const values = [user(1), user(2, { passwordHash: { format: 'bcrypt', hash }, attributes: { birthDate: '1990-01-01' } }), user(3), user(4), user(5), user(6), user(7)];
    const outcome = await run(values);
    expect(outcome.status).toBe('completed');
    expect(store.calls.writeBatch).toBe(3);
    expect(store.calls.writeOne).toBe(0);
    expect(saved()).toEqual(expect.objectContaining({ processed: 7, created: 7, skipped: 0, failed: 0, errors: [] }));
    expect(store.users.size).toBe(7);
    expect(store.events.map((e) => e.type)).toEqual(['user.created', 'user.created', 'credential.password-set', ...Array(5).fill('user.created')]);
    const credential = store.events[2];
    expect(credential.data).toEqual({ userId: store.events[1].meta.subject, tenantId: TENANT, format: 'bcrypt', hash, source: 'import' });
    const created = store.events.filter((e) => e.type === 'user.created');
    expect(JSON.stringify(created)).not.toContain(hash);
    // Sensitive attributes stay out of events, as with POST /v1/users.
    expect(JSON.stringify(created)).not.toContain('1990-01-01');
    expect(created[0].meta).toEqual(expect.objectContaining({ tenantId: TENANT, actor: 'api-key:test' }));
  });

  it('reports bad lines with their 1-based numbers and fields, and creates the others', async () => {
    const { run, saved, store } = setup({ batchSize: 4 });
    await run([
      user(1),
      user(2, { email: 'not-an-email' }),
      '{broken',
      user(4, { attributes: { shoeSize: 44 } }),
      user(5, { password: 'correct horse battery' }),
      user(6, { passwordHash: { format: 'md5', hash: 'x' } }),
      user(7),
    ]);
    const job = saved();
    expect(job).toEqual(expect.objectContaining({ processed: 7, created: 2, failed: 5, skipped: 0 }));
    expect(job.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'email'],
      [3, undefined],
      [4, 'attributes.shoeSize'],
      [5, 'password'],
      [6, 'passwordHash'],
    ]);
    expect([...store.users.values()].map((u) => u.email)).toEqual(['run-1@example.com', 'run-7@example.com']);
  });

  it.each([
    ['fail', { created: 2, failed: 2, skipped: 0 }],
    ['skip', { created: 2, failed: 0, skipped: 2 }],
  ] as const)('settles identifiers taken in the tenant or earlier in the file before inserting (onConflict=%s)', async (onConflict, counts) => {
    const { store, run, saved } = setup({ batchSize: 10, onConflict });
    const existing = new ImportLineValidator({ tenantId: TENANT, defs, now, newId });
    const taken = await existing.validate({ number: 1, text: JSON.stringify(user(9, { email: 'TAKEN@example.com' })) });
    if (!taken.ok) throw new Error('setup');
    store.commit(taken.candidate);
    await run([user(1, { attributes: { memberNo: 'M1' } }), user(2, { email: 'taken@example.com' }), user(3, { email: 'RUN-1@example.com' }), user(4)]);
    expect(saved()).toEqual(expect.objectContaining({ processed: 4, ...counts }));
    expect(store.calls.writeBatch).toBe(1);
    if (onConflict === 'fail') {
      expect(saved().errors).toEqual([
        { line: 2, field: 'email', message: 'email is already taken' },
        { line: 3, field: 'email', message: 'email duplicates line 1' },
      ]);
    } else {
      expect(saved().errors).toEqual([]);
    }
  });

  it('redoes a batch row by row when a concurrent write took a value after the check: only that line fails', async () => {
    const { store, run, saved } = setup({ batchSize: 5 });
    const racer = await new ImportLineValidator({ tenantId: TENANT, defs, now, newId }).validate({ number: 1, text: JSON.stringify({ email: 'run-3@example.com' }) });
    if (!racer.ok) throw new Error('setup');
    store.afterTaken = () => {
      store.afterTaken = undefined;
      store.commit(racer.candidate);
    };
    await run([user(1), user(2), user(3), user(4)]);
    expect(store.calls.writeBatch).toBe(1);
    expect(store.calls.writeOne).toBe(4);
    expect(saved()).toEqual(expect.objectContaining({ processed: 4, created: 3, failed: 1, errors: [{ line: 3, field: 'email', message: 'email is already taken' }] }));
    expect(store.events.filter((e) => e.type === 'user.created')).toHaveLength(3);
  });

  it('refreshes the planner statistics as the table grows (after 10,000 users, then each doubling) and at the end', async () => {
    const { run, store, saved } = setup({ batchSize: 1000 });
    await run(Array.from({ length: 25_000 }, (_, n) => user(n)));
    expect(saved().created).toBe(25_000);
    // At 10,000 and 20,000 users, and once more when the job ends.
    expect(store.statisticsRefreshes).toBe(3);
    const small = setup();
    await small.run([user(1), user(2)]);
    expect(small.store.statisticsRefreshes).toBe(0);
    // 25,000 users through validation take a few seconds on a busy 2-core machine.
  }, 30_000);

  it('counts every failed line but keeps only the first 1000 errors', async () => {
    const { run, saved } = setup({ batchSize: 500 });
    await run(Array.from({ length: 1200 }, () => '{'));
    expect(saved().failed).toBe(1200);
    expect(saved().errors).toHaveLength(MAX_KEPT_ERRORS);
    expect(saved().errors[999].line).toBe(1000);
  });

  it('stops when its job was failed meanwhile (interrupted), and after the current batch when the service stops', async () => {
    const gone = setup({ batchSize: 2 });
    gone.store.afterTaken = () => void Object.assign(gone.saved(), { status: 'failed' });
    expect((await gone.run([user(1), user(2), user(3)])).status).toBe('gone');
    expect(gone.store.users.size).toBe(0);

    const stopped = setup({ batchSize: 2 });
    stopped.stopping.value = true;
    const outcome = await stopped.run([user(1), user(2), user(3), user(4)]);
    expect(outcome.status).toBe('stopped');
    expect(stopped.store.users.size).toBe(2);
  });

  it('yields to the event loop while it works, so other requests are served', async () => {
    const { run } = setup({ batchSize: 500 });
    // A stand-in for other requests: it runs once per turn of the event loop. Counting turns, not
    // time, keeps the test independent of how busy the machine is.
    let turns = 0;
    let done = false;
    const other = () => {
      turns++;
      if (!done) setImmediate(other);
    };
    setImmediate(other);
    await run(Array.from({ length: 3000 }, (_, i) => user(i + 1)));
    done = true;
    // The runner yields at least every 50 lines: 3000 lines give the others at least 60 turns.
    expect(turns).toBeGreaterThanOrEqual(60);
  });
});
