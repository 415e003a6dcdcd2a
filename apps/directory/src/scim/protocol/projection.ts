import { parseAttrPath } from './filter.parser';
import { isPlainObject } from './filter.evaluate';
import { ScimException, ScimType } from './scim.exception';
import { ENTERPRISE_USER_SCHEMA, isCoreSchema } from './scim.schemas';

export interface ProjectionOptions {
  /** The `attributes` parameter: only these, plus the always-returned ones (RFC 7644 §3.4.2.5). */
  attributes?: string;
  /** The `excludedAttributes` parameter: everything but these; always-returned ones stay. */
  excludedAttributes?: string;
  /** Extension URNs that may be named whole; those present in the resource count anyway. */
  extensions?: string[];
}

/** A set of selected paths as a tree of lower-cased names; `all` selects a node with everything under it. */
interface Selection {
  all: boolean;
  children: Map<string, Selection>;
}

const node = (): Selection => ({ all: false, children: new Map() });

function extensionKeys(resource: Record<string, unknown>): string[] {
  return Object.keys(resource).filter((k) => k.toLowerCase().startsWith('urn:') && isPlainObject(resource[k]));
}

/** The lower-cased names leading to one listed attribute, from the top of the resource. */
function segments(entry: string, resource: Record<string, unknown>, extensions: Set<string>, param: string): string[] {
  const lower = entry.toLowerCase();
  if (extensions.has(lower)) return [lower];
  const path = parseAttrPath(entry, ScimType.invalidValue, param);
  const local = [path.attr.toLowerCase(), ...(path.sub ? [path.sub.toLowerCase()] : [])];
  if (path.uri && !isCoreSchema(path.uri)) return [path.uri.toLowerCase(), ...local];
  const topLevel = Object.keys(resource).some((k) => k.toLowerCase() === local[0]);
  if (path.uri || topLevel) return local;
  // Clients SHOULD qualify extension attributes (RFC 7644 §3.10); an unqualified one still finds its extension.
  const owner = extensionKeys(resource).find((ext) =>
    Object.keys(resource[ext] as Record<string, unknown>).some((k) => k.toLowerCase() === local[0]),
  );
  return owner ? [owner.toLowerCase(), ...local] : local;
}

function parseList(text: string | undefined, param: string, resource: Record<string, unknown>, extensions: Set<string>): Selection | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const root = node();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') throw new ScimException(400, `Invalid ${param}: the list has an empty entry`, ScimType.invalidValue);
    let at = root;
    for (const name of segments(entry, resource, extensions, param)) {
      if (at.all) break;
      let next = at.children.get(name);
      if (!next) at.children.set(name, (next = node()));
      at = next;
    }
    at.all = true;
  }
  return root;
}

function pick(value: unknown, sel: Selection): unknown {
  if (sel.all) return structuredClone(value);
  if (Array.isArray(value)) {
    const items = value.map((el) => pick(el, sel)).filter((el) => el !== undefined);
    return items.length ? items : undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = sel.children.get(k.toLowerCase());
    const picked = child ? pick(v, child) : undefined;
    if (picked !== undefined) out[k] = picked;
  }
  return Object.keys(out).length ? out : undefined;
}

const REMOVED = Symbol('removed');

function drop(value: unknown, sel: Selection): unknown {
  if (sel.all) return REMOVED;
  if (Array.isArray(value)) return value.map((el) => drop(el, sel)).filter((el) => el !== REMOVED);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = sel.children.get(k.toLowerCase());
    const kept = child ? drop(v, child) : v;
    if (kept !== REMOVED) out[k] = kept;
  }
  // A complex value whose every sub-attribute was excluded is unassigned, not an empty object.
  return Object.keys(out).length || !Object.keys(value).length ? out : REMOVED;
}

/**
 * Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) to a JSON resource. Names are
 * case-insensitive, may carry a schema URN, and may name a sub-attribute (`name.givenName`,
 * `emails.value`) or a whole extension. The resource is not modified; malformed lists are a 400
 * `invalidValue`.
 */
export function projectAttributes(
  resource: Record<string, unknown>,
  opts: ProjectionOptions,
  always: string[] = ['id', 'schemas'],
): Record<string, unknown> {
  // Nothing asked for: the resource as it is (most requests; lists of many resources stay cheap).
  if (!opts.attributes?.trim() && !opts.excludedAttributes?.trim()) return resource;
  const extensions = new Set([...(opts.extensions ?? [ENTERPRISE_USER_SCHEMA]), ...extensionKeys(resource)].map((s) => s.toLowerCase()));
  const include = parseList(opts.attributes, 'attributes', resource, extensions);
  const exclude = parseList(opts.excludedAttributes, 'excludedAttributes', resource, extensions);
  const keep = new Set(always.map((a) => a.toLowerCase()));

  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const lower = k.toLowerCase();
    if (keep.has(lower)) {
      out[k] = structuredClone(v);
      continue;
    }
    let value: unknown = structuredClone(v);
    if (include) {
      const sel = include.children.get(lower);
      value = sel ? pick(v, sel) : undefined;
    }
    const sel = exclude?.children.get(lower);
    if (sel && value !== undefined) value = drop(value, sel);
    if (value !== undefined && value !== REMOVED) out[k] = value;
  }
  return out;
}
