import { projectAttributes } from './projection';
import { ScimType } from './scim.exception';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from './scim.schemas';
import { scimError } from './scim.testing';

const user = () => ({
  schemas: [USER_SCHEMA, ENT],
  id: '2819c223',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  displayName: 'Babs',
  emails: [
    { value: 'b@example.com', type: 'work', primary: true },
    { value: 'b@home.org', type: 'home' },
  ],
  [ENT]: { employeeNumber: '701984', department: 'Tours', manager: { value: 'm1', displayName: 'John' } },
  meta: { resourceType: 'User', location: 'https://example.com/v2/Users/2819c223' },
});

describe('projectAttributes', () => {
  it('returns the resource itself, untouched, when neither parameter is given or both are blank', () => {
    const input = user();
    const before = JSON.stringify(input);
    const out = projectAttributes(input, {});
    expect(out).toBe(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(projectAttributes(input, { attributes: '', excludedAttributes: '  ' })).toEqual(input);
  });

  describe('attributes', () => {
    it('keeps only the listed attributes plus id and schemas, in the order of the resource', () => {
      const out = projectAttributes(user(), { attributes: 'displayName,userName' });
      expect(out).toEqual({ schemas: [USER_SCHEMA, ENT], id: '2819c223', userName: 'bjensen', displayName: 'Babs' });
      expect(Object.keys(out)).toEqual(['schemas', 'id', 'userName', 'displayName']);
    });

    it('matches names case-insensitively, ignores spaces around them and keeps the resource spelling', () => {
      expect(projectAttributes(user(), { attributes: ' USERNAME , DisplayName ' })).toMatchObject({ userName: 'bjensen', displayName: 'Babs' });
    });

    it('keeps just the listed sub-attributes of a complex attribute', () => {
      expect(projectAttributes(user(), { attributes: 'name.familyName' }).name).toEqual({ familyName: 'Jensen' });
    });

    it('keeps the listed sub-attributes of every value of a multi-valued attribute', () => {
      expect(projectAttributes(user(), { attributes: 'emails.value,emails.type' }).emails).toEqual([
        { value: 'b@example.com', type: 'work' },
        { value: 'b@home.org', type: 'home' },
      ]);
    });

    it('lets a whole attribute win over one of its sub-attributes, in either order', () => {
      expect(projectAttributes(user(), { attributes: 'name.givenName,name' }).name).toEqual(user().name);
      expect(projectAttributes(user(), { attributes: 'name,name.givenName' }).name).toEqual(user().name);
    });

    it('addresses extension attributes by their URN-qualified name', () => {
      const out = projectAttributes(user(), { attributes: `${ENT}:department,${ENT.toLowerCase()}:MANAGER.displayName` });
      expect(out[ENT]).toEqual({ department: 'Tours', manager: { displayName: 'John' } });
      expect(out).not.toHaveProperty('userName');
    });

    it('accepts a core attribute qualified with its schema URN', () => {
      expect(projectAttributes(user(), { attributes: `${USER_SCHEMA}:userName` })).toMatchObject({ userName: 'bjensen' });
    });

    it('keeps a whole extension named by its URN', () => {
      expect(projectAttributes(user(), { attributes: ENT })[ENT]).toEqual(user()[ENT]);
    });

    it('finds an unqualified extension attribute in its extension', () => {
      expect(projectAttributes(user(), { attributes: 'employeeNumber' })[ENT]).toEqual({ employeeNumber: '701984' });
    });

    it('omits attributes that are listed but have no value', () => {
      const out = projectAttributes(user(), { attributes: 'title,nickName,name.middleName' });
      expect(Object.keys(out)).toEqual(['schemas', 'id']);
    });

    it('uses the always-returned attributes it is given', () => {
      expect(projectAttributes(user(), { attributes: 'userName' }, ['id', 'meta'])).toEqual({ id: '2819c223', userName: 'bjensen', meta: user().meta });
    });
  });

  describe('excludedAttributes', () => {
    it('removes the listed attributes and keeps the rest', () => {
      const out = projectAttributes(user(), { excludedAttributes: 'emails,META' });
      expect(out).not.toHaveProperty('emails');
      expect(out).not.toHaveProperty('meta');
      expect(out).toMatchObject({ userName: 'bjensen', name: user().name });
    });

    it('never removes always-returned attributes', () => {
      expect(projectAttributes(user(), { excludedAttributes: 'id,schemas' })).toEqual(user());
    });

    it('removes a sub-attribute, from every value of a multi-valued attribute too', () => {
      const out = projectAttributes(user(), { excludedAttributes: 'name.givenName,emails.primary,meta.location' });
      expect(out.name).toEqual({ familyName: 'Jensen' });
      expect(out.emails).toEqual([
        { value: 'b@example.com', type: 'work' },
        { value: 'b@home.org', type: 'home' },
      ]);
      expect(out.meta).toEqual({ resourceType: 'User' });
    });

    it('unassigns a complex attribute whose every sub-attribute is excluded', () => {
      expect(projectAttributes(user(), { excludedAttributes: 'name.givenName,name.familyName' })).not.toHaveProperty('name');
    });

    it('removes extension attributes and whole extensions', () => {
      expect(projectAttributes(user(), { excludedAttributes: `${ENT}:manager` })[ENT]).toEqual({ employeeNumber: '701984', department: 'Tours' });
      expect(projectAttributes(user(), { excludedAttributes: ENT })).not.toHaveProperty(ENT);
    });

    it('applies after attributes when both are given', () => {
      expect(projectAttributes(user(), { attributes: 'name', excludedAttributes: 'name.givenName' })).toEqual({
        schemas: [USER_SCHEMA, ENT],
        id: '2819c223',
        name: { familyName: 'Jensen' },
      });
    });
  });

  it('does not modify the resource', () => {
    const input = user();
    projectAttributes(input, { excludedAttributes: 'name.givenName,emails' });
    projectAttributes(input, { attributes: 'name.givenName' });
    expect(input).toEqual(user());
  });

  it.each([
    ['attributes', 'userName,,displayName', /Invalid attributes: the list has an empty entry/],
    ['attributes', 'userName,', /empty entry/],
    ['attributes', 'emails[type eq "work"]', /has a value filter/],
    ['excludedAttributes', 'user name', /Invalid excludedAttributes: /],
    ['excludedAttributes', 'a.b.c', /at most one sub-attribute/],
    ['attributes', '"userName"', /Invalid attributes/],
  ])('rejects the %s list %p as invalidValue', (param, list, message) => {
    const err = scimError(() => projectAttributes(user(), { [param]: list }));
    expect(err.getStatus()).toBe(400);
    expect(err.scimType).toBe(ScimType.invalidValue);
    expect(err.detail).toMatch(message);
  });
});
