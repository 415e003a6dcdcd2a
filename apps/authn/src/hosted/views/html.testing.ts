// Parses rendered pages with htmlparser2: parse5 is not installed, htmlparser2 is (a dev dependency of
// mailparser's html-to-text), and a parser checks labels, attributes and escaping better than regexes.
import { DomUtils, parseDocument } from 'htmlparser2';
import type { PageContext } from './layout';

export type El = ReturnType<typeof DomUtils.findAll>[number];

export class Dom {
  private readonly all: El[];

  constructor(readonly source: string) {
    this.all = DomUtils.findAll(() => true, parseDocument(source).children);
  }

  /** Elements by tag name and optional attribute values (`undefined` matches presence). */
  find(tag: string, where: Record<string, string | undefined> = {}, within?: El): El[] {
    const pool = within ? DomUtils.findAll(() => true, within.children) : this.all;
    return pool.filter((e) => e.name === tag && Object.entries(where).every(([k, v]) => (v === undefined ? k in e.attribs : e.attribs[k] === v)));
  }

  one(tag: string, where: Record<string, string | undefined> = {}, within?: El): El {
    const found = this.find(tag, where, within);
    if (found.length !== 1) throw new Error(`expected one <${tag}> matching ${JSON.stringify(where)}, found ${found.length}`);
    return found[0];
  }

  byId(id: string): El | undefined {
    return this.all.find((e) => e.attribs.id === id);
  }

  /** The text of the label pointing at a control. */
  labelOf(control: El): string | undefined {
    const label = this.all.find((e) => e.name === 'label' && e.attribs.for === control.attribs.id);
    return label && text(label);
  }

  /** The visible control with this form name. */
  control(name: string): El {
    const found = this.all.filter((e) => ['input', 'select', 'textarea'].includes(e.name) && e.attribs.name === name && e.attribs.type !== 'hidden');
    if (found.length !== 1) throw new Error(`expected one control named ${name}, found ${found.length}`);
    return found[0];
  }

  hidden(form: El): Record<string, string> {
    return Object.fromEntries(this.find('input', { type: 'hidden' }, form).map((i) => [i.attribs.name, i.attribs.value]));
  }

  children(parent: El): El[] {
    return parent.children.filter((n): n is El => DomUtils.isTag(n));
  }

  elements(): readonly El[] {
    return this.all;
  }
}

export const text = (e: El): string => DomUtils.textContent(e).replace(/\s+/g, ' ').trim();

/** A tenant context as a controller would build it. */
export const pageContext = (overrides: Partial<PageContext> = {}): PageContext => ({
  tenant: { slug: 'acme', name: 'Acme', logoUrl: null, primaryColor: '#336699' },
  locale: 'en',
  basePath: '/t/acme',
  csrf: 'csrf-token',
  assetsVersion: '3',
  themeVersion: 'th1',
  query: 'return_to=%2Fdone',
  ...overrides,
});
