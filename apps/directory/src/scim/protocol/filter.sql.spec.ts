import Database from 'better-sqlite3';
import { parseFilter } from './filter.parser';
import { Resolver, SqlColumn, SqlDialect, compileFilter, likePattern } from './filter.sql';
import { ScimType } from './scim.exception';
import { scimError } from './scim.testing';

const ms = (iso: string) => Date.parse(iso);

/** users + their emails, the shape a SCIM /Users endpoint would query. */
const USERS = [
  { id: 'u1', userName: 'Alice', externalId: 'EXT-1', title: 'Engineer', active: 1, loginCount: 5, modified: ms('2011-05-13T04:42:34Z'), created: '2011-05-13T04:42:34.000Z' },
  { id: 'u2', userName: 'bob', externalId: 'ext-2', title: null, active: 0, loginCount: null, modified: ms('2012-01-01T00:00:00Z'), created: '2012-01-01T00:00:00.000Z' },
  { id: 'u3', userName: 'Carol_50%', externalId: 'EXT-3', title: '', active: 1, loginCount: 0, modified: null, created: null },
  { id: 'u4', userName: 'Room 501', externalId: null, title: 'Manager', active: null, loginCount: 12, modified: ms('2020-06-01T12:00:00Z'), created: '2020-06-01T12:00:00.000Z' },
  { id: 'u5', userName: 'back\\slash', externalId: 'Ext-5', title: 'engineer', active: 1, loginCount: 7, modified: ms('2011-05-13T04:42:35Z'), created: '2011-05-13T04:42:35.000Z' },
  { id: 'u6', userName: "x' OR 1=1 --", externalId: 'EXT-6', title: null, active: 0, loginCount: 1, modified: null, created: null },
];
const EMAILS = [
  { userId: 'u1', type: 'work', value: 'alice@example.com', isPrimary: 1 },
  { userId: 'u1', type: 'home', value: 'alice@home.org', isPrimary: 0 },
  { userId: 'u2', type: 'work', value: 'bob@example.org', isPrimary: 0 },
  { userId: 'u4', type: 'home', value: 'room@example.com', isPrimary: 0 },
  { userId: 'u5', type: 'Work', value: 'Back@Example.COM', isPrimary: 0 },
];
const GROUPS = [
  { id: 'g1', displayName: 'Admins', members: ['u1', 'u2'] },
  { id: 'g2', displayName: 'Staff', members: ['u2', 'u3'] },
  { id: 'g3', displayName: 'Empty', members: [] as string[] },
];

function prepare(db: Database.Database, sql: string): Database.Statement {
  const stmt = db.prepare(sql);
  return stmt;
}

function openDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE users (id TEXT PRIMARY KEY, userName TEXT NOT NULL, userNameKey TEXT NOT NULL, externalId TEXT, title TEXT,
      active INTEGER, loginCount INTEGER, modified INTEGER, created TEXT);
    CREATE TABLE user_emails (userId TEXT NOT NULL, type TEXT, value TEXT NOT NULL, isPrimary INTEGER NOT NULL);
    CREATE TABLE groups (id TEXT PRIMARY KEY, displayName TEXT NOT NULL);
    CREATE TABLE group_members (groupId TEXT NOT NULL, userId TEXT NOT NULL);
  `);
  const user = prepare(
    db,
    'INSERT INTO users VALUES (@id, @userName, @userNameKey, @externalId, @title, @active, @loginCount, @modified, @created)',
  );
  for (const u of USERS) user.run({ ...u, userNameKey: u.userName.toLowerCase() });
  const email = prepare(db, 'INSERT INTO user_emails VALUES (@userId, @type, @value, @isPrimary)');
  for (const e of EMAILS) email.run(e);
  const group = prepare(db, 'INSERT INTO groups VALUES (?, ?)');
  const member = prepare(db, 'INSERT INTO group_members VALUES (?, ?)');
  for (const g of GROUPS) {
    group.run(g.id, g.displayName);
    for (const m of g.members) member.run(g.id, m);
  }
  return db;
}

const col = (expr: string, type: SqlColumn['type'], extra: Partial<SqlColumn> = {}): SqlColumn => ({ kind: 'column', expr, type, ...extra });

const emailResolver: Resolver = ({ path }) => {
  switch (path.key) {
    case 'type':
      return col('e.type', 'ci-string');
    case 'value':
      return col('e.value', 'ci-string');
    case 'primary':
      return col('e.isPrimary', 'boolean');
    default:
      return undefined;
  }
};

const userResolver: Resolver = ({ path }) => {
  switch (path.key) {
    case 'id':
      return col('u.id', 'string');
    case 'username':
      return col('u.userNameKey', 'ci-string', { lowerExpr: true });
    case 'displayname':
      return col('u.userName', 'ci-string');
    case 'externalid':
      return col('u.externalId', 'string');
    case 'title':
      return col('u.title', 'ci-string');
    case 'active':
      return col('u.active', 'boolean');
    case 'logincount':
      return col('u.loginCount', 'number');
    case 'meta.lastmodified':
      return col('u.modified', 'datetime', { datetimeAs: 'epoch-ms' });
    case 'meta.created':
      return col('u.created', 'datetime', { datetimeAs: 'iso-text' });
    case 'emails':
    case 'emails.value':
      return {
        kind: 'custom',
        sql: (ctx) => {
          const exists = (where: string) => `EXISTS (SELECT 1 FROM user_emails e WHERE e.userId = u.id AND ${where})`;
          if (ctx.valueFilter) return exists(ctx.compile(ctx.valueFilter, emailResolver));
          if (ctx.op === 'pr') return exists('1=1');
          return exists(ctx.compare(col('e.value', 'ci-string')));
        },
      };
    default:
      return undefined;
  }
};

const groupResolver: Resolver = ({ path }) => {
  if (path.key === 'displayname') return col('g.displayName', 'ci-string');
  if (path.key !== 'members' && path.key !== 'members.value') return undefined;
  return {
    kind: 'custom',
    sql: (ctx) => {
      const member: Resolver = (inner) => (inner.path.key === 'value' ? col('m.userId', 'string') : undefined);
      const where = ctx.valueFilter ? ctx.compile(ctx.valueFilter, member) : ctx.op === 'pr' ? '1=1' : ctx.compare(col('m.userId', 'string'));
      return `EXISTS (SELECT 1 FROM group_members m WHERE m.groupId = g.id AND ${where})`;
    },
  };
};

const compile = (filter: string, dialect: SqlDialect = 'sqlite', resolve: Resolver = userResolver) =>
  compileFilter(parseFilter(filter), resolve, dialect);

function invalidFilter(filter: string, resolve: Resolver = userResolver): string {
  const err = scimError(() => compile(filter, 'sqlite', resolve));
  expect(err.getStatus()).toBe(400);
  expect(err.scimType).toBe(ScimType.invalidFilter);
  return err.detail;
}

describe('compileFilter', () => {
  describe('the SQL and parameters it produces', () => {
    it('compares a case-insensitive column through lower() and a lower-cased parameter', () => {
      expect(compile('displayName eq "Alice"', 'postgres')).toEqual({
        sql: '(u.userName IS NOT NULL AND lower(u.userName) = :scim0)',
        params: { scim0: 'alice' },
      });
    });

    it('does not wrap an already lower-cased key column in lower()', () => {
      expect(compile('userName eq "Alice"', 'postgres')).toEqual({
        sql: '(u.userNameKey IS NOT NULL AND u.userNameKey = :scim0)',
        params: { scim0: 'alice' },
      });
    });

    it('keeps the case of a case-exact string', () => {
      expect(compile('externalId ne "EXT-1"', 'postgres')).toEqual({
        sql: '(u.externalId IS NULL OR u.externalId <> :scim0)',
        params: { scim0: 'EXT-1' },
      });
    });

    it('escapes LIKE wildcards and the escape character in the parameter, never in the SQL', () => {
      expect(compile(String.raw`externalId co "50%_\\"`, 'postgres')).toEqual({
        sql: "(u.externalId IS NOT NULL AND u.externalId LIKE :scim0 ESCAPE '\\')",
        params: { scim0: '%50\\%\\_\\\\%' },
      });
      expect(compile('title sw "Eng"', 'postgres').params).toEqual({ scim0: 'eng%' });
      expect(compile('title ew "Eer"', 'postgres').params).toEqual({ scim0: '%eer' });
    });

    it('binds booleans as booleans on Postgres and as 1/0 on SQLite', () => {
      expect(compile('active eq true', 'postgres')).toEqual({ sql: '(u.active IS NOT NULL AND u.active = :scim0)', params: { scim0: true } });
      expect(compile('active ne false', 'sqlite')).toEqual({ sql: '(u.active IS NULL OR u.active <> :scim0)', params: { scim0: 0 } });
    });

    it('binds date-times as epoch milliseconds or as normalised ISO text', () => {
      expect(compile('meta.lastModified gt "2011-05-13T06:42:34+02:00"', 'postgres')).toEqual({
        sql: '(u.modified IS NOT NULL AND u.modified > :scim0)',
        params: { scim0: ms('2011-05-13T04:42:34Z') },
      });
      expect(compile('meta.created le "2011-05-13"', 'postgres').params).toEqual({ scim0: '2011-05-13T00:00:00.000Z' });
    });

    it('renders presence and null comparisons without parameters', () => {
      expect(compile('title pr', 'postgres')).toEqual({ sql: "(u.title IS NOT NULL AND u.title <> '')", params: {} });
      expect(compile('title eq null', 'postgres').sql).toBe("(u.title IS NULL OR u.title = '')");
      expect(compile('title ne null', 'postgres').sql).toBe("(u.title IS NOT NULL AND u.title <> '')");
      expect(compile('loginCount pr', 'postgres').sql).toBe('u.loginCount IS NOT NULL');
      expect(compile('loginCount eq null', 'postgres').sql).toBe('u.loginCount IS NULL');
    });

    it('renders and, or and not with explicit parentheses and numbers the parameters in order', () => {
      expect(compile('loginCount gt 1 or not (loginCount lt 9 and title pr)', 'postgres')).toEqual({
        sql:
          '((u.loginCount IS NOT NULL AND u.loginCount > :scim0) OR NOT (((u.loginCount IS NOT NULL AND u.loginCount < :scim1) AND ' +
          "(u.title IS NOT NULL AND u.title <> ''))))",
        params: { scim0: 1, scim1: 9 },
      });
    });

    it.each([
      ['gt', '>'],
      ['ge', '>='],
      ['lt', '<'],
      ['le', '<='],
    ])('renders %s as %s', (op, sqlOp) => {
      expect(compile(`loginCount ${op} 3`, 'postgres').sql).toBe(`(u.loginCount IS NOT NULL AND u.loginCount ${sqlOp} :scim0)`);
    });

    it('uses another parameter prefix when asked', () => {
      expect(compileFilter(parseFilter('loginCount eq 1'), userResolver, 'postgres', { paramPrefix: 'f' })).toEqual({
        sql: '(u.loginCount IS NOT NULL AND u.loginCount = :f0)',
        params: { f0: 1 },
      });
    });

    it('shares parameter numbering with value filters compiled by a custom target', () => {
      expect(compile('loginCount eq 1 and emails[type eq "work" and value co "x"]', 'postgres')).toEqual({
        sql:
          '((u.loginCount IS NOT NULL AND u.loginCount = :scim0) AND EXISTS (SELECT 1 FROM user_emails e WHERE e.userId = u.id AND ' +
          '((e.type IS NOT NULL AND lower(e.type) = :scim1) AND (e.value IS NOT NULL AND lower(e.value) LIKE :scim2 ESCAPE \'\\\'))))',
        params: { scim0: 1, scim1: 'work', scim2: '%x%' },
      });
    });

    it('evaluates constant targets statically', () => {
      // One email column per user, whose type is always "work".
      const single: Resolver = ({ path }) =>
        path.key === 'emails'
          ? {
              kind: 'custom',
              sql: (ctx) =>
                ctx.compile(ctx.valueFilter!, ({ path: sub }) =>
                  sub.key === 'type'
                    ? { kind: 'const', value: 'work', type: 'ci-string' }
                    : sub.key === 'value'
                      ? col('u.emailKey', 'ci-string', { lowerExpr: true })
                      : undefined,
                ),
            }
          : undefined;
      expect(compile('emails[type eq "Work" and value eq "A@x.io"]', 'postgres', single)).toEqual({
        sql: '(1=1 AND (u.emailKey IS NOT NULL AND u.emailKey = :scim0))',
        params: { scim0: 'a@x.io' },
      });
      expect(compile('emails[type eq "home"]', 'postgres', single).sql).toBe('1=0');
      expect(compile('emails[type ne "home"]', 'postgres', single).sql).toBe('1=1');
      expect(compile('emails[type pr]', 'postgres', single).sql).toBe('1=1');
      expect(compile('emails[type eq null]', 'postgres', single).sql).toBe('1=0');
      expect(compile('emails[type sw "WO" and type ew "rk" and type co "or"]', 'postgres', single).sql).toBe('((1=1 AND 1=1) AND 1=1)');
      expect(compile('emails[type gt "a" and type lt "b"]', 'postgres', single).sql).toBe('(1=1 AND 1=0)');
    });

    it('evaluates constants of every type, including unset ones', () => {
      const constant = (value: string | number | boolean | null, type: SqlColumn['type']): Resolver => () => ({ kind: 'const', value, type });
      expect(compile('x eq true', 'postgres', constant(true, 'boolean')).sql).toBe('1=1');
      expect(compile('x ne true', 'postgres', constant(true, 'boolean')).sql).toBe('1=0');
      expect(compile('x ge 3', 'postgres', constant(3, 'number')).sql).toBe('1=1');
      expect(compile('x gt 3', 'postgres', constant(3, 'number')).sql).toBe('1=0');
      expect(compile('x lt "2020-01-01T00:00:01Z"', 'postgres', constant('2020-01-01T00:00:00Z', 'datetime')).sql).toBe('1=1');
      expect(compile('x eq "a"', 'postgres', constant(null, 'string')).sql).toBe('1=0');
      expect(compile('x ne "a"', 'postgres', constant(null, 'string')).sql).toBe('1=1');
      expect(compile('x pr', 'postgres', constant('', 'string')).sql).toBe('1=0');
      expect(compile('x eq "A"', 'postgres', constant('a', 'string')).sql).toBe('1=0');
    });

    it('rejects an attribute the resolver does not know', () => {
      expect(invalidFilter('nickName eq "x"')).toBe("Invalid filter: unknown attribute 'nickName'");
      expect(invalidFilter('emails[display eq "x"]')).toBe("Invalid filter: unknown attribute 'display'");
      expect(invalidFilter(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`)).toMatch(
        /unknown attribute 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'/,
      );
    });

    it('rejects a value filter on an attribute that resolves to a plain column', () => {
      expect(invalidFilter('title[value eq "x"]')).toMatch(/'title' does not support a value filter/);
    });

    it.each([
      ['active eq "yes"', /'active' is a boolean; compare it with true or false, not "yes"/],
      ['active eq 1', /'active' is a boolean/],
      ['active co "t"', /'active' is a boolean; only eq and ne apply, not 'co'/],
      ['active gt true', /only eq and ne apply/],
      ['loginCount co "1"', /'co' does not apply to the number 'loginCount'/],
      ['loginCount eq "5"', /'loginCount' is a number/],
      ['meta.lastModified gt "yesterday"', /'meta.lastModified' is a date-time.*not "yesterday"/],
      ['meta.lastModified gt "2011-02-30T00:00:00Z"', /is a date-time/],
      ['meta.lastModified eq 1305261754000', /is a date-time/],
      ['meta.lastModified sw "2011"', /'sw' does not apply to the date-time/],
      ['userName eq 5', /'userName' is a string/],
      ['userName eq true', /'userName' is a string/],
      ['userName gt null', /'gt' cannot compare 'userName' with null/],
      ['userName co null', /'co' cannot compare/],
    ])('rejects the type mismatch %s', (filter, message) => {
      expect(invalidFilter(filter)).toMatch(message);
    });
  });

  describe('run against SQLite', () => {
    let db: Database.Database;
    beforeAll(() => {
      db = openDb();
    });
    afterAll(() => db.close());

    const users = (filter: string) => {
      const { sql, params } = compile(filter);
      return prepare(db, `SELECT u.id FROM users u WHERE ${sql} ORDER BY u.id`).all(params).map((r) => (r as { id: string }).id);
    };
    const groups = (filter: string) => {
      const { sql, params } = compile(filter, 'sqlite', groupResolver);
      return prepare(db, `SELECT g.id FROM groups g WHERE ${sql} ORDER BY g.id`).all(params).map((r) => (r as { id: string }).id);
    };

    it.each([
      ['userName eq "alice"', ['u1']],
      ['userName eq "ALICE"', ['u1']],
      ['displayName eq "aLiCe"', ['u1']],
      ['userName ne "alice"', ['u2', 'u3', 'u4', 'u5', 'u6']],
      ['externalId eq "EXT-1"', ['u1']],
      ['externalId eq "ext-1"', []],
      ['externalId ne "EXT-1"', ['u2', 'u3', 'u4', 'u5', 'u6']],
      ['id eq "u3"', ['u3']],
    ])('eq / ne: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['displayName co "LI"', ['u1']],
      ['displayName sw "ro"', ['u4']],
      ['displayName ew "SLASH"', ['u5']],
      ['displayName co ""', ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']],
      ['externalId sw "ext"', ['u2']],
      ['externalId sw "EXT"', ['u1', 'u3', 'u6']],
      ['externalId co "XT"', ['u1', 'u3', 'u6']],
      ['externalId ew "-5"', ['u5']],
      ['externalId ew "EXT-1"', ['u1']],
      ['externalId ew "xEXT-1"', []],
      ['externalId ew ""', ['u1', 'u2', 'u3', 'u5', 'u6']],
    ])('co / sw / ew: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['displayName co "50%"', ['u3']],
      ['displayName co "_5"', ['u3']],
      ['displayName co "%"', ['u3']],
      ['displayName co "_"', ['u3']],
      [String.raw`displayName co "\\"`, ['u5']],
      [String.raw`displayName co "k\\s"`, ['u5']],
      ['displayName sw "%"', []],
    ])('matches LIKE wildcards literally: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['loginCount gt 5', ['u4', 'u5']],
      ['loginCount ge 5', ['u1', 'u4', 'u5']],
      ['loginCount lt 5', ['u3', 'u6']],
      ['loginCount le 0', ['u3']],
      ['loginCount eq 0', ['u3']],
      ['loginCount ne 5', ['u2', 'u3', 'u4', 'u5', 'u6']],
      ['loginCount gt -1.5', ['u1', 'u3', 'u4', 'u5', 'u6']],
      ['title gt "f"', ['u4']],
      ['title lt "F"', ['u1', 'u3', 'u5']],
    ])('gt / ge / lt / le: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['u2', 'u4', 'u5']],
      ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['u1', 'u2', 'u4', 'u5']],
      ['meta.lastModified lt "2012-01-01T00:00:00Z"', ['u1', 'u5']],
      ['meta.lastModified le "2011-05-13T06:42:34+02:00"', ['u1']],
      ['meta.lastModified eq "2011-05-13T04:42:34.000Z"', ['u1']],
      ['meta.created ge "2012-01-01"', ['u2', 'u4']],
      ['meta.created lt "2011-05-13T04:42:35Z"', ['u1']],
    ])('date-times: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['active eq true', ['u1', 'u3', 'u5']],
      ['active eq false', ['u2', 'u6']],
      ['active ne true', ['u2', 'u4', 'u6']],
      ['active pr', ['u1', 'u2', 'u3', 'u5', 'u6']],
    ])('booleans: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['title pr', ['u1', 'u4', 'u5']],
      ['not (title pr)', ['u2', 'u3', 'u6']],
      ['title eq null', ['u2', 'u3', 'u6']],
      ['title ne null', ['u1', 'u4', 'u5']],
      ['title eq "engineer"', ['u1', 'u5']],
      ['not (title eq "engineer")', ['u2', 'u3', 'u4', 'u6']],
      ['title ne "engineer"', ['u2', 'u3', 'u4', 'u6']],
      ['not (active eq true)', ['u2', 'u4', 'u6']],
      ['not (loginCount gt 5)', ['u1', 'u2', 'u3', 'u6']],
      ['not (externalId sw "EXT")', ['u2', 'u4', 'u5']],
      ['not (not (title pr))', ['u1', 'u4', 'u5']],
    ])('NULL handling: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['active eq true and title pr', ['u1', 'u5']],
      ['title eq "manager" or loginCount eq 0', ['u3', 'u4']],
      ['userName eq "bob" or active eq true and loginCount gt 6', ['u2', 'u5']],
      ['(userName eq "bob" or active eq true) and loginCount gt 6', ['u5']],
      ['not (active eq true or title pr)', ['u2', 'u6']],
    ])('and / or / not: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['emails[type eq "work" and value co "@example."]', ['u1', 'u2', 'u5']],
      ['emails[type eq "home"]', ['u1', 'u4']],
      ['emails[primary eq true]', ['u1']],
      ['emails[type eq "work" and not (value ew ".org")]', ['u1', 'u5']],
      ['emails co "example.com"', ['u1', 'u4', 'u5']],
      ['emails.value ew ".org"', ['u1', 'u2']],
      ['emails pr', ['u1', 'u2', 'u4', 'u5']],
      ['not (emails pr)', ['u3', 'u6']],
      ['not (emails[type eq "work"])', ['u3', 'u4', 'u6']],
      ['userName sw "a" or emails[value sw "room"]', ['u1', 'u4']],
    ])('multi-valued emails through EXISTS: %s matches %j', (filter, ids) => {
      expect(users(filter)).toEqual(ids);
    });

    it.each([
      ['members[value eq "u1"]', ['g1']],
      ['members[value eq "u2"]', ['g1', 'g2']],
      ['members.value eq "u3"', ['g2']],
      ['members pr', ['g1', 'g2']],
      ['not (members[value eq "u1"])', ['g2', 'g3']],
      ['displayName eq "staff" and members[value eq "u2" or value eq "u9"]', ['g2']],
    ])('group members through EXISTS: %s matches %j', (filter, ids) => {
      expect(groups(filter)).toEqual(ids);
    });

    it('treats an injection attempt as a plain value', () => {
      const { sql, params } = compile(`userName eq "x' OR 1=1 --"`);
      expect(sql).not.toContain("'");
      expect(params).toEqual({ scim0: "x' or 1=1 --" });
      expect(users(`userName eq "x' OR 1=1 --"`)).toEqual(['u6']);
      expect(users(`displayName co "'; DROP TABLE users; --"`)).toEqual([]);
      expect(users(`externalId eq "\\" OR \\"1\\"=\\"1"`)).toEqual([]);
      expect(users(`title co ") OR 1=1 OR (:scim0"`)).toEqual([]);
      expect(prepare(db, 'SELECT count(*) AS n FROM users').get()).toEqual({ n: USERS.length });
    });
  });
});

describe('likePattern', () => {
  it('escapes %, _ and the escape character and adds the wildcards of the operator', () => {
    expect(likePattern('co', 'a%b_c\\d')).toBe('%a\\%b\\_c\\\\d%');
    expect(likePattern('sw', 'x')).toBe('x%');
    expect(likePattern('ew', 'x')).toBe('%x');
  });
});
