import Database from 'better-sqlite3';
import { GroupEntity } from '../groups/group.entity';
import type { GroupMemberView } from '../groups/group.store';
import { GROUP_SCHEMA, ScimType, compileFilter, parseFilter } from './protocol';
import { scimError } from './protocol/scim.testing';
import { fromScimGroup, groupFilterResolver, groupSortKey, memberDisplay, toScimGroup, wantsMembers } from './scim-group.mapper';

const BASE = 'https://id.example.com/scim/v2';
const T1 = '00000000-0000-4000-8000-00000000000a';
const T2 = '00000000-0000-4000-8000-00000000000b';
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';
const G1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const G2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const G3 = 'aaaaaaaa-0000-4000-8000-000000000003';
const G4 = 'aaaaaaaa-0000-4000-8000-000000000004';

const group = (fields: Partial<GroupEntity> = {}): GroupEntity =>
  Object.assign(new GroupEntity(), {
    id: G1,
    tenantId: T1,
    name: 'Engineering',
    nameKey: 'engineering',
    description: null,
    externalId: null,
    version: 3,
    createdAt: new Date('2026-01-02T03:04:05.000Z'),
    updatedAt: new Date('2026-01-03T03:04:05.000Z'),
    ...fields,
  });

const member = (userId: string, fields: Partial<GroupMemberView> = {}): GroupMemberView => ({
  userId,
  email: null,
  username: null,
  displayName: null,
  status: 'active',
  addedAt: new Date(0),
  ...fields,
});

describe('toScimGroup', () => {
  it('maps a group with its members to an RFC 7643 §4.2 resource', () => {
    const g = group({ externalId: 'okta-123' });
    expect(toScimGroup(g, [member(U1, { displayName: 'Ada', email: 'ada@example.com' }), member(U2, { email: 'bob@example.com' })], BASE)).toEqual({
      schemas: [GROUP_SCHEMA],
      id: G1,
      externalId: 'okta-123',
      displayName: 'Engineering',
      members: [
        { value: U1, display: 'Ada', $ref: `${BASE}/Users/${U1}`, type: 'User' },
        { value: U2, display: 'bob@example.com', $ref: `${BASE}/Users/${U2}`, type: 'User' },
      ],
      meta: { resourceType: 'Group', created: '2026-01-02T03:04:05.000Z', lastModified: '2026-01-03T03:04:05.000Z', location: `${BASE}/Groups/${G1}`, version: 'W/"3"' },
    });
  });

  it('leaves out externalId when unset, and members when there are none or they were not loaded', () => {
    expect(Object.keys(toScimGroup(group(), [], BASE))).toEqual(['schemas', 'id', 'displayName', 'meta']);
    expect(Object.keys(toScimGroup(group(), undefined, BASE))).toEqual(['schemas', 'id', 'displayName', 'meta']);
  });

  it('shows a member by display name, else username, else email, else id', () => {
    expect(memberDisplay(member(U1, { displayName: 'D', username: 'u', email: 'e@x' }))).toBe('D');
    expect(memberDisplay(member(U1, { username: 'u', email: 'e@x' }))).toBe('u');
    expect(memberDisplay(member(U1, { email: 'e@x' }))).toBe('e@x');
    expect(memberDisplay(member(U1))).toBe(U1);
  });
});

describe('fromScimGroup', () => {
  it('reads displayName (trimmed), externalId and member ids, ignoring attribute case and unknown attributes', () => {
    expect(
      fromScimGroup({
        schemas: [GROUP_SCHEMA.toLowerCase()],
        DisplayName: '  Sales ',
        externalID: 'ext-1',
        Members: [{ Value: U1, display: 'whatever' }, { value: U2, type: 'User' }],
        description: 'not kept',
      }),
    ).toEqual({ name: 'Sales', externalId: 'ext-1', memberIds: [U1, U2] });
    expect(fromScimGroup({ displayName: 'Sales', externalId: '', members: null })).toEqual({ name: 'Sales', externalId: null, memberIds: [] });
  });

  it.each([
    [{ schemas: [GROUP_SCHEMA] }, ScimType.invalidValue, /displayName is required/],
    [{ displayName: '   ' }, ScimType.invalidValue, /displayName must be 1 to 200/],
    [{ displayName: 'x'.repeat(201) }, ScimType.invalidValue, /displayName must be 1 to 200/],
    [{ displayName: 'a\u0000b' }, ScimType.invalidValue, /control characters/],
    [{ displayName: 42 }, ScimType.invalidValue, /displayName must be a string/],
    [{ displayName: 'A', externalId: 7 }, ScimType.invalidValue, /externalId must be a string/],
    [{ displayName: 'A', members: { value: U1 } }, ScimType.invalidValue, /members must be a list/],
    [{ displayName: 'A', members: [U1] }, ScimType.invalidValue, /members\[0\] must be an object/],
    [{ displayName: 'A', members: [{ display: 'x' }] }, ScimType.invalidValue, /members\[0\]\.value/],
    [{ displayName: 'A', members: [{ value: U1 }, { value: G2, type: 'Group' }] }, ScimType.invalidValue, /members\[1\]\.type must be "User"/],
    [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], displayName: 'A' }, ScimType.invalidSyntax, /schemas must contain/],
    [[], ScimType.invalidSyntax, /SCIM Group object/],
  ])('rejects %j with 400 %s', (body, scimType, detail) => {
    const err = scimError(() => fromScimGroup(body));
    expect(err.getStatus()).toBe(400);
    expect(err.scimType).toBe(scimType);
    expect(err.detail).toMatch(detail);
  });
});

describe('groupSortKey', () => {
  it('maps SCIM attributes, in any case and with the schema URN, to sort keys; creation order by default', () => {
    expect(groupSortKey(undefined)).toBe('createdAt');
    expect(groupSortKey('')).toBe('createdAt');
    expect(groupSortKey('displayName')).toBe('name');
    expect(groupSortKey(`${GROUP_SCHEMA}:DISPLAYNAME`)).toBe('name');
    expect(groupSortKey('meta.lastModified')).toBe('updatedAt');
    expect(groupSortKey('meta.created')).toBe('createdAt');
    expect(groupSortKey('id')).toBe('id');
    expect(groupSortKey('externalId')).toBe('externalId');
  });

  it('answers an attribute it cannot sort by with 400 invalidValue', () => {
    for (const sortBy of ['members', 'description', 'meta..x']) {
      const err = scimError(() => groupSortKey(sortBy));
      expect(err.getStatus()).toBe(400);
      expect(err.scimType).toBe(ScimType.invalidValue);
    }
  });
});

describe('wantsMembers', () => {
  it.each([
    [{}, true],
    [{ excludedAttributes: 'members' }, false],
    [{ excludedAttributes: `${GROUP_SCHEMA}:members,externalId` }, false],
    [{ excludedAttributes: 'members.display' }, true],
    [{ attributes: 'displayName' }, false],
    [{ attributes: 'displayName,members.value' }, true],
    [{ attributes: 'MEMBERS' }, true],
  ])('%j → %s', (q, expected) => {
    expect(wantsMembers(q)).toBe(expected);
  });

  it('rejects a malformed list before anything is read', () => {
    expect(scimError(() => wantsMembers({ attributes: 'displayName,,id' })).scimType).toBe(ScimType.invalidValue);
  });
});

function prepare(db: Database.Database, sql: string): Database.Statement {
  const stmt = db.prepare(sql);
  return stmt;
}

describe('groupFilterResolver', () => {
  const ms = (iso: string) => Date.parse(iso);
  let db: Database.Database;

  beforeAll(() => {
    db = new Database(':memory:');
    // The columns the resolver reads, spelled as the migrations create them.
    db.exec(`
      CREATE TABLE "users" ("id" varchar PRIMARY KEY, "tenantId" varchar NOT NULL, "email" varchar, "username" varchar, "displayName" varchar, "status" varchar NOT NULL);
      CREATE TABLE "groups" ("id" varchar PRIMARY KEY, "tenantId" varchar NOT NULL, "name" varchar NOT NULL, "nameKey" varchar NOT NULL,
        "externalId" varchar, "createdAt" bigint NOT NULL, "updatedAt" bigint NOT NULL);
      CREATE TABLE "group_members" ("groupId" varchar NOT NULL, "userId" varchar NOT NULL, "tenantId" varchar NOT NULL, "createdAt" bigint NOT NULL);
    `);
    const user = prepare(db, 'INSERT INTO "users" VALUES (?, ?, ?, ?, ?, ?)');
    user.run(U1, T1, 'ada@example.com', null, 'Ada Lovelace', 'active');
    user.run(U2, T1, 'bob@example.com', 'bob', null, 'suspended');
    user.run(U3, T1, null, null, null, 'deleted');
    const grp = prepare(db, 'INSERT INTO "groups" VALUES (?, ?, ?, ?, ?, ?, ?)');
    grp.run(G1, T1, 'Admins', 'admins', 'EXT-1', ms('2026-01-01T00:00:00Z'), ms('2026-02-01T00:00:00Z'));
    grp.run(G2, T1, 'Staff_50%', 'staff_50%', 'ext-2', ms('2026-01-05T00:00:00Z'), ms('2026-01-05T00:00:00Z'));
    grp.run(G3, T1, 'Empty', 'empty', null, ms('2026-01-10T00:00:00Z'), ms('2026-03-01T00:00:00Z'));
    // Another tenant's group naming acme's user: the membership join requires both sides in one tenant.
    grp.run(G4, T2, 'Admins', 'admins', null, ms('2026-01-01T00:00:00Z'), ms('2026-01-01T00:00:00Z'));
    const mem = prepare(db, 'INSERT INTO "group_members" VALUES (?, ?, ?, 0)');
    mem.run(G1, U1, T1);
    mem.run(G1, U2, T1);
    mem.run(G2, U2, T1);
    mem.run(G2, U3, T1);
    mem.run(G4, U1, T2);
  });

  const ids = (filter: string, tenantId = T1): string[] => {
    const { sql, params } = compileFilter(parseFilter(filter), groupFilterResolver('sqlite'), 'sqlite');
    return prepare(db, `SELECT g."id" AS id FROM "groups" g WHERE g."tenantId" = :tenantId AND (${sql}) ORDER BY g."id"`)
      .all({ ...params, tenantId })
      .map((r) => (r as { id: string }).id);
  };

  it.each([
    ['displayName eq "admins"', [G1]],
    ['DisplayName eq "ADMINS"', [G1]],
    [`${GROUP_SCHEMA}:displayName eq "Admins"`, [G1]],
    ['displayName sw "sta"', [G2]],
    ['displayName co "_50%"', [G2]],
    ['displayName co "%"', [G2]],
    ['displayName ne "Admins"', [G2, G3]],
    ['externalId eq "EXT-1"', [G1]],
    ['externalId eq "ext-1"', []],
    ['externalId pr', [G1, G2]],
    ['not (externalId pr)', [G3]],
    [`id eq "${G2.toUpperCase()}"`, [G2]],
    ['id eq "not-a-uuid"', []],
    [`members.value eq "${U1}"`, [G1]],
    [`members eq "${U2.toUpperCase()}"`, [G1, G2]],
    [`members[value eq "${U1}"]`, [G1]],
    [`members[value eq "${U1}" or value eq "${U2}"]`, [G1, G2]],
    [`members[type eq "User" and value eq "${U2}"]`, [G1, G2]],
    ['members[display co "lovelace"]', [G1]],
    ['members.display eq "bob"', [G1, G2]],
    // U3 is deleted: not a member any more, whatever rows remain.
    [`members.value eq "${U3}"`, []],
    ['members pr', [G1, G2]],
    ['not (members pr)', [G3]],
    [`not (members.value eq "${U1}")`, [G2, G3]],
    ['meta.created gt "2026-01-04T00:00:00Z"', [G2, G3]],
    ['meta.lastModified ge "2026-02-01T00:00:00Z"', [G1, G3]],
    ['meta.resourceType eq "group"', [G1, G2, G3]],
    [`displayName eq "Admins" and members.value eq "${U2}"`, [G1]],
  ])('%s', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it("never reaches another tenant's groups or memberships", () => {
    // G4's row names a user of T1, which the join to users of the group's own tenant never matches.
    expect(ids(`members.value eq "${U1}"`, T2)).toEqual([]);
    expect(ids('members pr', T2)).toEqual([]);
    expect(ids('displayName eq "admins"', T2)).toEqual([G4]);
  });

  it('binds every value, and compares uuids as text on Postgres', () => {
    const { sql, params } = compileFilter(parseFilter(`id eq "${G1}" and members[value eq "x' OR 1=1 --"]`), groupFilterResolver('postgres'), 'postgres');
    expect(sql).toContain('CAST(g."id" AS text)');
    expect(sql).toContain('CAST(gm."userId" AS text)');
    expect(sql).not.toContain("1=1 --");
    expect(Object.values(params)).toEqual([G1, "x' or 1=1 --"]);
  });

  it.each(['description eq "x"', 'members.$ref eq "x"', 'members[foo eq "x"]', 'displayName[value eq "x"]', 'urn:example:ext:1.0:Group:members eq "x"', 'displayName eq 1', 'meta.created gt "yesterday"'])(
    'answers %s with 400 invalidFilter',
    (filter) => {
      const err = scimError(() => compileFilter(parseFilter(filter), groupFilterResolver('sqlite'), 'sqlite'));
      expect(err.getStatus()).toBe(400);
      expect(err.scimType).toBe(ScimType.invalidFilter);
    },
  );
});
