import { FilterNode, PatchPath, makePath, parseAttrPath, parsePatchPath } from './filter.parser';
import { findKey, isPlainObject, matchesFilter } from './filter.evaluate';
import { ScimException, ScimType } from './scim.exception';
import { CORE_SCHEMA_PREFIX, ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, isCoreSchema } from './scim.schemas';

export type ScimResource = Record<string, unknown>;
export type PatchOpName = 'add' | 'remove' | 'replace';

export const PATCH_LIMITS = { maxOperations: 1000 } as const;

/**
 * What applyPatch needs to know about the resource type. Paths are lower-cased the way
 * `AttrPath.key` is: `name.givenname`, `emails`, `urn:...:enterprise:2.0:user:department`.
 */
export interface PatchOptions {
  /** Attributes clients cannot change (`id`, `meta`, `groups`); re-sending the current value is allowed. */
  readOnly?: string[];
  /** Multi-valued attributes (`emails`, `phonenumbers`, `members`, `addresses`); arrays in the resource count too. */
  multiValued?: string[];
  /** Boolean attributes that also take "True"/"False" strings, which Entra ID sends for `active`. */
  booleans?: string[];
  /** Spelling for attributes the resource does not have yet: `userName`, `name.givenName`, `${enterprise}:employeeNumber`. */
  canonical?: string[];
  /** Extension schema URNs, whose attributes live in an object keyed by the URN; the enterprise User extension by default. */
  extensions?: string[];
  /** Multi-valued attributes where removing values that are not there is a no-op, not noTarget; `members` by default. */
  lenientRemove?: string[];
}

export interface PatchResult {
  resource: ScimResource;
  /** Top-level keys whose value changed, in the order first addressed; an extension attribute counts as its extension's key. */
  touched: string[];
}

interface Operation {
  op: PatchOpName;
  path?: string;
  value: unknown;
}

type Target = { kind: 'core' } | { kind: 'extension'; uri: string } | ({ kind: 'attr' } & PatchPath);

const fail = (scimType: ScimType, detail: string) => new ScimException(400, detail, scimType);
const OPS: readonly string[] = ['add', 'remove', 'replace'];

function member(obj: Record<string, unknown>, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

function readOperations(body: unknown): Operation[] {
  if (!isPlainObject(body)) throw fail(ScimType.invalidSyntax, 'The PATCH body must be a JSON object');
  const schemas = member(body, 'schemas');
  const patchOp = PATCH_OP_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === patchOp)) {
    throw fail(ScimType.invalidSyntax, `schemas must contain "${PATCH_OP_SCHEMA}"`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw fail(ScimType.invalidSyntax, 'Operations must be a non-empty array');
  if (operations.length > PATCH_LIMITS.maxOperations) {
    throw fail(ScimType.invalidSyntax, `Operations has ${operations.length} entries; at most ${PATCH_LIMITS.maxOperations} are allowed`);
  }
  return operations.map((raw, i) => {
    if (!isPlainObject(raw)) throw fail(ScimType.invalidSyntax, `Operations[${i}] must be an object`);
    const op = member(raw, 'op');
    // Entra ID sends "Add" and "Replace".
    if (typeof op !== 'string' || !OPS.includes(op.toLowerCase())) {
      throw fail(ScimType.invalidSyntax, `Operations[${i}].op must be "add", "remove" or "replace"`);
    }
    const path = member(raw, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') throw fail(ScimType.invalidPath, `Operations[${i}].path must be a string`);
    const valueKey = findKey(raw, 'value');
    const name = op.toLowerCase() as PatchOpName;
    if (name !== 'remove' && valueKey === undefined) throw fail(ScimType.invalidSyntax, `Operations[${i}]: "${name}" needs a value`);
    return { op: name, ...(typeof path === 'string' ? { path } : {}), value: valueKey === undefined ? undefined : raw[valueKey] };
  });
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Two values of a multi-valued attribute are the same value when their `value` sub-attributes are (RFC 7643 §2.4). */
function identity(item: unknown): string {
  if (isPlainObject(item)) {
    const v = member(item, 'value');
    if (v !== undefined && v !== null) return `value:${typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v)}`;
  }
  return `json:${JSON.stringify(item)}`;
}

/** The object a filter's `eq` conjunction describes (`type eq "work"` → `{ type: 'work' }`), to create a value that is missing. */
function seed(filter: FilterNode): Record<string, unknown> | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null && !filter.path.uri && !filter.path.sub) {
    return { [filter.path.attr]: filter.value };
  }
  if (filter.kind === 'and') {
    const [left, right] = [seed(filter.left), seed(filter.right)];
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

function relatedPaths(a: string, b: string): boolean {
  const under = (x: string, y: string) => x.startsWith(`${y}.`) || x.startsWith(`${y}:`);
  return a === b || under(a, b) || under(b, a);
}

class Patcher {
  readonly root: ScimResource;
  private readonly readOnly: string[];
  private readonly multiValued: Set<string>;
  private readonly booleans: Set<string>;
  private readonly lenient: Set<string>;
  /** lower-cased path → spelling of its last name. */
  private readonly spelling = new Map<string, string>();
  /** lower-cased extension URN → spelling. */
  private readonly extensions = new Map<string, string>();
  private readonly addressed: string[] = [];

  constructor(resource: ScimResource, opts: PatchOptions) {
    this.root = structuredClone(resource);
    const lower = (list: string[] | undefined) => (list ?? []).map((s) => s.toLowerCase());
    this.readOnly = lower(opts.readOnly);
    this.multiValued = new Set(lower(opts.multiValued));
    this.booleans = new Set(lower(opts.booleans));
    this.lenient = new Set(lower(opts.lenientRemove ?? ['members']));
    for (const uri of opts.extensions ?? [ENTERPRISE_USER_SCHEMA]) this.extensions.set(uri.toLowerCase(), uri);
    const schemas = this.root.schemas;
    for (const uri of [...Object.keys(this.root), ...(Array.isArray(schemas) ? schemas : [])]) {
      if (typeof uri === 'string' && uri.toLowerCase().startsWith('urn:') && !isCoreSchema(uri)) this.extensions.set(uri.toLowerCase(), uri);
    }
    for (const name of opts.canonical ?? []) {
      const last = name.slice(name.lastIndexOf(':') + 1);
      this.spelling.set(name.toLowerCase(), last.slice(last.lastIndexOf('.') + 1));
    }
  }

  touched(original: ScimResource): string[] {
    return [...new Set(this.addressed)].filter((k) => !deepEqual(original[k], this.root[k]));
  }

  apply({ op, path, value }: Operation): void {
    if (path === undefined) {
      if (op === 'remove') throw fail(ScimType.noTarget, 'remove needs a path (RFC 7644 §3.5.2.2)');
      this.applyTo(op, { kind: 'core' }, value);
      return;
    }
    this.applyTo(op, this.target(path), value);
  }

  private target(text: string): Target {
    const lower = text.trim().toLowerCase();
    if (this.extensions.has(lower)) return { kind: 'extension', uri: text.trim() };
    if (lower.startsWith(CORE_SCHEMA_PREFIX) && !lower.slice(CORE_SCHEMA_PREFIX.length).includes(':')) return { kind: 'core' };
    return { kind: 'attr', ...parsePatchPath(text) };
  }

  private applyTo(op: PatchOpName, target: Target, value: unknown): void {
    if (target.kind === 'attr') return this.attribute(op, target, value);
    if (target.kind === 'extension' && op === 'remove') return this.removeExtension(target.uri);
    // Without a path, keys may be names, dotted sub-attributes or URN-qualified attributes (Entra ID sends all three).
    if (!isPlainObject(value)) throw fail(ScimType.invalidValue, `${op} of a whole resource or extension needs an object of attributes as its value`);
    for (const [key, v] of Object.entries(value)) {
      if (target.kind === 'core') {
        this.applyTo(op, this.target(key), v);
      } else {
        const path = parseAttrPath(key, ScimType.invalidPath, 'path');
        if (path.uri) throw fail(ScimType.invalidPath, `'${key}' inside the extension '${target.uri}' cannot carry a schema URN`);
        this.attribute(op, { kind: 'attr', path: makePath(path.attr, path.sub, target.uri) }, v);
      }
    }
  }

  private removeExtension(uri: string): void {
    const key = findKey(this.root, uri);
    if (key === undefined) return;
    this.guard(uri.toLowerCase(), () => this.dropExtension(key));
    this.addressed.push(key);
  }

  private dropExtension(key: string): void {
    delete this.root[key];
    const schemas = this.root.schemas;
    const lower = key.toLowerCase();
    if (Array.isArray(schemas)) this.root.schemas = schemas.filter((s) => !(typeof s === 'string' && s.toLowerCase() === lower));
  }

  /** The object holding the attributes of `uri`: the resource itself, or an extension's object, created on demand. */
  private holder(uri: string | undefined, create: boolean): { obj: Record<string, unknown>; topKey?: string } | undefined {
    if (!uri || isCoreSchema(uri)) return { obj: this.root };
    const key = findKey(this.root, uri);
    const existing = key === undefined ? undefined : this.root[key];
    if (key !== undefined && isPlainObject(existing)) return { obj: existing, topKey: key };
    if (!create) return undefined;
    const name = key ?? this.extensions.get(uri.toLowerCase()) ?? uri;
    const obj: Record<string, unknown> = {};
    this.root[name] = obj;
    const schemas = this.root.schemas;
    if (Array.isArray(schemas) && !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === name.toLowerCase())) schemas.push(name);
    return { obj, topKey: name };
  }

  private attribute(op: PatchOpName, target: { kind: 'attr' } & PatchPath, value: unknown): void {
    const { path, valueFilter } = target;
    const lowerTop = path.key.slice(0, path.sub ? path.key.length - path.sub.length - 1 : undefined);
    const sub = valueFilter ? target.sub : path.sub;
    this.guard(sub ? `${lowerTop}.${sub.toLowerCase()}` : lowerTop, () => {
      const holder = this.holder(path.uri, op !== 'remove');
      if (!holder) return;
      const name = findKey(holder.obj, path.attr) ?? this.spell(lowerTop, path.attr);
      this.addressed.push(holder.topKey ?? name);
      if (valueFilter) this.filtered(op, holder.obj, name, lowerTop, valueFilter, sub, value);
      else if (sub) this.subAttribute(op, holder.obj, name, lowerTop, sub, value);
      else this.set(op, holder.obj, name, lowerTop, value);
      // An extension left without attributes is unassigned, like any empty complex value.
      if (holder.topKey && Object.keys(holder.obj).length === 0) this.dropExtension(holder.topKey);
    });
  }

  /** Runs one change and rejects it when it altered a read-only attribute; re-sending the current value is no change (Okta does). */
  private guard(addressed: string, change: () => void): void {
    const watched = this.readOnly.filter((r) => relatedPaths(addressed, r));
    const before = watched.map((r) => structuredClone(this.read(r)));
    change();
    watched.forEach((r, i) => {
      if (!deepEqual(before[i], this.read(r))) throw fail(ScimType.mutability, `'${r}' is read-only`);
    });
  }

  private read(lowerPath: string): unknown {
    const ext = findKey(this.root, lowerPath);
    if (ext !== undefined && this.extensions.has(lowerPath)) return this.root[ext];
    const path = parseAttrPath(lowerPath);
    const holder = this.holder(path.uri, false);
    const value = holder ? member(holder.obj, path.attr) : undefined;
    const sub = path.sub;
    if (!sub) return value;
    if (Array.isArray(value)) return value.map((el) => (isPlainObject(el) ? member(el, sub) : undefined));
    return isPlainObject(value) ? member(value, sub) : undefined;
  }

  private spell(lowerPath: string, written: string): string {
    return this.spelling.get(lowerPath) ?? written;
  }

  private isMultiValued(lowerPath: string, current: unknown): boolean {
    return this.multiValued.has(lowerPath) || Array.isArray(current);
  }

  /** A request value made ready to store: copied, booleans coerced, nulls dropped (unassigned, RFC 7643 §2.5), names spelled canonically. */
  private prepare(lowerPath: string, value: unknown): unknown {
    if (this.booleans.has(lowerPath)) {
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      if (typeof value !== 'boolean' && value !== null) throw fail(ScimType.invalidValue, `'${lowerPath}' must be true or false`);
      return value;
    }
    if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => this.prepare(lowerPath, v));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const childPath = `${lowerPath}.${k.toLowerCase()}`;
        if (v !== null) out[this.spell(childPath, k)] = this.prepare(childPath, v);
      }
      return out;
    }
    return value;
  }

  private set(op: PatchOpName, holder: Record<string, unknown>, name: string, lowerPath: string, value: unknown): void {
    const current = holder[name];
    const multi = this.isMultiValued(lowerPath, current);
    if (op === 'remove') {
      // Entra ID removes members as {op: remove, path: members, value: [{value: id}]}: only those values go.
      if (multi && value !== undefined && value !== null && Array.isArray(current)) {
        const gone = new Set((Array.isArray(value) ? value : [value]).map(identity));
        this.store(holder, name, current.filter((item) => !gone.has(identity(item))));
      } else {
        delete holder[name];
      }
      return;
    }
    if (value === null || (multi && Array.isArray(value) && value.length === 0 && op === 'replace')) {
      delete holder[name];
      return;
    }
    if (multi) {
      const incoming = this.prepare(lowerPath, value);
      const items = Array.isArray(incoming) ? incoming : [incoming];
      if (op === 'replace') this.store(holder, name, items, new Set(items));
      else this.merge(holder, name, Array.isArray(current) ? [...current] : [], items);
      return;
    }
    if (isPlainObject(value) && isPlainObject(current)) {
      // A complex value keeps the sub-attributes the request leaves out (RFC 7644 §3.5.2.1, §3.5.2.3).
      for (const [k, v] of Object.entries(value)) {
        const childPath = `${lowerPath}.${k.toLowerCase()}`;
        this.set(op, current, findKey(current, k) ?? this.spell(childPath, k), childPath, v);
      }
      if (Object.keys(current).length === 0) delete holder[name];
      return;
    }
    const prepared = this.prepare(lowerPath, value);
    if (isPlainObject(prepared) && Object.keys(prepared).length === 0) delete holder[name];
    else holder[name] = prepared;
  }

  /** add to a multi-valued attribute: new values are appended, values already there take the given sub-attributes. */
  private merge(holder: Record<string, unknown>, name: string, items: unknown[], incoming: unknown[]): void {
    const index = new Map(items.map((item, i) => [identity(item), i]));
    const fresh = new Set<unknown>();
    for (const item of incoming) {
      const at = index.get(identity(item));
      const existing = at === undefined ? undefined : items[at];
      if (at !== undefined && isPlainObject(existing) && isPlainObject(item)) {
        // The stored `value` keeps its spelling: it is the same value, matched case-insensitively.
        for (const [k, v] of Object.entries(item)) if (k.toLowerCase() !== 'value') existing[findKey(existing, k) ?? k] = v;
        fresh.add(existing);
      } else if (at === undefined) {
        index.set(identity(item), items.length);
        items.push(item);
        fresh.add(item);
      }
    }
    this.store(holder, name, items, fresh);
  }

  /** Stores a multi-valued attribute: empty values dropped, the attribute removed when none remain, one primary at most. */
  private store(holder: Record<string, unknown>, name: string, items: unknown[], fresh: Set<unknown> = new Set()): void {
    const kept = items.filter((el) => !(isPlainObject(el) && Object.keys(el).length === 0));
    if (kept.length === 0) {
      delete holder[name];
      return;
    }
    // RFC 7643 §2.4: "primary" is true for at most one value; the value this request made primary wins.
    const primaries = kept.filter((el): el is Record<string, unknown> => isPlainObject(el) && member(el, 'primary') === true);
    if (primaries.length > 1) {
      const winner = [...primaries].reverse().find((el) => fresh.has(el)) ?? primaries[0];
      for (const el of primaries) if (el !== winner) el[findKey(el, 'primary') ?? 'primary'] = false;
    }
    holder[name] = kept;
  }

  private subAttribute(op: PatchOpName, holder: Record<string, unknown>, name: string, lowerTop: string, sub: string, value: unknown): void {
    const lowerPath = `${lowerTop}.${sub.toLowerCase()}`;
    const current = holder[name];
    if (this.isMultiValued(lowerTop, current)) {
      // `emails.type` without a filter addresses that sub-attribute of every value.
      const items = Array.isArray(current) ? current : [];
      if (op !== 'remove' && items.length === 0) items.push({});
      for (const el of items) {
        if (!isPlainObject(el)) continue;
        const key = findKey(el, sub);
        if (op === 'remove') {
          if (key !== undefined) delete el[key];
        } else {
          this.set(op, el, key ?? this.spell(lowerPath, sub), lowerPath, value);
        }
      }
      this.store(holder, name, items);
      return;
    }
    if (op === 'remove') {
      if (!isPlainObject(current)) return;
      const key = findKey(current, sub);
      if (key !== undefined) delete current[key];
      if (Object.keys(current).length === 0) delete holder[name];
      return;
    }
    const parent = isPlainObject(current) ? current : {};
    this.set(op, parent, findKey(parent, sub) ?? this.spell(lowerPath, sub), lowerPath, value);
    if (Object.keys(parent).length === 0) delete holder[name];
    else holder[name] = parent;
  }

  private filtered(
    op: PatchOpName,
    holder: Record<string, unknown>,
    name: string,
    lowerTop: string,
    filter: FilterNode,
    sub: string | undefined,
    value: unknown,
  ): void {
    const current = holder[name];
    if (current !== undefined && current !== null && !Array.isArray(current)) {
      throw fail(ScimType.invalidPath, `'${name}' is not multi-valued, so a value filter does not apply`);
    }
    let items = Array.isArray(current) ? [...current] : [];
    const hits = items.filter((el) => matchesFilter(el, filter));
    const lowerPath = sub ? `${lowerTop}.${sub.toLowerCase()}` : lowerTop;
    const noMatch = () => fail(ScimType.noTarget, `no value of '${name}' matches the filter`);

    if (op === 'remove') {
      if (hits.length === 0) {
        if (this.lenient.has(lowerTop)) return;
        throw noMatch();
      }
      if (sub) {
        for (const el of hits) {
          const key = isPlainObject(el) ? findKey(el, sub) : undefined;
          if (key !== undefined) delete (el as Record<string, unknown>)[key];
        }
      } else {
        items = items.filter((el) => !hits.includes(el));
      }
      this.store(holder, name, items);
      return;
    }

    if (hits.length === 0) {
      // replace of an attribute that has no value is an add (RFC 7644 §3.5.2.3); add creates the value the filter describes.
      if (op === 'replace' && items.length > 0) throw noMatch();
      const created = seed(filter);
      if (!created) throw fail(ScimType.noTarget, `no value of '${name}' matches the filter, and the filter does not describe a new one`);
      const el = this.prepare(lowerTop, created) as Record<string, unknown>;
      this.into('add', el, lowerTop, sub, value);
      this.store(holder, name, [...items, el], new Set([el]));
      return;
    }

    const fresh = new Set<unknown>();
    items = items.map((el) => {
      if (!hits.includes(el)) return el;
      if (!isPlainObject(el)) throw fail(ScimType.invalidPath, `the values of '${name}' have no sub-attributes`);
      if (op === 'replace' && !sub) {
        // replace with a value filter replaces each matching value whole (RFC 7644 §3.5.2.3).
        if (!isPlainObject(value)) throw fail(ScimType.invalidValue, `replacing values of '${name}' needs an object value`);
        const replaced = this.prepare(lowerPath, value);
        fresh.add(replaced);
        return replaced;
      }
      this.into(op, el, lowerTop, sub, value);
      fresh.add(el);
      return el;
    });
    this.store(holder, name, items, fresh);
  }

  /** Writes `value` into one value of a multi-valued attribute: at `sub`, or its members when there is no sub. */
  private into(op: PatchOpName, el: Record<string, unknown>, lowerTop: string, sub: string | undefined, value: unknown): void {
    if (sub) {
      const lowerPath = `${lowerTop}.${sub.toLowerCase()}`;
      this.set(op, el, findKey(el, sub) ?? this.spell(lowerPath, sub), lowerPath, value);
      return;
    }
    if (!isPlainObject(value)) throw fail(ScimType.invalidValue, 'a value filter without a sub-attribute needs an object value');
    for (const [k, v] of Object.entries(value)) {
      const lowerPath = `${lowerTop}.${k.toLowerCase()}`;
      this.set(op, el, findKey(el, k) ?? this.spell(lowerPath, k), lowerPath, v);
    }
  }
}

/**
 * Applies a SCIM PATCH request (RFC 7644 §3.5.2) to a JSON resource and returns a new resource; the
 * input is never modified. All operations apply or none: the first failing one throws a 400 whose
 * detail names it.
 */
export function applyPatch(resource: ScimResource, body: unknown, opts: PatchOptions = {}): PatchResult {
  const operations = readOperations(body);
  const patcher = new Patcher(resource, opts);
  operations.forEach((operation, i) => {
    try {
      patcher.apply(operation);
    } catch (err) {
      if (err instanceof ScimException) throw new ScimException(err.getStatus(), `Operations[${i}]: ${err.detail}`, err.scimType);
      throw err;
    }
  });
  return { resource: patcher.root, touched: patcher.touched(resource) };
}
