import type { ConfigSchema, FieldSpec } from './config';

function shownDefault(spec: FieldSpec<unknown>): string {
  if (!('default' in spec)) return '*(required)*';
  if (spec.default === undefined) return '*(unset)*';
  if (spec.secret) return '*(development value)*';
  const v = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
  return v === '' ? '*(empty)*' : `\`${v}\``;
}

/** Markdown table of every variable of the given services' schemas (the README's configuration table). */
export function renderConfigTable(schemas: Record<string, ConfigSchema>): string {
  const rows = new Map<string, { services: string[]; spec: FieldSpec<unknown> }>();
  for (const [service, schema] of Object.entries(schemas)) {
    for (const spec of Object.values(schema)) {
      const id = `${spec.env}\u0000${spec.doc}\u0000${shownDefault(spec)}`;
      const row = rows.get(id) ?? { services: [], spec };
      row.services.push(service);
      rows.set(id, row);
    }
  }
  const all = Object.keys(schemas).length;
  const lines = [...rows.values()]
    .sort((a, b) => a.spec.env.localeCompare(b.spec.env) || a.services[0].localeCompare(b.services[0]))
    .map(({ services, spec }) => {
      const who = services.length === all ? 'all' : services.join(', ');
      return `| \`${spec.env}\` | ${who} | ${shownDefault(spec)} | ${spec.doc.replace(/\|/g, '\\|')} |`;
    });
  return ['| variable | services | default | meaning |', '| --- | --- | --- | --- |', ...lines].join('\n');
}
