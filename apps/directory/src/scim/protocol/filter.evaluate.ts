import { AttrPath, FilterNode, FilterValue } from './filter.parser';
import { parseDateTime } from './scim.datetime';
import { isCoreSchema } from './scim.schemas';

export interface EvaluateOptions {
  /** Lower-cased keys (`AttrPath.key`) of case-exact string attributes (RFC 7643 §2.2); all others compare case-insensitively. */
  caseExact?: string[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The resource's own spelling of an attribute name, which SCIM matches case-insensitively (RFC 7643 §2.1). */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function member(obj: unknown, name: string): unknown {
  if (!isPlainObject(obj)) return undefined;
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** Every value a path addresses: several for the sub-attribute of a multi-valued attribute. */
function holderOf(resource: unknown, path: AttrPath): unknown {
  return path.uri && !isCoreSchema(path.uri) ? member(resource, path.uri) : resource;
}

function valuesAt(resource: unknown, path: AttrPath): unknown[] {
  const top = member(holderOf(resource, path), path.attr);
  const items = Array.isArray(top) ? top : [top];
  const sub = path.sub;
  if (sub) return items.map((item) => member(item, sub));
  // `emails co "x"` filters on the `value` of a complex multi-valued attribute (RFC 7644 §3.4.2.2).
  return items.map((item) => (isPlainObject(item) && Array.isArray(top) ? member(item, 'value') : item));
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isPlainObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function compare(have: unknown, op: string, want: FilterValue, exact: boolean): boolean {
  if (want === null) return false;
  if (typeof have === 'string' && typeof want === 'string') {
    if (op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') {
      const [a, b] = [parseDateTime(have), parseDateTime(want)];
      if (a !== undefined && b !== undefined) return order(a, op, b);
    }
    const [a, b] = exact ? [have, want] : [have.toLowerCase(), want.toLowerCase()];
    switch (op) {
      case 'eq':
        return a === b;
      case 'co':
        return a.includes(b);
      case 'sw':
        return a.startsWith(b);
      case 'ew':
        return a.endsWith(b);
      default:
        return order(a, op, b);
    }
  }
  if (typeof have === 'number' && typeof want === 'number') return op === 'eq' ? have === want : order(have, op, want);
  if (typeof have === 'boolean' && typeof want === 'boolean') return op === 'eq' && have === want;
  return false;
}

function order<T extends string | number>(a: T, op: string, b: T): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return false;
  }
}

/**
 * Evaluates a filter against a JSON resource, or against one value of a multi-valued attribute, as
 * PATCH value paths need (`members[value eq "..."]`). A multi-valued attribute matches when any of
 * its values does; `ne` is the negation of `eq`, so it holds for unassigned attributes too.
 */
export function matchesFilter(resource: unknown, node: FilterNode, opts: EvaluateOptions = {}): boolean {
  switch (node.kind) {
    case 'and':
      return matchesFilter(resource, node.left, opts) && matchesFilter(resource, node.right, opts);
    case 'or':
      return matchesFilter(resource, node.left, opts) || matchesFilter(resource, node.right, opts);
    case 'not':
      return !matchesFilter(resource, node.filter, opts);
    case 'present':
      return valuesAt(resource, node.path).some(isPresent);
    case 'valuePath': {
      const values = member(holderOf(resource, node.path), node.path.attr);
      const items = Array.isArray(values) ? values : values === undefined || values === null ? [] : [values];
      return items.some((item) => matchesFilter(item, node.filter, opts));
    }
    case 'compare': {
      // A simple multi-valued attribute's values are addressed as `value` inside brackets.
      const values = !isPlainObject(resource) && node.path.key === 'value' ? [resource] : valuesAt(resource, node.path);
      const exact = opts.caseExact?.includes(node.path.key) ?? false;
      if (node.op === 'ne') return !values.some((v) => (node.value === null ? !isPresent(v) : compare(v, 'eq', node.value, exact)));
      if (node.value === null) return node.op === 'eq' && !values.some(isPresent);
      return values.some((v) => compare(v, node.op, node.value, exact));
    }
  }
}
