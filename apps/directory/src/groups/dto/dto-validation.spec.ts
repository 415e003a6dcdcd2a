import { PlatformException, validationPipe } from '@keyline/platform-http';
import { RoleCreateDto } from '../../roles/dto/role-create.dto';
import { RoleUpdateDto } from '../../roles/dto/role-update.dto';
import { GroupCreateDto } from './group-create.dto';
import { GroupMembersAddDto } from './group-members.dto';
import { GroupUpdateDto } from './group-update.dto';
import { NamePageQueryDto } from './name-page-query.dto';

type Dto = new () => object;
const uuid = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** Runs the service's global ValidationPipe on a value; returns the DTO or the fields in error. */
async function validate(metatype: Dto, value: unknown, type: 'body' | 'query' = 'body') {
  try {
    return { dto: (await validationPipe().transform(value, { type, metatype })) as Record<string, unknown>, fields: [] as string[] };
  } catch (err) {
    if (!(err instanceof PlatformException)) throw err;
    const body = err.toBody();
    expect(body.code).toBe('validation_failed');
    return { dto: undefined, fields: [...new Set((body.errors ?? []).map((e) => e.field))].sort() };
  }
}

describe('groups and roles request validation', () => {
  it('GroupCreateDto trims the name and description and takes a null description', async () => {
    expect((await validate(GroupCreateDto, { name: ' Eng ', description: ' Ships\ncode ' })).dto).toEqual({ name: 'Eng', description: 'Ships\ncode' });
    expect((await validate(GroupCreateDto, { name: 'Eng', description: null })).dto).toEqual({ name: 'Eng', description: null });
  });

  it.each([
    [{ name: '' }, ['name']],
    [{ name: 'x'.repeat(201) }, ['name']],
    [{ name: 'a\u0000b' }, ['name']],
    [{ name: 'ok', description: 'x'.repeat(1001) }, ['description']],
    [{ name: 'ok', description: 'nul\u0000' }, ['description']],
    [{ name: 'ok', description: 42 }, ['description']],
    [{ name: 'ok', externalId: 'x' }, ['externalId']],
    [{ name: 42, colour: 'red' }, ['colour', 'name']],
    [undefined, ['name']],
  ])('GroupCreateDto rejects %p on %p', async (body, fields) => {
    expect((await validate(GroupCreateDto, body)).fields).toEqual(fields);
  });

  it('GroupUpdateDto takes partial patches and a null description, not a null name', async () => {
    expect((await validate(GroupUpdateDto, {})).dto).toEqual({});
    expect((await validate(GroupUpdateDto, { description: null })).dto).toEqual({ description: null });
    expect((await validate(GroupUpdateDto, { name: null })).fields).toEqual(['name']);
    expect((await validate(GroupUpdateDto, { version: 3 })).fields).toEqual(['version']);
  });

  it('GroupMembersAddDto takes 1 to 1000 user ids', async () => {
    expect((await validate(GroupMembersAddDto, { userIds: [uuid(1), uuid(2).toUpperCase()] })).dto).toEqual({ userIds: [uuid(1), uuid(2).toUpperCase()] });
    expect((await validate(GroupMembersAddDto, { userIds: Array.from({ length: 1000 }, (_, i) => uuid(i)) })).fields).toEqual([]);
    for (const userIds of [[], Array.from({ length: 1001 }, (_, i) => uuid(i)), ['nope'], [42], uuid(1), null, undefined]) {
      expect((await validate(GroupMembersAddDto, { userIds })).fields).toEqual(['userIds']);
    }
  });

  it('RoleCreateDto takes well-formed permissions only', async () => {
    expect((await validate(RoleCreateDto, { name: 'Admin', permissions: ['invoices:read', 'a.b_c-d'] })).dto).toEqual({ name: 'Admin', permissions: ['invoices:read', 'a.b_c-d'] });
    for (const permissions of [['Invoices:read'], [':read'], ['a b'], ['x'.repeat(129)], Array.from({ length: 101 }, (_, i) => `p${i}`), 'read', [1], null]) {
      expect((await validate(RoleCreateDto, { name: 'Admin', permissions })).fields).toEqual(['permissions']);
    }
  });

  it('RoleUpdateDto replaces permissions with a list, never null', async () => {
    expect((await validate(RoleUpdateDto, { permissions: [] })).dto).toEqual({ permissions: [] });
    expect((await validate(RoleUpdateDto, { permissions: null })).fields).toEqual(['permissions']);
    expect((await validate(RoleUpdateDto, { description: null, name: 'x' })).dto).toEqual({ description: null, name: 'x' });
  });

  it('NamePageQueryDto adds q to limit and cursor', async () => {
    expect((await validate(NamePageQueryDto, { q: 'eng', limit: '10' }, 'query')).dto).toEqual({ q: 'eng', limit: 10 });
    expect((await validate(NamePageQueryDto, { q: 'x'.repeat(201) }, 'query')).fields).toEqual(['q']);
    expect((await validate(NamePageQueryDto, { name: 'eng' }, 'query')).fields).toEqual(['name']);
  });
});
