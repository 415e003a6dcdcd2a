import { COMPARE_OPS, FILTER_LIMITS, parseAttrPath, parseFilter, parsePatchPath } from './filter.parser';
import { ScimType } from './scim.exception';
import { scimError, show } from './scim.testing';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function invalidFilter(text: string): string {
  const err = scimError(() => parseFilter(text));
  expect(err.getStatus()).toBe(400);
  expect(err.scimType).toBe(ScimType.invalidFilter);
  return err.detail;
}

describe('parseFilter', () => {
  describe('comparisons', () => {
    it.each(COMPARE_OPS)('parses the %s operator into a compare node', (op) => {
      expect(parseFilter(`userName ${op} "bjensen"`)).toEqual({
        kind: 'compare',
        path: { attr: 'userName', key: 'username' },
        op,
        value: 'bjensen',
      });
    });

    it('parses pr into a present node without a value', () => {
      expect(parseFilter('title pr')).toEqual({ kind: 'present', path: { attr: 'title', key: 'title' } });
    });

    it('reads operators and logical keywords in any case', () => {
      expect(show(parseFilter('userName EQ "a" AND title Pr OR NoT (active Eq TRUE)'))).toBe(
        '(((username eq "a") and (title pr)) or not(active eq true))',
      );
    });

    it.each([
      ['true', true],
      ['false', false],
      ['null', null],
      ['42', 42],
      ['-1.5', -1.5],
      ['0', 0],
      ['1e3', 1000],
      ['2.5E-1', 0.25],
      ['"text"', 'text'],
      ['""', ''],
    ])('parses the JSON value %s', (literal, value) => {
      expect(parseFilter(`x eq ${literal}`)).toMatchObject({ kind: 'compare', value });
    });

    it('decodes JSON string escapes, including \\" and \\uXXXX and surrogate pairs', () => {
      const node = parseFilter(String.raw`displayName eq "say \"hi\" \\ \/ \t \u00e9 \ud83d\ude00"`);
      expect(node).toMatchObject({ value: 'say "hi" \\ / \t é 😀' });
    });

    it("keeps characters that mean something in SQL as plain data (O'Malley, %, _)", () => {
      expect(parseFilter(`name.familyName co "O'Malley 50%_"`)).toMatchObject({ value: "O'Malley 50%_" });
    });

    it('keeps the attribute name as written and offers a lower-cased key', () => {
      expect(parseFilter('Name.FamilyName eq "x"')).toMatchObject({
        path: { attr: 'Name', sub: 'FamilyName', key: 'name.familyname' },
      });
    });

    it('accepts $ref as a sub-attribute name', () => {
      expect(parseFilter('members.$ref pr')).toMatchObject({ path: { attr: 'members', sub: '$ref', key: 'members.$ref' } });
    });

    it('tolerates extra whitespace between tokens', () => {
      expect(show(parseFilter('  userName   eq\t"a"  and ( title pr )  '))).toBe('((username eq "a") and (title pr))');
    });
  });

  describe('schema URNs', () => {
    it('drops a core schema URN from the key but keeps it as written', () => {
      expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toMatchObject({
        path: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'userName', key: 'username' },
      });
    });

    it('keeps an extension URN in the lower-cased key', () => {
      expect(parseFilter(`${ENTERPRISE}:employeeNumber eq "701984"`)).toMatchObject({
        path: { uri: ENTERPRISE, attr: 'employeeNumber', key: `${ENTERPRISE.toLowerCase()}:employeenumber` },
        value: '701984',
      });
    });

    it('splits a URN-qualified sub-attribute at the last colon', () => {
      expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toMatchObject({
        path: { uri: ENTERPRISE, attr: 'manager', sub: 'value', key: `${ENTERPRISE.toLowerCase()}:manager.value` },
      });
    });

    it('compares a URN value (schemas eq ...) as a plain string', () => {
      expect(parseFilter(`schemas eq "${ENTERPRISE}"`)).toMatchObject({ path: { key: 'schemas' }, value: ENTERPRISE });
    });
  });

  describe('logical operators', () => {
    it('binds and tighter than or', () => {
      expect(show(parseFilter('a eq 1 or b eq 2 and c eq 3'))).toBe('((a eq 1) or ((b eq 2) and (c eq 3)))');
      expect(show(parseFilter('a eq 1 and b eq 2 or c eq 3'))).toBe('(((a eq 1) and (b eq 2)) or (c eq 3))');
    });

    it('binds not tighter than and', () => {
      expect(show(parseFilter('not (a eq 1) and b eq 2'))).toBe('(not(a eq 1) and (b eq 2))');
    });

    it('associates chains to the left', () => {
      expect(show(parseFilter('a pr or b pr or c pr'))).toBe('(((a pr) or (b pr)) or (c pr))');
      expect(show(parseFilter('a pr and b pr and c pr'))).toBe('(((a pr) and (b pr)) and (c pr))');
    });

    it('lets parentheses override precedence', () => {
      expect(show(parseFilter('(a eq 1 or b eq 2) and c eq 3'))).toBe('(((a eq 1) or (b eq 2)) and (c eq 3))');
      expect(show(parseFilter('((a pr))'))).toBe('(a pr)');
    });

    it('negates a parenthesised filter, also without a space before the parenthesis', () => {
      expect(show(parseFilter('not(a eq 1 or b eq 2)'))).toBe('not((a eq 1) or (b eq 2))');
      expect(show(parseFilter('not (not (a pr))'))).toBe('notnot(a pr)');
    });

    it('treats not as an attribute name where an operator follows it', () => {
      expect(show(parseFilter('not pr'))).toBe('(not pr)');
    });
  });

  describe('value paths', () => {
    it('parses a complex value filter with relative sub-attributes', () => {
      expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
        kind: 'valuePath',
        path: { attr: 'emails', key: 'emails' },
        filter: {
          kind: 'and',
          left: { kind: 'compare', path: { attr: 'type', key: 'type' }, op: 'eq', value: 'work' },
          right: { kind: 'compare', path: { attr: 'value', key: 'value' }, op: 'co', value: '@example.com' },
        },
      });
    });

    it('allows not and grouping inside the brackets', () => {
      expect(show(parseFilter('emails[not (type eq "work") and (primary eq true or display pr)]'))).toBe(
        'emails[(not(type eq "work") and ((primary eq true) or (display pr)))]',
      );
    });

    it('allows a URN-qualified attribute before the bracket', () => {
      expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]')).toMatchObject({
        kind: 'valuePath',
        path: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'emails', key: 'emails' },
      });
    });

    it('combines value paths with other filters', () => {
      expect(show(parseFilter('emails[type eq "work"] or ims[type eq "xmpp"] and members[value eq "1"]'))).toBe(
        '(emails[(type eq "work")] or (ims[(type eq "xmpp")] and members[(value eq "1")]))',
      );
    });
  });

  describe('the examples of RFC 7644 §3.4.2.2', () => {
    it.each([
      ['userName eq "bjensen"', '(username eq "bjensen")'],
      [`name.familyName co "O'Malley"`, `(name.familyname co "O'Malley")`],
      ['userName sw "J"', '(username sw "J")'],
      ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', '(username sw "J")'],
      ['title pr', '(title pr)'],
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', '(meta.lastmodified gt "2011-05-13T04:42:34Z")'],
      ['meta.lastModified ge "2011-05-13T04:42:34Z"', '(meta.lastmodified ge "2011-05-13T04:42:34Z")'],
      ['meta.lastModified lt "2011-05-13T04:42:34Z"', '(meta.lastmodified lt "2011-05-13T04:42:34Z")'],
      ['meta.lastModified le "2011-05-13T04:42:34Z"', '(meta.lastmodified le "2011-05-13T04:42:34Z")'],
      ['title pr and userType eq "Employee"', '((title pr) and (usertype eq "Employee"))'],
      ['title pr or userType eq "Intern"', '((title pr) or (usertype eq "Intern"))'],
      [`schemas eq "${ENTERPRISE}"`, `(schemas eq "${ENTERPRISE}")`],
      [
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        '((usertype eq "Employee") and ((emails co "example.com") or (emails.value co "example.org")))',
      ],
      [
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        '((usertype ne "Employee") and not((emails co "example.com") or (emails.value co "example.org")))',
      ],
      ['userType eq "Employee" and (emails.type eq "work")', '((usertype eq "Employee") and (emails.type eq "work"))'],
      [
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        '((usertype eq "Employee") and emails[((type eq "work") and (value co "@example.com"))])',
      ],
      [
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
        '(emails[((type eq "work") and (value co "@example.com"))] or ims[((type eq "xmpp") and (value co "@foo.com"))])',
      ],
    ])('parses %s', (text, expected) => {
      expect(show(parseFilter(text))).toBe(expected);
    });
  });

  describe('malformed filters', () => {
    it.each([
      ['', /filter is empty/],
      ['   ', /filter is empty/],
      ['userName eq "bjensen', /unterminated string starting at position 13/],
      ['userName eq "a\\', /unterminated string/],
      ['userName eq', /expected a value after 'eq' at position 12, found end of input/],
      ['userName eq )', /expected a value after 'eq' at position 13/],
      ['userName', /expected an operator after 'userName' at position 9/],
      ['userName eqq "x"', /unknown operator 'eqq' at position 10/],
      ['userName like "x"', /unknown operator 'like'/],
      ['userName = "x"', /unexpected character '=' at position 10/],
      ['title pr "x"', /'pr' at position 7 takes no value/],
      ['title pr true', /'pr' at position 7 takes no value/],
      ['userName eq "a" foo', /expected 'and', 'or' or the end of the filter at position 17, found 'foo'/],
      ['userName eq "a" and', /expected an attribute path, '\(' or 'not' at position 20, found end of input/],
      ['or userName eq "a"', /missing filter before 'or' at position 1/],
      ['(userName eq "a"', /expected '\)' to close the '\(' at position 1/],
      ['userName eq "a")', /unbalanced '\)' at position 16/],
      ['emails[type eq "work"', /expected '\]' to close the '\[' at position 7/],
      ['emails type eq "work"]', /unknown operator 'type'/],
      ['emails[]', /found '\]'/],
      ['emails[type eq "work"]]', /unbalanced '\]'/],
      ['emails[type eq "work"].value eq "x"', /found '.value'/],
      ['emails[x[y eq 1]]', /value filters cannot be nested/],
      ['emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq "work"]', /take no schema URN/],
      ['emails[type.x eq "work"]', /take no further sub-attribute/],
      ['name.familyName[x eq 1]', /not to a sub-attribute/],
      ['userName eq bjensen', /invalid value 'bjensen' at position 13/],
      ["userName eq 'bjensen'", /unexpected character '''/],
      ['userName eq 01', /invalid value '01'/],
      ['userName eq "\\x"', /invalid string/],
      ['a.b.c eq 1', /at most one sub-attribute/],
      ['1abc eq 1', /attribute names start with a letter/],
      ['foo:bar eq 1', /'foo' is not a schema URN/],
      ['not userName eq "x"', /'not' at position 1 must be followed by a parenthesised filter/],
      ['eq "x"', /missing attribute path before 'eq'/],
      ['()', /found '\)'/],
      ['not ()', /found '\)'/],
      ['userName eq "a" and and b pr', /missing filter before 'and' at position 21/],
    ])('rejects %p', (text, message) => {
      expect(invalidFilter(text)).toMatch(message);
    });

    it('says which filter was invalid in every message', () => {
      expect(invalidFilter('x')).toMatch(/^Invalid filter: /);
    });

    it(`rejects a filter longer than ${FILTER_LIMITS.maxLength} characters`, () => {
      const text = `userName eq "${'a'.repeat(FILTER_LIMITS.maxLength)}"`;
      expect(invalidFilter(text)).toMatch(/at most 4096/);
      expect(() => parseFilter(`userName eq "${'a'.repeat(FILTER_LIMITS.maxLength - 15)}"`)).not.toThrow();
    });

    it(`accepts nesting up to ${FILTER_LIMITS.maxDepth} levels and rejects deeper`, () => {
      const nest = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
      expect(show(parseFilter(nest(FILTER_LIMITS.maxDepth)))).toBe('(a pr)');
      expect(invalidFilter(nest(FILTER_LIMITS.maxDepth + 1))).toMatch(/deeper than 32 levels/);
      expect(invalidFilter(`${'not ('.repeat(40)}a pr${')'.repeat(40)}`)).toMatch(/deeper than 32/);
    });

    it('counts brackets and not towards the depth', () => {
      const text = `${'not ('.repeat(FILTER_LIMITS.maxDepth - 1)}emails[(type pr)]${')'.repeat(FILTER_LIMITS.maxDepth - 1)}`;
      expect(invalidFilter(text)).toMatch(/deeper than 32/);
    });

    it(`accepts ${FILTER_LIMITS.maxComparisons} comparisons and rejects more`, () => {
      const many = (n: number) => Array.from({ length: n }, (_, i) => `a eq ${i}`).join(' or ');
      expect(() => parseFilter(many(FILTER_LIMITS.maxComparisons))).not.toThrow();
      expect(invalidFilter(many(FILTER_LIMITS.maxComparisons + 1))).toMatch(/more than 200 comparisons/);
    });

    it('survives a long flat chain without deep recursion', () => {
      const text = Array.from({ length: 150 }, () => 'a pr').join(' and ');
      let node = parseFilter(text);
      let length = 1;
      while (node.kind === 'and') {
        node = node.left;
        length++;
      }
      expect(length).toBe(150);
    });
  });
});

describe('parsePatchPath', () => {
  it('parses a simple attribute, a sub-attribute and a URN-qualified attribute', () => {
    expect(parsePatchPath('displayName')).toEqual({ path: { attr: 'displayName', key: 'displayname' } });
    expect(parsePatchPath('name.familyName')).toEqual({ path: { attr: 'name', sub: 'familyName', key: 'name.familyname' } });
    expect(parsePatchPath(`${ENTERPRISE}:department`)).toEqual({
      path: { uri: ENTERPRISE, attr: 'department', key: `${ENTERPRISE.toLowerCase()}:department` },
    });
  });

  it('parses a value path with and without a trailing sub-attribute', () => {
    const members = parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]');
    expect(members.path.key).toBe('members');
    expect(show(members.valueFilter!)).toBe('(value eq "2819c223-7f76-453a-919d-413861904646")');
    expect(members.sub).toBeUndefined();

    const email = parsePatchPath('emails[type eq "work"].value');
    expect(email.path.key).toBe('emails');
    expect(show(email.valueFilter!)).toBe('(type eq "work")');
    expect(email.sub).toBe('value');
  });

  it('parses the filtered address path Entra ID sends', () => {
    const p = parsePatchPath('addresses[type eq "work"].streetAddress');
    expect([p.path.attr, p.sub, show(p.valueFilter!)]).toEqual(['addresses', 'streetAddress', '(type eq "work")']);
  });

  it.each([
    ['', /path is empty/],
    ['emails[type eq "work"', /expected '\]'/],
    ['emails[type eq "work"].', /invalid sub-attribute '.'/],
    ['emails[type eq "work"].a.b', /invalid sub-attribute '.a.b'/],
    ['emails[type eq "work"]value', /unexpected 'value'/],
    ['emails[type eq "work"] or x pr', /unexpected 'or'/],
    ['name.givenName.x', /at most one sub-attribute/],
    ['userName eq "x"', /unexpected 'eq'/],
    ['emails[type zz "work"]', /unknown operator 'zz'/],
    ['"displayName"', /expected an attribute path at position 1/],
  ])('rejects %p as invalidPath', (text, message) => {
    const err = scimError(() => parsePatchPath(text));
    expect(err.getStatus()).toBe(400);
    expect(err.scimType).toBe(ScimType.invalidPath);
    expect(err.detail).toMatch(message);
  });
});

describe('parseAttrPath', () => {
  it('parses a plain or URN-qualified attribute path', () => {
    expect(parseAttrPath(' name.givenName ')).toEqual({ attr: 'name', sub: 'givenName', key: 'name.givenname' });
    expect(parseAttrPath(`${ENTERPRISE}:department`).key).toBe(`${ENTERPRISE.toLowerCase()}:department`);
  });

  it('rejects value filters and junk with the scimType asked for', () => {
    expect(scimError(() => parseAttrPath('emails[type eq "work"]')).scimType).toBe(ScimType.invalidValue);
    expect(scimError(() => parseAttrPath('a b', ScimType.invalidPath)).scimType).toBe(ScimType.invalidPath);
  });
});
