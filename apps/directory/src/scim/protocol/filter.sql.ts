import { AttrPath, CompareOp, FilterNode, FilterValue, formatPath } from './filter.parser';
import { ScimException, ScimType } from './scim.exception';
import { parseDateTime } from './scim.datetime';

export type SqlDialect = 'postgres' | 'sqlite';

/**
 * How a target's values compare: `string` case-exactly, `ci-string` case-insensitively (most SCIM
 * strings, RFC 7643 §2.2 caseExact false), `datetime` as instants.
 */
export type SqlValueType = 'string' | 'ci-string' | 'boolean' | 'number' | 'datetime';

/**
 * A column or any trusted SQL expression, e.g. `u."emailKey"`. String comparisons bind text, so give
 * a Postgres uuid column as `CAST(u.id AS text)`: a malformed id then matches nothing instead of failing.
 */
export interface SqlColumn {
  kind: 'column';
  expr: string;
  type: SqlValueType;
  /** For `ci-string`: the expression is lower-cased already (a `*Key` column), so it is not wrapped in lower(). */
  lowerExpr?: boolean;
  /**
   * For `datetime`: how instants are stored; epoch milliseconds (Keyline's columns) by default.
   * `iso-text` compares as text, so it needs values stored as `Date#toISOString()` writes them.
   */
  datetimeAs?: 'epoch-ms' | 'iso-text';
}

/** A value known without the database, e.g. `type` inside `emails[...]` when every stored email is "work". */
export interface SqlConst {
  kind: 'const';
  value: FilterValue;
  type: SqlValueType;
}

/** Full control, e.g. an EXISTS subquery for `members[value eq "..."]`. Must yield TRUE or FALSE, never NULL. */
export interface SqlCustom {
  kind: 'custom';
  sql: (ctx: SqlContext) => string;
}

export type SqlTarget = SqlColumn | SqlConst | SqlCustom;

/** What the resolver is asked about: a comparison (`op`, `value`), a presence test (`pr`) or a value path (`valueFilter`). */
export interface ResolveRequest {
  path: AttrPath;
  op?: CompareOp | 'pr';
  value?: FilterValue;
  valueFilter?: FilterNode;
}

export type Resolver = (req: ResolveRequest) => SqlTarget | undefined;

export interface SqlContext {
  dialect: SqlDialect;
  /** Binds a value and returns its placeholder (`:scim0`); values never enter the SQL text. */
  param(value: unknown): string;
  /** Compiles another filter with its own resolver, sharing this query's parameters: the way into a value filter. */
  compile(node: FilterNode, resolve: Resolver): string;
  /** Compiles the comparison being resolved against another target, e.g. a column of a joined table. */
  compare(target: SqlColumn | SqlConst): string;
  op?: CompareOp | 'pr';
  value?: FilterValue;
  valueFilter?: FilterNode;
  path: AttrPath;
  node: FilterNode;
}

export interface CompiledFilter {
  sql: string;
  params: Record<string, unknown>;
}

export interface CompileOptions {
  /** Placeholder prefix, to keep clear of the other parameters of the same query; `scim` by default. */
  paramPrefix?: string;
}

const TRUE = '1=1';
const FALSE = '1=0';
const SQL_OPS: Record<'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

const invalid = (message: string) => new ScimException(400, `Invalid filter: ${message}`, ScimType.invalidFilter);

/** The LIKE pattern of a co/sw/ew value, with the escape character itself and both wildcards escaped. */
export function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  return op === 'sw' ? `${escaped}%` : op === 'ew' ? `%${escaped}` : `%${escaped}%`;
}

type Operand = string | number | boolean | null;

/** Checks that `op value` makes sense for the type and returns the value in comparable form (datetimes as epoch ms). */
function operand(type: SqlValueType, op: CompareOp, value: FilterValue, path: AttrPath): Operand {
  const name = formatPath(path);
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw invalid(`'${op}' cannot compare '${name}' with null`);
    return null;
  }
  switch (type) {
    case 'string':
    case 'ci-string':
      if (typeof value !== 'string') throw invalid(`'${name}' is a string; compare it with a "quoted" value, not ${JSON.stringify(value)}`);
      return type === 'ci-string' ? value.toLowerCase() : value;
    case 'boolean':
      if (op !== 'eq' && op !== 'ne') throw invalid(`'${name}' is a boolean; only eq and ne apply, not '${op}'`);
      if (typeof value !== 'boolean') throw invalid(`'${name}' is a boolean; compare it with true or false, not ${JSON.stringify(value)}`);
      return value;
    case 'number':
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`'${op}' does not apply to the number '${name}'`);
      if (typeof value !== 'number') throw invalid(`'${name}' is a number; compare it with a number, not ${JSON.stringify(value)}`);
      return value;
    case 'datetime': {
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`'${op}' does not apply to the date-time '${name}'`);
      const millis = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (millis === undefined) throw invalid(`'${name}' is a date-time; compare it with an ISO 8601 string such as "2011-05-13T04:42:34Z", not ${JSON.stringify(value)}`);
      return millis;
    }
  }
}

function isStringType(type: SqlValueType): boolean {
  return type === 'string' || type === 'ci-string';
}

function evaluateConst(target: SqlConst, op: CompareOp | 'pr', value: FilterValue | undefined, path: AttrPath): boolean {
  const stored = target.value;
  const absent = stored === null || (isStringType(target.type) && stored === '');
  if (op === 'pr') return !absent;
  const want = operand(target.type, op, value ?? null, path);
  if (want === null) return op === 'eq' ? absent : !absent;
  if (stored === null) return op === 'ne';
  const have = operand(target.type, 'eq', stored, path);
  if (have === null) return op === 'ne';
  switch (op) {
    case 'eq':
      return have === want;
    case 'ne':
      return have !== want;
    case 'co':
      return String(have).includes(String(want));
    case 'sw':
      return String(have).startsWith(String(want));
    case 'ew':
      return String(have).endsWith(String(want));
    case 'gt':
      return have > want;
    case 'ge':
      return have >= want;
    case 'lt':
      return have < want;
    case 'le':
      return have <= want;
  }
}

class SqlCompiler {
  readonly params: Record<string, unknown> = {};
  private next = 0;

  constructor(
    private readonly dialect: SqlDialect,
    private readonly prefix: string,
  ) {}

  param(value: unknown): string {
    const name = `${this.prefix}${this.next++}`;
    // better-sqlite3 binds no booleans; SQLite stores them as 0/1 anyway.
    this.params[name] = this.dialect === 'sqlite' && typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return `:${name}`;
  }

  compile(node: FilterNode, resolve: Resolver): string {
    switch (node.kind) {
      case 'and':
      case 'or':
        return `(${this.compile(node.left, resolve)} ${node.kind.toUpperCase()} ${this.compile(node.right, resolve)})`;
      case 'not':
        return `NOT (${this.compile(node.filter, resolve)})`;
      case 'present':
        return this.resolved(node, { path: node.path, op: 'pr' }, resolve);
      case 'compare':
        return this.resolved(node, { path: node.path, op: node.op, value: node.value }, resolve);
      case 'valuePath':
        return this.resolved(node, { path: node.path, valueFilter: node.filter }, resolve);
    }
  }

  private resolved(node: FilterNode, req: ResolveRequest, resolve: Resolver): string {
    const target = resolve(req);
    if (!target) throw invalid(`unknown attribute '${formatPath(req.path)}'`);
    if (target.kind === 'custom') return target.sql(this.context(node, req));
    return this.compare(target, req);
  }

  private context(node: FilterNode, req: ResolveRequest): SqlContext {
    return {
      dialect: this.dialect,
      param: (value) => this.param(value),
      compile: (inner, innerResolve) => this.compile(inner, innerResolve),
      compare: (target) => this.compare(target, req),
      ...(req.op ? { op: req.op } : {}),
      ...(req.op && req.op !== 'pr' ? { value: req.value ?? null } : {}),
      ...(req.valueFilter ? { valueFilter: req.valueFilter } : {}),
      path: req.path,
      node,
    };
  }

  private compare(target: SqlColumn | SqlConst, req: ResolveRequest): string {
    if (!req.op) throw invalid(`'${formatPath(req.path)}' does not support a value filter [...]`);
    if (target.kind === 'const') return evaluateConst(target, req.op, req.value, req.path) ? TRUE : FALSE;
    return this.column(target, req.op, req.value ?? null, req.path);
  }

  private column(col: SqlColumn, op: CompareOp | 'pr', value: FilterValue, path: AttrPath): string {
    const e = col.expr;
    const text = isStringType(col.type);
    // "Present" means a non-empty value (RFC 7644 §3.4.2.2), so `eq null` is its exact negation.
    const present = text ? `(${e} IS NOT NULL AND ${e} <> '')` : `${e} IS NOT NULL`;
    const absent = text ? `(${e} IS NULL OR ${e} = '')` : `${e} IS NULL`;
    if (op === 'pr') return present;
    const want = operand(col.type, op, value, path);
    if (want === null) return op === 'eq' ? absent : present;

    const x = col.type === 'ci-string' && !col.lowerExpr ? `lower(${e})` : e;
    if (op === 'co' || op === 'sw' || op === 'ew') {
      const needle = want as string;
      // SQLite's LIKE ignores ASCII case whatever the pragma of the day, which a case-exact attribute must not.
      if (this.dialect === 'sqlite' && col.type === 'string') {
        const p = this.param(needle);
        if (op === 'co') return `(${e} IS NOT NULL AND instr(${e}, ${p}) > 0)`;
        if (op === 'sw') return `(${e} IS NOT NULL AND substr(${e}, 1, length(${p})) = ${p})`;
        return `(${e} IS NOT NULL AND length(${e}) >= length(${p}) AND substr(${e}, length(${e}) - length(${p}) + 1) = ${p})`;
      }
      return `(${e} IS NOT NULL AND ${x} LIKE ${this.param(likePattern(op, needle))} ESCAPE '\\')`;
    }
    const bound = col.type === 'datetime' && col.datetimeAs === 'iso-text' ? new Date(want as number).toISOString() : want;
    const p = this.param(bound);
    // Every comparison is TRUE or FALSE, never NULL, so that NOT (...) keeps its meaning over unset columns.
    if (op === 'ne') return `(${e} IS NULL OR ${x} <> ${p})`;
    return `(${e} IS NOT NULL AND ${x} ${SQL_OPS[op]} ${p})`;
  }
}

/**
 * Compiles a filter AST into a WHERE fragment with named parameters (`:scim0`, TypeORM style). The
 * resolver maps each attribute path to SQL; paths it does not know are a 400 `invalidFilter`.
 */
export function compileFilter(ast: FilterNode, resolve: Resolver, dialect: SqlDialect, opts: CompileOptions = {}): CompiledFilter {
  const compiler = new SqlCompiler(dialect, opts.paramPrefix ?? 'scim');
  const sql = compiler.compile(ast, resolve);
  return { sql, params: compiler.params };
}
