import { matchesFilter } from './filter.evaluate';
import { parseFilter } from './filter.parser';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from './scim.schemas';

const user = {
  schemas: [USER_SCHEMA, ENT],
  id: 'u1',
  externalId: 'EXT-1',
  userName: 'BJensen',
  title: '',
  active: true,
  loginCount: 5,
  name: { givenName: 'Barbara', familyName: "O'Malley" },
  emails: [
    { value: 'b@example.com', type: 'work', primary: true },
    { value: 'b@home.org', type: 'home' },
  ],
  [ENT]: { employeeNumber: '701984' },
  meta: { lastModified: '2011-05-13T04:42:34Z' },
};

const matches = (filter: string, resource: unknown = user, caseExact?: string[]) => matchesFilter(resource, parseFilter(filter), { caseExact });

describe('matchesFilter', () => {
  it.each([
    ['userName eq "bjensen"', true],
    ['USERNAME eq "BJENSEN"', true],
    ['userName ne "bjensen"', false],
    ['userName co "JENS"', true],
    ['userName sw "bj"', true],
    ['userName ew "sen"', true],
    ['userName ew "bj"', false],
    ['name.familyName co "\'mal"', true],
    ['loginCount gt 4', true],
    ['loginCount ge 5', true],
    ['loginCount lt 5', false],
    ['loginCount le 5', true],
    ['loginCount eq "5"', false],
    ['active eq true', true],
    ['active eq false', false],
    ['active ne false', true],
    ['meta.lastModified gt "2011-05-13T06:42:33+02:00"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    [`${ENT}:employeeNumber eq "701984"`, true],
    [`${USER_SCHEMA}:userName sw "B"`, true],
  ])('evaluates %s as %p', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('treats empty and missing values as not present, and ne as true for them', () => {
    expect(matches('title pr')).toBe(false);
    expect(matches('nickName pr')).toBe(false);
    expect(matches('title eq null')).toBe(true);
    expect(matches('nickName ne "x"')).toBe(true);
    expect(matches('nickName eq "x"')).toBe(false);
    expect(matches('name pr')).toBe(true);
  });

  it('compares case-exact attributes exactly', () => {
    expect(matches('externalId eq "ext-1"')).toBe(true);
    expect(matches('externalId eq "ext-1"', user, ['externalid'])).toBe(false);
    expect(matches('externalId eq "EXT-1"', user, ['externalid'])).toBe(true);
  });

  it('matches a multi-valued attribute when any value does, by value when no sub-attribute is named', () => {
    expect(matches('emails co "home.org"')).toBe(true);
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.type eq "other"')).toBe(false);
    expect(matches('emails[type eq "work" and value ew "example.com"]')).toBe(true);
    expect(matches('emails[type eq "home" and primary eq true]')).toBe(false);
  });

  it('combines with and, or and not', () => {
    expect(matches('userName eq "x" or active eq true and loginCount gt 1')).toBe(true);
    expect(matches('not (userName eq "x") and not (emails[type eq "other"])')).toBe(true);
    expect(matches('(userName eq "x" or active eq true) and loginCount gt 9')).toBe(false);
  });

  it('evaluates a value filter against one value of a multi-valued attribute, simple values as value', () => {
    const filter = parseFilter('value eq "A1"');
    expect(matchesFilter({ value: 'a1', display: 'x' }, filter)).toBe(true);
    expect(matchesFilter('a1', filter)).toBe(true);
    expect(matchesFilter('b2', filter)).toBe(false);
  });
});
