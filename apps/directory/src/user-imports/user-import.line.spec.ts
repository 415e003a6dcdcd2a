import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { fakeBcrypt } from './import.testing';
import { ImportLineValidator, LineOutcome, PLAIN_PASSWORD_REFUSED } from './user-import.line';

const defs: AttributeDefinition[] = [
  { name: 'plan', type: 'enum', allowedValues: ['free', 'gold'], required: false, unique: false, sensitivity: 'public', userEditable: false },
  { name: 'memberNo', type: 'string', required: false, unique: true, sensitivity: 'personal', userEditable: false },
];

let seq = 0;
const validator = new ImportLineValidator({
  tenantId: '018f0000-0000-7000-8000-0000000000aa',
  defs,
  now: () => new Date('2026-01-02T03:04:05.000Z'),
  newId: () => `018f0000-0000-7000-8000-${String(++seq).padStart(12, '0')}`,
});
const check = (value: unknown, number = 7): Promise<LineOutcome> =>
  validator.validate({ number, text: typeof value === 'string' ? value : JSON.stringify(value) });
const errorsOf = async (value: unknown) => {
  const r = await check(value);
  if (r.ok) throw new Error('expected the line to fail');
  return r.errors;
};

describe('import line validation (as POST /v1/users, plus passwordHash)', () => {
  it('builds the user POST /v1/users would create, with its unique values and normalised hash', async () => {
    const hash = fakeBcrypt('x');
    const r = await check({ email: ' Ada@Example.com ', givenName: 'Ada', attributes: { plan: 'gold', memberNo: 'AB12' }, passwordHash: { format: 'bcrypt', hash } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.candidate.line).toBe(7);
    expect(r.candidate.user).toEqual(
      expect.objectContaining({ email: 'Ada@Example.com', emailKey: 'ada@example.com', givenNameKey: 'ada', status: 'active', version: 1, attributes: { plan: 'gold', memberNo: 'AB12' } }),
    );
    expect(r.candidate.unique).toEqual([{ tenantId: r.candidate.user.tenantId, attribute: 'memberNo', valueKey: 'ab12', userId: r.candidate.user.id }]);
    expect(r.candidate.credential).toEqual({ format: 'bcrypt', hash });
    expect(JSON.stringify(r.candidate.user)).not.toContain(hash);
  });

  it('refuses a plain password and says why', async () => {
    expect(await errorsOf({ email: 'a@example.com', password: 'correct horse battery' })).toEqual([{ line: 7, field: 'password', message: PLAIN_PASSWORD_REFUSED }]);
    expect(PLAIN_PASSWORD_REFUSED).toMatch(/passwordHash/);
  });

  it.each([
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['no identifier', { givenName: 'Nobody' }, 'email'],
    ['an unknown attribute', { email: 'a@example.com', attributes: { shoeSize: 42 } }, 'attributes.shoeSize'],
    ['a bad enum value', { email: 'a@example.com', attributes: { plan: 'platinum' } }, 'attributes.plan'],
    ['an unknown field', { email: 'a@example.com', isAdmin: true }, 'isAdmin'],
    ['status deleted', { email: 'a@example.com', status: 'deleted' }, 'status'],
    ['appMetadata over 16 KiB', { email: 'a@example.com', appMetadata: { blob: 'x'.repeat(20_000) } }, 'appMetadata'],
    ['an unknown hash format', { email: 'a@example.com', passwordHash: { format: 'md5', hash: 'abc' } }, 'passwordHash'],
    ['a hash of the wrong shape', { email: 'a@example.com', passwordHash: { format: 'bcrypt', hash: 'plaintext' } }, 'passwordHash'],
    ['an unknown field in passwordHash', { email: 'a@example.com', passwordHash: { format: 'bcrypt', hash: fakeBcrypt('y'), cost: 10 } }, 'passwordHash.cost'],
  ])('refuses %s with a field error', async (_label, value, field) => {
    const errors = await errorsOf(value);
    expect(errors.map((e) => e.field)).toContain(field);
    expect(errors.every((e) => e.line === 7)).toBe(true);
  });

  it.each([
    ['{"email":', 'not valid JSON'],
    ['[{"email":"a@example.com"}]', 'JSON object'],
    ['"a@example.com"', 'JSON object'],
    ['null', 'JSON object'],
  ])('refuses the line %s as a whole', async (text, message) => {
    const errors = await errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBeUndefined();
    expect(errors[0].message).toContain(message);
  });

  it('refuses an over-long line', async () => {
    const r = await validator.validate({ number: 3, text: null });
    expect(r).toEqual({ ok: false, errors: [{ line: 3, message: expect.stringContaining('longer than') }] });
  });
});
