import { createHash } from 'node:crypto';
import type { FieldError } from '@keyline/platform-http';
import {
  ATTRIBUTE_NAME,
  AttributeDefinition,
  DEFAULT_STRING_MAX,
  MAX_ALLOWED_VALUES,
  MAX_ATTRIBUTES,
  MAX_LIST_ITEMS,
  MAX_PATTERN_LENGTH,
  MAX_STRING_MAX,
} from './profile-schema.types';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Patterns come from tenant admins and run on every write of every user, so the ones that can take
 * exponential time on a crafted value (a quantified group that itself contains a quantifier or an
 * alternation, `(a+)+`, `(a|aa)*`) are refused, as are back-references and look-arounds.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern must be at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'pattern is not a valid regular expression';
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'pattern must not use back-references';
  if (/\(\?<?[=!]/.test(pattern)) return 'pattern must not use look-arounds';
  // Walk groups: a group containing a quantifier or `|`, followed by a quantifier, nests repetition.
  const stack: { inner: boolean }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // Skip a character class: quantifier characters inside it are literals.
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '(') stack.push({ inner: false });
    else if (c === ')') {
      const group = stack.pop();
      const next = pattern[i + 1];
      const quantified = next === '*' || next === '+' || next === '{' || next === '?';
      if (group?.inner && quantified && next !== '?') return 'pattern must not nest repetition (e.g. (a+)+), which can take exponential time';
      if (group?.inner && stack.length) stack[stack.length - 1].inner = true;
    } else if ((c === '*' || c === '+' || c === '{' || c === '|') && stack.length) {
      stack[stack.length - 1].inner = true;
    }
  }
  return undefined;
}

/** Problems of a schema definition itself (PUT /v1/profile-schema), as field errors. */
export function validateDefinitions(defs: AttributeDefinition[]): FieldError[] {
  const errors: FieldError[] = [];
  if (defs.length > MAX_ATTRIBUTES) errors.push({ field: 'attributes', message: `at most ${MAX_ATTRIBUTES} attributes` });
  const seen = new Set<string>();
  defs.forEach((d, i) => {
    const at = (m: string, f = '') => errors.push({ field: `attributes[${i}]${f}`, message: m });
    if (!ATTRIBUTE_NAME.test(d.name)) at(`name must match ${ATTRIBUTE_NAME.source}`, '.name');
    const key = d.name.toLowerCase();
    if (seen.has(key)) at(`name ${d.name} is defined twice (names are case-insensitive)`, '.name');
    seen.add(key);
    const textual = d.type === 'string' || d.type === 'string-list';
    if (d.pattern !== undefined) {
      if (!textual) at('pattern applies to string and string-list attributes only', '.pattern');
      else {
        const reason = unsafePatternReason(d.pattern);
        if (reason) at(reason, '.pattern');
      }
    }
    if (d.maxLength !== undefined && !textual) at('maxLength applies to string and string-list attributes only', '.maxLength');
    if (d.maxLength !== undefined && (!Number.isInteger(d.maxLength) || d.maxLength < 1 || d.maxLength > MAX_STRING_MAX)) {
      at(`maxLength must be an integer from 1 to ${MAX_STRING_MAX}`, '.maxLength');
    }
    if (d.type === 'enum' && !d.allowedValues?.length) at('an enum attribute needs allowedValues', '.allowedValues');
    if (d.allowedValues !== undefined) {
      if (d.type !== 'enum' && d.type !== 'string-list') at('allowedValues applies to enum and string-list attributes only', '.allowedValues');
      if (d.allowedValues.length > MAX_ALLOWED_VALUES) at(`at most ${MAX_ALLOWED_VALUES} allowed values`, '.allowedValues');
      if (new Set(d.allowedValues).size !== d.allowedValues.length) at('allowedValues must not repeat a value', '.allowedValues');
    }
    if (d.unique && (d.type === 'boolean' || d.type === 'string-list')) at(`a ${d.type} attribute cannot be unique`, '.unique');
  });
  return errors;
}

function isRealDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const compiled = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`, 'u');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

function checkString(d: AttributeDefinition, v: unknown, field: string, errors: FieldError[]): void {
  if (typeof v !== 'string') {
    errors.push({ field, message: `${field} must be a string` });
    return;
  }
  const max = d.maxLength ?? DEFAULT_STRING_MAX;
  if ([...v].length > max) errors.push({ field, message: `${field} must be at most ${max} characters` });
  else if (d.pattern !== undefined && !patternOf(d.pattern).test(v)) errors.push({ field, message: `${field} must match ${d.pattern}` });
  else if (d.allowedValues && d.type === 'string-list' && !d.allowedValues.includes(v)) {
    errors.push({ field, message: `${field} must be one of ${d.allowedValues.join(', ')}` });
  }
}

/** Problems of one attribute value against its definition (null is handled by the caller). */
export function checkValue(d: AttributeDefinition, v: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  switch (d.type) {
    case 'string':
      checkString(d, v, field, errors);
      break;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) errors.push({ field, message: `${field} must be a number` });
      break;
    case 'boolean':
      if (typeof v !== 'boolean') errors.push({ field, message: `${field} must be true or false` });
      break;
    case 'date':
      if (typeof v !== 'string' || !isRealDate(v)) errors.push({ field, message: `${field} must be a date (YYYY-MM-DD)` });
      break;
    case 'enum':
      if (typeof v !== 'string' || !d.allowedValues?.includes(v)) {
        errors.push({ field, message: `${field} must be one of ${(d.allowedValues ?? []).join(', ')}` });
      }
      break;
    case 'string-list': {
      const maxItems = Math.min(d.maxLength ?? MAX_LIST_ITEMS, MAX_LIST_ITEMS);
      if (!Array.isArray(v)) errors.push({ field, message: `${field} must be a list of strings` });
      else if (v.length > maxItems) errors.push({ field, message: `${field} must have at most ${maxItems} items` });
      else v.forEach((item, i) => checkString(d, item, `${field}[${i}]`, errors));
      break;
    }
  }
  return errors;
}

/**
 * Validates the custom attributes of a write against the tenant's schema.
 *
 * - `next` is the complete attribute bag after the write; `touched` the attribute names the write set
 *   or removed (all of them on create).
 * - Unknown attributes are refused. Only touched attributes are checked, so tightening the schema
 *   (a new required attribute, a narrower pattern) never breaks writes that do not touch them:
 *   new rules apply to new writes.
 * - Required attributes: on create they must be present; on update they must not be removed.
 */
export function validateAttributes(
  defs: AttributeDefinition[],
  next: Record<string, unknown>,
  touched: Iterable<string>,
  mode: 'create' | 'update',
): FieldError[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const errors: FieldError[] = [];
  for (const name of touched) {
    const field = `attributes.${name}`;
    const d = byName.get(name);
    if (!d) {
      errors.push({ field, message: `${name} is not an attribute of this tenant's profile schema` });
      continue;
    }
    const v = next[name];
    if (v === undefined || v === null) {
      if (d.required) errors.push({ field, message: `${field} is required` });
      continue;
    }
    errors.push(...checkValue(d, v, field));
  }
  if (mode === 'create') {
    for (const d of defs) if (d.required && (next[d.name] === undefined || next[d.name] === null) && !errors.some((e) => e.field === `attributes.${d.name}`)) {
      errors.push({ field: `attributes.${d.name}`, message: `attributes.${d.name} is required` });
    }
  }
  return errors;
}

/** The value as stored in the unique index: case-insensitive for text, canonical for numbers and dates. */
export function uniqueKeyOf(d: AttributeDefinition, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const text = typeof v === 'string' ? (d.type === 'string' ? v.normalize('NFKC').toLowerCase() : v) : JSON.stringify(v);
  // Long values are indexed by digest: the key column is bounded, the uniqueness is not.
  return text.length <= 256 ? text : `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
