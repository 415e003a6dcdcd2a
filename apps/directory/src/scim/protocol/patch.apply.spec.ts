import { PATCH_LIMITS, PatchOptions, ScimResource, applyPatch } from './patch.apply';
import { ScimType } from './scim.exception';
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from './scim.schemas';
import { scimError } from './scim.testing';

const USER_ID = '2819c223-7f76-453a-919d-413861904646';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const user = (): ScimResource =>
  deepFreeze({
    schemas: [USER_SCHEMA, ENT],
    id: USER_ID,
    externalId: 'bjensen',
    userName: 'bjensen@example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Ms. Barbara J Jensen III' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENT]: { employeeNumber: '701984', department: 'Tour Operations' },
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  });

const bareUser = (): ScimResource =>
  deepFreeze({ schemas: [USER_SCHEMA], id: USER_ID, userName: 'new@example.com', active: true, meta: { resourceType: 'User' } });

const group = (): ScimResource =>
  deepFreeze({
    schemas: [GROUP_SCHEMA],
    id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
    displayName: 'Tour Guides',
    members: [
      { value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' },
      { value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge' },
    ],
    meta: { resourceType: 'Group' },
  });

const USER_OPTS: PatchOptions = {
  readOnly: ['id', 'meta', 'groups'],
  multiValued: ['emails', 'phonenumbers', 'addresses', 'groups'],
  booleans: ['active', 'emails.primary'],
  canonical: [
    'userName',
    'nickName',
    'title',
    'name.givenName',
    'name.middleName',
    'name.familyName',
    'phoneNumbers',
    'emails.value',
    'emails.type',
    'emails.primary',
    `${ENT}:employeeNumber`,
    `${ENT}:department`,
    `${ENT}:costCenter`,
  ],
};
const GROUP_OPTS: PatchOptions = { readOnly: ['id', 'meta'], multiValued: ['members'] };

const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const patchUser = (...ops: unknown[]) => applyPatch(user(), body(...ops), USER_OPTS);
const patchGroup = (...ops: unknown[]) => applyPatch(group(), body(...ops), GROUP_OPTS);

function rejected(fn: () => unknown, scimType: ScimType): string {
  const err = scimError(fn);
  expect(err.getStatus()).toBe(400);
  expect(err.scimType).toBe(scimType);
  return err.detail;
}

describe('applyPatch', () => {
  describe('request validation', () => {
    it.each([
      ['a non-object body', [], /must be a JSON object/],
      ['a null body', null, /must be a JSON object/],
      ['no schemas', { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, /schemas must contain/],
      ['another schema', { schemas: [USER_SCHEMA], Operations: [{ op: 'add', path: 'title', value: 'x' }] }, /schemas must contain/],
      ['no Operations', { schemas: [PATCH_OP_SCHEMA] }, /Operations must be a non-empty array/],
      ['empty Operations', body(), /Operations must be a non-empty array/],
      ['Operations as an object', { schemas: [PATCH_OP_SCHEMA], Operations: { op: 'add' } }, /non-empty array/],
      ['an operation that is not an object', body('add'), /Operations\[0\] must be an object/],
      ['an unknown op', body({ op: 'move', path: 'title', value: 'x' }), /Operations\[0\]\.op must be "add", "remove" or "replace"/],
      ['a missing op', body({ path: 'title', value: 'x' }), /\.op must be/],
      ['add without a value', body({ op: 'add', path: 'title' }), /Operations\[0\]: "add" needs a value/],
      ['replace without a value', body({ op: 'replace', path: 'title' }), /"replace" needs a value/],
    ])('rejects %s as invalidSyntax', (_, request, message) => {
      expect(rejected(() => applyPatch(user(), request, USER_OPTS), ScimType.invalidSyntax)).toMatch(message);
    });

    it('rejects a path that is not a string as invalidPath', () => {
      expect(rejected(() => patchUser({ op: 'add', path: 7, value: 'x' }), ScimType.invalidPath)).toMatch(/path must be a string/);
    });

    it(`accepts ${PATCH_LIMITS.maxOperations} operations and rejects more`, () => {
      const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
      expect(patchUser(...ops(PATCH_LIMITS.maxOperations)).resource.title).toBe(`t${PATCH_LIMITS.maxOperations - 1}`);
      expect(rejected(() => patchUser(...ops(PATCH_LIMITS.maxOperations + 1)), ScimType.invalidSyntax)).toMatch(/at most 1000/);
    });

    it('reads op names and member names of the request case-insensitively', () => {
      const request = { SCHEMAS: [PATCH_OP_SCHEMA.toUpperCase()], operations: [{ OP: 'REPLACE', Path: 'title', Value: 'Boss' }, { op: 'Add', path: 'nickName', value: 'Babs' }] };
      const { resource } = applyPatch(user(), request, USER_OPTS);
      expect([resource.title, resource.nickName]).toEqual(['Boss', 'Babs']);
    });

    it('requires a path for remove, as noTarget', () => {
      expect(rejected(() => patchUser({ op: 'remove' }), ScimType.noTarget)).toBe('Operations[0]: remove needs a path (RFC 7644 §3.5.2.2)');
    });

    it('requires an object value for add or replace without a path', () => {
      expect(rejected(() => patchUser({ op: 'add', value: 'x' }), ScimType.invalidValue)).toMatch(/needs an object of attributes/);
    });

    it('rejects a malformed path as invalidPath, naming the operation', () => {
      const detail = rejected(() => patchUser({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'emails[type eq', value: 'x' }), ScimType.invalidPath);
      expect(detail).toMatch(/^Operations\[1\]: Invalid path: /);
    });
  });

  describe('add and replace with a path', () => {
    it('replaces a simple attribute and leaves the input untouched', () => {
      const input = user();
      const { resource } = applyPatch(input, body({ op: 'replace', path: 'displayName', value: 'Barbara J.' }), USER_OPTS);
      expect(resource.displayName).toBe('Barbara J.');
      expect(input.displayName).toBe('Babs Jensen');
      expect(resource).not.toBe(input);
      expect(resource.emails).not.toBe(input.emails);
    });

    it("matches the path case-insensitively and keeps the resource's spelling", () => {
      const { resource } = patchUser({ op: 'replace', path: 'DISPLAYNAME', value: 'B' });
      expect(resource.displayName).toBe('B');
      expect(resource).not.toHaveProperty('DISPLAYNAME');
    });

    it('spells a new attribute canonically, or as written when it has no canonical spelling', () => {
      const { resource } = patchUser({ op: 'add', path: 'nickname', value: 'Babs' }, { op: 'add', path: 'preferredLanguage', value: 'en' });
      expect(resource).toMatchObject({ nickName: 'Babs', preferredLanguage: 'en' });
      expect(resource).not.toHaveProperty('nickname');
    });

    it('sets a sub-attribute and keeps its siblings', () => {
      const { resource } = patchUser({ op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' }, { op: 'add', path: 'name.MIDDLENAME', value: 'J' });
      expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen-Smith', formatted: 'Ms. Barbara J Jensen III', middleName: 'J' });
    });

    it('creates the complex attribute of a sub-attribute that has none', () => {
      expect(applyPatch(bareUser(), body({ op: 'replace', path: 'name.givenName', value: 'Ann' }), USER_OPTS).resource.name).toEqual({ givenName: 'Ann' });
    });

    it('merges a complex value into the existing one (RFC 7644 §3.5.2.3)', () => {
      const { resource } = patchUser({ op: 'replace', path: 'name', value: { givenName: 'Barb', honorificPrefix: 'Dr.' } });
      expect(resource.name).toEqual({ givenName: 'Barb', familyName: 'Jensen', formatted: 'Ms. Barbara J Jensen III', honorificPrefix: 'Dr.' });
    });

    it('unassigns an attribute replaced with null, and a sub-attribute set to null', () => {
      const { resource } = patchUser({ op: 'replace', path: 'displayName', value: null }, { op: 'replace', path: 'name', value: { formatted: null } });
      expect(resource).not.toHaveProperty('displayName');
      expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen' });
    });

    it('accepts a core-schema URN before the attribute', () => {
      expect(patchUser({ op: 'replace', path: `${USER_SCHEMA}:userName`, value: 'babs@example.com' }).resource.userName).toBe('babs@example.com');
    });

    it('writes an extension attribute into the extension object', () => {
      const { resource } = patchUser({ op: 'replace', path: `${ENT}:department`, value: 'Sales' });
      expect(resource[ENT]).toEqual({ employeeNumber: '701984', department: 'Sales' });
      expect(resource).not.toHaveProperty('department');
    });

    it('creates the extension object, and lists its schema, when the resource has none', () => {
      const { resource } = applyPatch(bareUser(), body({ op: 'add', path: `${ENT.toLowerCase()}:COSTCENTER`, value: '4130' }), USER_OPTS);
      expect(resource[ENT]).toEqual({ costCenter: '4130' });
      expect(resource.schemas).toEqual([USER_SCHEMA, ENT]);
    });

    it('adds or replaces members of a whole extension named by its URN', () => {
      const { resource } = patchUser({ op: 'replace', path: ENT, value: { department: 'Sales', manager: { value: 'm1' } } });
      expect(resource[ENT]).toEqual({ employeeNumber: '701984', department: 'Sales', manager: { value: 'm1' } });
    });
  });

  describe('add and replace without a path', () => {
    it('sets each attribute of the value: names, dotted sub-attributes and URN-qualified extension attributes', () => {
      const { resource } = patchUser({
        op: 'replace',
        value: {
          displayName: 'Barbara Jensen',
          'name.givenName': 'Barb',
          [`${ENT}:department`]: 'Finance',
          [ENT]: { employeeNumber: '42' },
          [`${USER_SCHEMA}:title`]: 'Tour Guide',
        },
      });
      expect(resource).toMatchObject({
        displayName: 'Barbara Jensen',
        title: 'Tour Guide',
        name: { givenName: 'Barb', familyName: 'Jensen' },
        [ENT]: { employeeNumber: '42', department: 'Finance' },
      });
    });

    it('applies a value keyed by the core schema URN to the resource itself', () => {
      expect(patchUser({ op: 'replace', value: { [USER_SCHEMA]: { displayName: 'X' } } }).resource.displayName).toBe('X');
    });

    it('rejects a key that is not an attribute path', () => {
      expect(rejected(() => patchUser({ op: 'add', value: { 'not a path': 1 } }), ScimType.invalidPath)).toMatch(/^Operations\[0\]: Invalid path/);
    });
  });

  describe('multi-valued attributes', () => {
    it('appends on add and skips values already there, comparing value case-insensitively', () => {
      const { resource } = patchUser({
        op: 'add',
        path: 'emails',
        value: [
          { value: 'BJENSEN@example.com', type: 'work' },
          { value: 'b@other.org', type: 'other' },
        ],
      });
      expect(resource.emails).toEqual([
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
        { value: 'b@other.org', type: 'other' },
      ]);
    });

    it('gives a value already there the sub-attributes the add brings', () => {
      const { resource } = patchGroup({ op: 'add', path: 'members', value: [{ value: '902c246b-6245-4190-8e05-00816be7344a', $ref: 'Users/902c' }] });
      expect((resource.members as unknown[])[1]).toEqual({ value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge', $ref: 'Users/902c' });
      expect(resource.members).toHaveLength(2);
    });

    it('wraps a single value added to a multi-valued attribute', () => {
      const { resource } = applyPatch(bareUser(), body({ op: 'add', path: 'phoneNumbers', value: { value: '+15550100', type: 'work' } }), USER_OPTS);
      expect(resource.phoneNumbers).toEqual([{ value: '+15550100', type: 'work' }]);
    });

    it('replaces all values on replace, and unassigns on an empty replace', () => {
      expect(patchUser({ op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] }).resource.emails).toEqual([{ value: 'only@example.com' }]);
      expect(patchUser({ op: 'replace', path: 'emails', value: [] }).resource).not.toHaveProperty('emails');
    });

    it('keeps one primary value: the one the request made primary', () => {
      const { resource } = patchUser({ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'work', primary: true }] });
      expect((resource.emails as { primary?: boolean }[]).map((e) => e.primary)).toEqual([false, undefined, true]);
    });

    it('sets the sub-attribute of the values a filter selects', () => {
      const { resource } = patchUser({ op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@example.com' });
      expect(resource.emails).toEqual([
        { value: 'babs@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ]);
    });

    it('replaces the values a filter selects whole', () => {
      const { resource } = patchUser({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'b@home.org', type: 'home', display: 'Home' } });
      expect((resource.emails as unknown[])[1]).toEqual({ value: 'b@home.org', type: 'home', display: 'Home' });
    });

    it('merges into the values a filter selects on add', () => {
      const { resource } = patchUser({ op: 'add', path: 'emails[value eq "babs@jensen.org"]', value: { display: 'Home' } });
      expect((resource.emails as unknown[])[1]).toEqual({ value: 'babs@jensen.org', type: 'home', display: 'Home' });
    });

    it('creates the value the filter describes when adding to a filter that matches nothing', () => {
      const { resource } = patchUser({ op: 'add', path: 'emails[type eq "other" and primary eq false].value', value: 'o@example.com' });
      expect((resource.emails as unknown[])[2]).toEqual({ type: 'other', primary: false, value: 'o@example.com' });
    });

    it('treats replace through a filter as add when the attribute has no value at all', () => {
      const { resource } = applyPatch(bareUser(), body({ op: 'replace', path: 'emails[type eq "work"].value', value: 'w@example.com' }), USER_OPTS);
      expect(resource.emails).toEqual([{ type: 'work', value: 'w@example.com' }]);
    });

    it('rejects replace through a filter that matches none of the existing values, as noTarget', () => {
      expect(rejected(() => patchUser({ op: 'replace', path: 'emails[type eq "other"].value', value: 'x' }), ScimType.noTarget)).toMatch(
        /no value of 'emails' matches the filter/,
      );
    });

    it('rejects add through a filter that matches nothing and describes no value, as noTarget', () => {
      expect(rejected(() => patchUser({ op: 'add', path: 'emails[value co "zzz"].type', value: 'x' }), ScimType.noTarget)).toMatch(/does not describe a new one/);
    });

    it('rejects a value filter on a single-valued attribute, as invalidPath', () => {
      expect(rejected(() => patchUser({ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'x' }), ScimType.invalidPath)).toMatch(
        /'name' is not multi-valued/,
      );
    });

    it('sets a sub-attribute of every value when no filter is given', () => {
      const { resource } = patchUser({ op: 'replace', path: 'emails.type', value: 'other' });
      expect((resource.emails as { type: string }[]).map((e) => e.type)).toEqual(['other', 'other']);
    });
  });

  describe('remove', () => {
    it('removes an attribute, a sub-attribute and an extension attribute', () => {
      const { resource } = patchUser(
        { op: 'remove', path: 'displayName' },
        { op: 'remove', path: 'name.formatted' },
        { op: 'remove', path: `${ENT}:department` },
      );
      expect(resource).not.toHaveProperty('displayName');
      expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen' });
      expect(resource[ENT]).toEqual({ employeeNumber: '701984' });
    });

    it('unassigns a complex attribute whose last sub-attribute goes', () => {
      const { resource } = applyPatch(
        { ...bareUser(), name: { givenName: 'Ann' } },
        body({ op: 'remove', path: 'name.givenName' }),
        USER_OPTS,
      );
      expect(resource).not.toHaveProperty('name');
    });

    it('unassigns an extension whose last attribute goes, and does not create one for a null', () => {
      const { resource } = patchUser({ op: 'remove', path: `${ENT}:department` }, { op: 'remove', path: `${ENT}:employeeNumber` });
      expect(resource).not.toHaveProperty(ENT);
      expect(resource.schemas).toEqual([USER_SCHEMA]);
      const bare = applyPatch(bareUser(), body({ op: 'add', path: `${ENT}:department`, value: null }), USER_OPTS);
      expect(bare.resource).toEqual(bareUser());
      expect(bare.touched).toEqual([]);
    });

    it('removes a whole extension and its schema', () => {
      const { resource } = patchUser({ op: 'remove', path: ENT });
      expect(resource).not.toHaveProperty(ENT);
      expect(resource.schemas).toEqual([USER_SCHEMA]);
    });

    it('accepts removing an attribute that has no value', () => {
      const { resource, touched } = applyPatch(bareUser(), body({ op: 'remove', path: 'title' }, { op: 'remove', path: `${ENT}:department` }), USER_OPTS);
      expect(resource).toEqual(bareUser());
      expect(touched).toEqual([]);
    });

    it('removes the values a filter selects, and the attribute with its last value', () => {
      const { resource } = patchUser({ op: 'remove', path: 'emails[type eq "home"]' });
      expect(resource.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
      expect(patchUser({ op: 'remove', path: 'emails[type pr]' }).resource).not.toHaveProperty('emails');
    });

    it('removes a sub-attribute of the values a filter selects', () => {
      const { resource } = patchUser({ op: 'remove', path: 'emails[type eq "work"].primary' });
      expect((resource.emails as unknown[])[0]).toEqual({ value: 'bjensen@example.com', type: 'work' });
    });

    it('rejects removing through a filter that matches nothing, as noTarget', () => {
      expect(rejected(() => patchUser({ op: 'remove', path: 'emails[type eq "other"]' }), ScimType.noTarget)).toMatch(/no value of 'emails'/);
    });

    it('removes all members, or only the listed ones', () => {
      expect(patchGroup({ op: 'remove', path: 'members' }).resource).not.toHaveProperty('members');
      const { resource } = patchGroup({ op: 'remove', path: 'members', value: [{ value: '902C246B-6245-4190-8E05-00816BE7344A' }] });
      expect(resource.members).toEqual([{ value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' }]);
    });

    it('ignores removing members that are not in the group', () => {
      const { resource, touched } = patchGroup({ op: 'remove', path: 'members[value eq "not-a-member"]' }, { op: 'remove', path: 'members', value: [{ value: 'nobody' }] });
      expect(resource).toEqual(group());
      expect(touched).toEqual([]);
    });
  });

  describe('read-only attributes', () => {
    it.each([
      { op: 'replace', path: 'id', value: 'other' },
      { op: 'remove', path: 'id' },
      { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' },
      { op: 'remove', path: 'meta' },
      { op: 'add', path: 'groups', value: [{ value: 'g1' }] },
      { op: 'replace', value: { id: 'other', displayName: 'x' } },
      { op: 'replace', value: { meta: { resourceType: 'Group' } } },
    ])('rejects %j as mutability', (op) => {
      expect(rejected(() => patchUser(op), ScimType.mutability)).toMatch(/^Operations\[0\]: '(id|meta|groups)' is read-only$/);
    });

    it('accepts an operation that re-sends the current value', () => {
      const { resource } = patchUser({ op: 'replace', value: { id: USER_ID, displayName: 'B', meta: { resourceType: 'User' } } });
      expect(resource).toMatchObject({ id: USER_ID, displayName: 'B', meta: user().meta });
    });

    it('protects a read-only sub-attribute from a write to its parent', () => {
      const opts = { ...USER_OPTS, readOnly: ['name.formatted'] };
      expect(rejected(() => applyPatch(user(), body({ op: 'replace', path: 'name', value: { formatted: 'x' } }), opts), ScimType.mutability)).toMatch(
        /'name.formatted' is read-only/,
      );
      expect(applyPatch(user(), body({ op: 'replace', path: 'name', value: { givenName: 'x' } }), opts).resource.name).toMatchObject({ givenName: 'x' });
    });
  });

  describe('booleans sent as strings', () => {
    it.each([
      ['False', false],
      ['True', true],
      ['false', false],
      ['TRUE', true],
    ])('reads %p as %p for a boolean attribute', (text, value) => {
      expect(patchUser({ op: 'replace', path: 'active', value: text }).resource.active).toBe(value);
      expect(patchUser({ op: 'replace', value: { active: text } }).resource.active).toBe(value);
    });

    it('reads them inside the values of a multi-valued attribute', () => {
      const { resource } = patchUser({ op: 'add', path: 'emails', value: [{ value: 'n@example.com', primary: 'True' }] });
      expect((resource.emails as { primary?: boolean }[]).map((e) => e.primary)).toEqual([false, undefined, true]);
    });

    it('leaves strings of other attributes alone and rejects other strings for booleans', () => {
      expect(patchUser({ op: 'replace', path: 'title', value: 'True' }).resource.title).toBe('True');
      expect(rejected(() => patchUser({ op: 'replace', path: 'active', value: 'yes' }), ScimType.invalidValue)).toMatch(/'active' must be true or false/);
    });
  });

  describe('touched attributes', () => {
    it('lists the top-level keys that changed, once, with extension attributes under their extension', () => {
      const { touched } = patchUser(
        { op: 'replace', path: 'name.givenName', value: 'B' },
        { op: 'replace', path: `${ENT}:department`, value: 'Sales' },
        { op: 'replace', path: 'name.familyName', value: 'J' },
        { op: 'replace', path: 'displayName', value: 'Babs Jensen' },
      );
      expect(touched).toEqual(['name', ENT]);
    });
  });

  describe('requests as Okta sends them', () => {
    it('deactivates a user with a path-less replace', () => {
      const { resource, touched } = applyPatch(
        user(),
        { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] },
        USER_OPTS,
      );
      expect(resource.active).toBe(false);
      expect(touched).toEqual(['active']);
    });

    it('renames a group with a path-less replace that repeats the id', () => {
      const { resource, touched } = applyPatch(
        group(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', value: { id: 'e9e30dba-f08f-4109-8486-d5c6a331660a', displayName: 'Test SCIMv2' } }],
        },
        GROUP_OPTS,
      );
      expect(resource.displayName).toBe('Test SCIMv2');
      expect(touched).toEqual(['displayName']);
    });

    it('adds a member with its display name', () => {
      const { resource } = applyPatch(
        group(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'members', value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] }],
        },
        GROUP_OPTS,
      );
      expect(resource.members).toHaveLength(3);
      expect((resource.members as unknown[])[2]).toEqual({ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' });
    });

    it('removes a member through a value filter', () => {
      const { resource } = applyPatch(
        group(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }],
        },
        GROUP_OPTS,
      );
      expect(resource.members).toEqual([{ value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge' }]);
    });

    it('updates name and work email with a path-less replace (the PATCH form of a profile push)', () => {
      const { resource } = patchUser({
        op: 'replace',
        value: { name: { givenName: 'Barbara', familyName: 'Jensen-Smith' }, emails: [{ value: 'bjs@example.com', type: 'work', primary: true }] },
      });
      expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen-Smith', formatted: 'Ms. Barbara J Jensen III' });
      expect(resource.emails).toEqual([{ value: 'bjs@example.com', type: 'work', primary: true }]);
    });
  });

  describe('requests as Microsoft Entra ID sends them', () => {
    it('disables a user', () => {
      const { resource } = applyPatch(
        user(),
        { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] },
        USER_OPTS,
      );
      expect(resource.active).toBe(false);
    });

    it('disables a user with the boolean as a string, with and without a path', () => {
      const withPath = applyPatch(user(), body({ op: 'Replace', path: 'active', value: 'False' }), USER_OPTS);
      const pathless = applyPatch(user(), body({ op: 'Replace', value: { active: 'False' } }), USER_OPTS);
      expect([withPath.resource.active, pathless.resource.active]).toEqual([false, false]);
    });

    it('updates the work email and the family name', () => {
      const { resource, touched } = applyPatch(
        user(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
            { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          ],
        },
        USER_OPTS,
      );
      expect((resource.emails as unknown[])[0]).toEqual({ value: 'updatedEmail@microsoft.com', type: 'work', primary: true });
      expect((resource.name as Record<string, unknown>).familyName).toBe('updatedFamilyName');
      expect(touched).toEqual(['emails', 'name']);
    });

    it('updates attributes with a path-less Add keyed by dotted names and extension URNs', () => {
      const { resource } = applyPatch(
        bareUser(),
        body({
          op: 'Add',
          value: {
            displayName: 'Ann Lee',
            'name.givenName': 'Ann',
            'name.familyName': 'Lee',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': '1234',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Sales',
          },
        }),
        USER_OPTS,
      );
      expect(resource).toMatchObject({
        displayName: 'Ann Lee',
        name: { givenName: 'Ann', familyName: 'Lee' },
        [ENT]: { employeeNumber: '1234', department: 'Sales' },
        schemas: [USER_SCHEMA, ENT],
      });
    });

    it('adds a member, dropping the null $ref', () => {
      const { resource } = applyPatch(
        group(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
        },
        GROUP_OPTS,
      );
      expect((resource.members as unknown[])[2]).toEqual({ value: 'f648f8d5ea4e4cd38e9c' });
    });

    it('removes a member listed in the value of a remove on members', () => {
      const { resource, touched } = applyPatch(
        group(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: '2819c223-7f76-453a-919d-413861904646' }] }],
        },
        GROUP_OPTS,
      );
      expect(resource.members).toEqual([{ value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge' }]);
      expect(touched).toEqual(['members']);
    });

    it('replaces a group display name', () => {
      const { resource } = applyPatch(
        group(),
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
        },
        GROUP_OPTS,
      );
      expect(resource.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    });
  });
});
