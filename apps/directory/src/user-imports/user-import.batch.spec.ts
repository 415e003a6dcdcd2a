import { UserEntity } from '../users/user.entity';
import { blankUser } from '../users/user.profile';
import { ImportProgress, attributeClaim, emailClaim, planBatch } from './user-import.batch';
import type { ImportCandidate } from './user-import.line';

const T = '018f0000-0000-7000-8000-0000000000aa';
function candidate(line: number, fields: Partial<UserEntity>, unique: Record<string, string> = {}): ImportCandidate {
  const user = Object.assign(blankUser(`id-${line}`, T, new Date(0)), fields);
  return { line, user, unique: Object.entries(unique).map(([attribute, valueKey]) => ({ tenantId: T, attribute, valueKey, userId: user.id })) };
}

describe('batch planning', () => {
  it('lets the first line win every identifier and unique value, naming it in the later ones', () => {
    const plan = planBatch(
      [
        candidate(1, { emailKey: 'a@x.io', usernameKey: 'ann' }, { memberNo: 'm1' }),
        candidate(2, { emailKey: 'b@x.io', usernameKey: 'ann' }),
        candidate(3, { phoneKey: '+4915112345678' }, { memberNo: 'm1' }),
        candidate(4, { phoneKey: '+4915112345678' }),
        candidate(5, { emailKey: 'b@x.io' }),
      ],
      new Set(),
    );
    // Line 5 reuses line 2's email, but line 2 was refused and so claims nothing.
    expect(plan.insert.map((c) => c.line)).toEqual([1, 4, 5]);
    expect(plan.collisions.map((c) => [c.candidate.line, c.field, c.message])).toEqual([
      [2, 'username', 'username duplicates line 1'],
      [3, 'attributes.memberNo', 'attributes.memberNo duplicates line 1'],
    ]);
  });

  it('refuses what the tenant already has, and a refused line claims nothing', () => {
    const plan = planBatch(
      [candidate(1, { emailKey: 'taken@x.io', usernameKey: 'free' }), candidate(2, { usernameKey: 'free' }), candidate(3, { emailKey: 'c@x.io' }, { memberNo: 'm9' })],
      new Set([emailClaim('taken@x.io'), attributeClaim('memberNo', 'm9')]),
    );
    expect(plan.insert.map((c) => c.line)).toEqual([2]);
    expect(plan.collisions.map((c) => [c.candidate.line, c.message])).toEqual([
      [1, 'email is already taken'],
      [3, 'attributes.memberNo is already taken'],
    ]);
  });
});

describe('import progress', () => {
  it('keeps each batch\'s errors in line order, writes them only when they changed, and undoes on restore', () => {
    const p = new ImportProgress();
    p.create(2);
    expect(p.snapshot()).toEqual({ processed: 2, created: 2, skipped: 0, failed: 0 });
    p.fail([{ line: 9, message: 'later' }]);
    const before = p.copy();
    p.fail([{ line: 3, field: 'a', message: 'first' }, { line: 3, field: 'b', message: 'second' }]);
    p.skip();
    p.settle();
    expect(p.snapshot()).toEqual({
      processed: 5,
      created: 2,
      skipped: 1,
      failed: 2,
      errors: [
        { line: 3, field: 'a', message: 'first' },
        { line: 3, field: 'b', message: 'second' },
        { line: 9, message: 'later' },
      ],
    });
    p.saved();
    expect(p.snapshot().errors).toBeUndefined();
    p.restore(before);
    p.settle();
    expect(p.snapshot()).toEqual({ processed: 3, created: 2, skipped: 0, failed: 1, errors: [{ line: 9, message: 'later' }] });
  });
});
