const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Markup that is safe to emit as is: built by `html`, or vouched for with `raw`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks a fragment as already safe. Never pass it anything that contains user input. */
export const raw = (markup: string): Html => new Html(markup);

/** What may be interpolated: text is escaped, `Html` is kept, nothing is rendered for false, null and undefined. */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === false || value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

/** Tagged template that escapes every interpolated value unless it is `Html`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  return new Html(strings.reduce((out, s, i) => out + render(values[i - 1]) + s));
}

export type AttrValue = string | number | boolean | null | undefined;

/**
 * Renders attributes with a leading space each: `true` as a bare boolean attribute, `false`, null and
 * undefined not at all, anything else quoted and escaped. Names come from code, never from input.
 */
export function attrs(values: Record<string, AttrValue>): Html {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`invalid attribute name: ${name}`);
    if (value === true) out += ` ${name}`;
    else if (value !== false && value !== null && value !== undefined) out += ` ${name}="${escapeHtml(String(value))}"`;
  }
  return raw(out);
}
