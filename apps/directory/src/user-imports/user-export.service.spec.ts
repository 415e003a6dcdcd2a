import { newId } from '../core/ids';
import { blankUser } from '../users/user.profile';
import { UserExportService, EXPORT_BATCH } from './user-export.service';
import { FakeUserImportStore } from './user-import.fakes';

const A = '018f0000-0000-7000-8000-0000000000aa';
const B = '018f0000-0000-7000-8000-0000000000bb';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

describe('user export', () => {
  const store = new FakeUserImportStore();
  const pages = jest.spyOn(store, 'exportPage');
  const service = new UserExportService(store);

  beforeAll(() => {
    for (let i = 0; i < 2500; i++) {
      const u = Object.assign(blankUser(newId(), A, new Date(0), i % 10 === 0 ? 'suspended' : 'active'), { email: `u${i}@example.com` });
      if (i % 100 === 1) u.status = 'deleted';
      store.users.set(u.id, u);
    }
    const other = Object.assign(blankUser(newId(), B, new Date(0)), { email: 'other@example.com' });
    store.users.set(other.id, other);
  });

  beforeEach(() => pages.mockClear());

  it('streams every user of the tenant but deleted ones, in id order, one query per 1000', async () => {
    const lines = (await text(await service.export(A, undefined))).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; email: string; status: string });
    const expected = [...store.users.values()].filter((u) => u.tenantId === A && u.status !== 'deleted').map((u) => u.id).sort();
    expect(lines.map((l) => l.id)).toEqual(expected);
    expect(lines.some((l) => l.email === 'other@example.com')).toBe(false);
    expect(pages).toHaveBeenCalledTimes(Math.ceil(expected.length / EXPORT_BATCH));
    expect(Object.keys(lines[0]).sort()).toEqual(
      ['id', 'email', 'emailVerified', 'phoneNumber', 'phoneNumberVerified', 'username', 'givenName', 'familyName', 'displayName', 'locale', 'picture', 'externalId', 'status', 'attributes', 'appMetadata', 'version', 'createdAt', 'updatedAt', 'lastLoginAt'].sort(),
    );
  });

  it('filters on status, deleted included when asked for', async () => {
    const suspended = (await text(await service.export(A, 'suspended'))).trimEnd().split('\n');
    expect(suspended).toHaveLength(250);
    const deleted = (await text(await service.export(A, 'deleted'))).trimEnd().split('\n');
    expect(deleted).toHaveLength(25);
  });

  it('reads the next batch only when the client has taken the previous one', async () => {
    const stream = await service.export(A, undefined);
    await new Promise((r) => setTimeout(r, 20));
    // Nothing consumed: only the batch read before answering, plus at most one ahead.
    expect(pages.mock.calls.length).toBeLessThanOrEqual(2);
    stream.destroy();
  });
});
