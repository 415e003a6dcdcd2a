import { ScimException, ScimType } from './scim.exception';
import { isCoreSchema } from './scim.schemas';

/**
 * An attribute path (RFC 7644 §3.10): `[URI ":"] attr ["." sub]`. `uri`, `attr` and `sub` keep the
 * client's spelling; `key` is the form to match on, because attribute names are case-insensitive
 * (RFC 7643 §2.1) and core-schema attributes may be written with or without their schema URN.
 */
export interface AttrPath {
  uri?: string;
  attr: string;
  sub?: string;
  /** Lower-cased `[uri:]attr[.sub]`; the URN is dropped for core schemas, kept for extensions. */
  key: string;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  /** `emails[type eq "work"]`: `filter` addresses sub-attributes of `path`, relative (`type`, not `emails.type`). */
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

/** A PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`. */
export interface PatchPath {
  path: AttrPath;
  valueFilter?: FilterNode;
  /** The sub-attribute after the bracket, as in `emails[type eq "work"].value`. */
  sub?: string;
}

export const FILTER_LIMITS = { maxLength: 4096, maxDepth: 32, maxComparisons: 200 } as const;

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
const SCHEMA_URI = /^urn(?::[A-Za-z0-9._+-]+)+$/i;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// `+` belongs to exponents, `:` and `.` to URNs and sub-attributes, `$` to `$ref`.
const WORD_CHAR = /[A-Za-z0-9_\-.:$+]/;

export function formatPath(path: Pick<AttrPath, 'uri' | 'attr' | 'sub'>): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
}

export function makePath(attr: string, sub?: string, uri?: string): AttrPath {
  const local = `${attr}${sub ? `.${sub}` : ''}`.toLowerCase();
  const key = uri && !isCoreSchema(uri) ? `${uri.toLowerCase()}:${local}` : local;
  return { ...(uri ? { uri } : {}), attr, ...(sub ? { sub } : {}), key };
}

type TokenType = 'word' | 'string' | '(' | ')' | '[' | ']' | 'eof';
interface Token {
  type: TokenType;
  text: string;
  /** 0-based offset into the input; messages report it 1-based. */
  pos: number;
  value?: string;
}

const at = (pos: number) => `at position ${pos + 1}`;

function describe(tok: Token): string {
  if (tok.type === 'eof') return 'end of input';
  if (tok.type === 'string') return `string ${tok.text}`;
  return `'${tok.text}'`;
}

function lex(text: string, fail: (message: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: c, text: c, pos: i });
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) fail(`unterminated string starting ${at(start)}`);
      i++;
      const raw = text.slice(start, i);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        fail(`invalid string ${raw} ${at(start)}: only JSON escapes (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) are allowed`);
      }
      tokens.push({ type: 'string', text: raw, pos: start, value: value as string });
    } else if (WORD_CHAR.test(c)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text[i])) i++;
      tokens.push({ type: 'word', text: text.slice(start, i), pos: start });
    } else {
      fail(`unexpected character '${c}' ${at(i)}`);
    }
  }
  tokens.push({ type: 'eof', text: '', pos: text.length });
  return tokens;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;
  private comparisons = 0;

  constructor(
    text: string,
    private readonly scimType: ScimType,
    private readonly what: string,
  ) {
    if (text.length > FILTER_LIMITS.maxLength) {
      this.fail(`${what} is ${text.length} characters long; at most ${FILTER_LIMITS.maxLength} are allowed`);
    }
    if (text.trim() === '') this.fail(`${what} is empty`);
    this.tokens = lex(text, (m) => this.fail(m));
  }

  fail(message: string): never {
    throw new ScimException(400, `Invalid ${this.what}: ${message}`, this.scimType);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.type !== 'eof') this.index++;
    return tok;
  }

  private expect(type: TokenType, context: string): Token {
    const tok = this.peek();
    if (tok.type !== type) this.fail(`expected '${type}' ${context} ${at(tok.pos)}, found ${describe(tok)}`);
    return this.next();
  }

  private isKeyword(tok: Token, keyword: string): boolean {
    return tok.type === 'word' && tok.text.toLowerCase() === keyword;
  }

  private enter(tok: Token): void {
    if (++this.depth > FILTER_LIMITS.maxDepth) {
      this.fail(`nesting ${at(tok.pos)} is deeper than ${FILTER_LIMITS.maxDepth} levels`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private count(tok: Token): void {
    if (++this.comparisons > FILTER_LIMITS.maxComparisons) {
      this.fail(`more than ${FILTER_LIMITS.maxComparisons} comparisons (the one ${at(tok.pos)} is one too many)`);
    }
  }

  parseFilter(): FilterNode {
    const node = this.parseOr(false);
    this.expectEnd();
    return node;
  }

  parsePatchPath(): PatchPath {
    const tok = this.peek();
    if (tok.type !== 'word') this.fail(`expected an attribute path ${at(tok.pos)}, found ${describe(tok)}`);
    this.next();
    if (this.peek().type !== '[') {
      const path = this.attrPath(tok, { uri: true, sub: true });
      this.expectEnd();
      return { path };
    }
    const { path, filter } = this.valuePath(tok);
    const after = this.peek();
    let sub: string | undefined;
    if (after.type === 'word' && after.text.startsWith('.')) {
      sub = after.text.slice(1);
      if (!ATTR_NAME.test(sub)) this.fail(`invalid sub-attribute '${after.text}' ${at(after.pos)}`);
      this.next();
    }
    this.expectEnd();
    return { path, valueFilter: filter, ...(sub ? { sub } : {}) };
  }

  private expectEnd(): void {
    const tok = this.peek();
    if (tok.type === 'eof') return;
    if (tok.type === ')' || tok.type === ']') this.fail(`unbalanced '${tok.text}' ${at(tok.pos)}`);
    if (this.scimType === ScimType.invalidFilter) {
      this.fail(`expected 'and', 'or' or the end of the filter ${at(tok.pos)}, found ${describe(tok)}`);
    }
    this.fail(`unexpected ${describe(tok)} ${at(tok.pos)}`);
  }

  /** or binds loosest, then and, then not (RFC 7644 §3.4.2.2, table 4). */
  private parseOr(inValue: boolean): FilterNode {
    let left = this.parseAnd(inValue);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValue) };
    }
    return left;
  }

  private parseAnd(inValue: boolean): FilterNode {
    let left = this.parseUnary(inValue);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(inValue) };
    }
    return left;
  }

  private parseUnary(inValue: boolean): FilterNode {
    const tok = this.peek();
    if (tok.type === '(') {
      this.enter(tok);
      this.next();
      const node = this.parseOr(inValue);
      this.expect(')', `to close the '(' ${at(tok.pos)}`);
      this.leave();
      return node;
    }
    if (this.isKeyword(tok, 'not')) {
      const following = this.peek(1);
      if (following.type === '(') {
        this.enter(tok);
        this.next();
        this.next();
        const filter = this.parseOr(inValue);
        this.expect(')', `to close the 'not (' ${at(tok.pos)}`);
        this.leave();
        return { kind: 'not', filter };
      }
      // `not` could name an attribute (`not pr`); anything else after it is a negation missing its parentheses.
      if (!(following.type === 'word' && this.isOperator(following.text))) {
        this.fail(`'not' ${at(tok.pos)} must be followed by a parenthesised filter, as in not (title pr)`);
      }
    }
    if (tok.type === 'word') return this.parseAttrExp(inValue);
    this.fail(`expected an attribute path, '(' or 'not' ${at(tok.pos)}, found ${describe(tok)}`);
  }

  private isOperator(word: string): boolean {
    const lower = word.toLowerCase();
    return lower === 'pr' || (COMPARE_OPS as readonly string[]).includes(lower);
  }

  private parseAttrExp(inValue: boolean): FilterNode {
    const pathTok = this.next();
    if (this.peek().type === '[') {
      if (inValue) this.fail(`value filters cannot be nested ('[' ${at(this.peek().pos)})`);
      const { path, filter } = this.valuePath(pathTok);
      return { kind: 'valuePath', path, filter };
    }
    const nextTok = this.peek();
    if (this.isOperator(pathTok.text) && (nextTok.type === 'string' || nextTok.type === 'eof')) {
      this.fail(`missing attribute path before '${pathTok.text}' ${at(pathTok.pos)}`);
    }
    const keyword = pathTok.text.toLowerCase();
    if ((keyword === 'and' || keyword === 'or') && !(nextTok.type === 'word' && this.isOperator(nextTok.text))) {
      this.fail(`missing filter before '${pathTok.text}' ${at(pathTok.pos)}`);
    }
    const path = this.attrPath(pathTok, inValue ? { uri: false, sub: false } : { uri: true, sub: true });
    const opTok = this.next();
    if (opTok.type !== 'word') {
      this.fail(`expected an operator after '${pathTok.text}' ${at(opTok.pos)}, found ${describe(opTok)}`);
    }
    const op = opTok.text.toLowerCase();
    if (op === 'pr') {
      const after = this.peek();
      if (after.type === 'string' || (after.type === 'word' && !this.isKeyword(after, 'and') && !this.isKeyword(after, 'or'))) {
        this.fail(`'pr' ${at(opTok.pos)} takes no value, found ${describe(after)}`);
      }
      this.count(pathTok);
      return { kind: 'present', path };
    }
    if (!(COMPARE_OPS as readonly string[]).includes(op)) {
      this.fail(`unknown operator '${opTok.text}' ${at(opTok.pos)}; expected one of ${COMPARE_OPS.join(', ')}, pr`);
    }
    const value = this.value(opTok);
    this.count(pathTok);
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  private value(opTok: Token): FilterValue {
    const tok = this.next();
    if (tok.type === 'string') return tok.value as string;
    if (tok.type !== 'word') this.fail(`expected a value after '${opTok.text}' ${at(tok.pos)}, found ${describe(tok)}`);
    const lower = tok.text.toLowerCase();
    // JSON literals are lower-case; accepting any case costs nothing and some clients send `True`.
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (JSON_NUMBER.test(tok.text)) {
      const n = Number(tok.text);
      if (Number.isFinite(n)) return n;
    }
    this.fail(`invalid value '${tok.text}' ${at(tok.pos)}: expected a "double-quoted string", a number, true, false or null`);
  }

  private valuePath(pathTok: Token): { path: AttrPath; filter: FilterNode } {
    const path = this.attrPath(pathTok, { uri: true, sub: false });
    const open = this.next();
    this.enter(open);
    const filter = this.parseOr(true);
    this.expect(']', `to close the '[' ${at(open.pos)}`);
    this.leave();
    return { path, filter };
  }

  private attrPath(tok: Token, allow: { uri: boolean; sub: boolean }): AttrPath {
    const text = tok.text;
    const colon = text.lastIndexOf(':');
    const uri = colon >= 0 ? text.slice(0, colon) : undefined;
    const local = colon >= 0 ? text.slice(colon + 1) : text;
    const parts = local.split('.');
    const bad = (why: string) => this.fail(`invalid attribute path '${text}' ${at(tok.pos)}: ${why}`);
    if (uri !== undefined) {
      if (!allow.uri) bad('attributes inside [...] are sub-attributes and take no schema URN');
      if (!SCHEMA_URI.test(uri)) bad(`'${uri}' is not a schema URN`);
    }
    if (parts.length > 2) bad('at most one sub-attribute is allowed');
    if (parts.length === 2 && !allow.sub) {
      bad(allow.uri ? 'a value filter applies to the attribute itself, not to a sub-attribute' : 'attributes inside [...] take no further sub-attribute');
    }
    if (!parts.every((p) => ATTR_NAME.test(p))) {
      bad('attribute names start with a letter and contain only letters, digits, - and _');
    }
    return makePath(parts[0], parts[1], uri);
  }
}

/** Parses a `filter` query parameter (RFC 7644 §3.4.2.2); malformed input is a 400 `invalidFilter`. */
export function parseFilter(text: string): FilterNode {
  return new Parser(text, ScimType.invalidFilter, 'filter').parseFilter();
}

/** Parses a PATCH operation's `path` (RFC 7644 §3.5.2); malformed input is a 400 `invalidPath`. */
export function parsePatchPath(text: string): PatchPath {
  return new Parser(text, ScimType.invalidPath, 'path').parsePatchPath();
}

/** Parses one plain attribute path, as listed in `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5). */
export function parseAttrPath(text: string, scimType: ScimType = ScimType.invalidValue, what = 'attribute path'): AttrPath {
  const parser = new Parser(text.trim(), scimType, what);
  const patch = parser.parsePatchPath();
  if (patch.valueFilter) parser.fail(`'${text}' has a value filter, which is not allowed here`);
  return patch.path;
}
