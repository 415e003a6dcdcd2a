/**
 * Typed, validated configuration read once at boot. Each app declares a schema of fields; `loadConfig`
 * reads them from an environment object, collects every problem and throws one error listing all of
 * them, so a misconfigured deployment fails fast with the whole picture.
 */
export interface FieldSpec<T> {
  /** Environment variable name. */
  env: string;
  /** Human description, rendered into the README configuration table. */
  doc: string;
  /** Default when the variable is unset or empty; omit to make the variable required. */
  default?: T;
  /** Parses the raw string; throws an Error whose message explains what is expected. */
  parse: (raw: string) => T;
  /** Never printed (secrets). */
  secret?: boolean;
}

export type ConfigSchema = Record<string, FieldSpec<unknown>>;
export type ConfigOf<S extends ConfigSchema> = { [K in keyof S]: S[K] extends FieldSpec<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates `schema` from `env`; throws ConfigError listing every problem. */
export function loadConfig<S extends ConfigSchema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      if ('default' in spec) out[key] = spec.default;
      else problems.push(`${spec.env} is required (${spec.doc})`);
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (err) {
      const shown = spec.secret ? '<secret>' : JSON.stringify(raw);
      problems.push(`${spec.env}=${shown}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

const field =
  <T>(parse: (raw: string) => T) =>
  (env: string, doc: string, opts: { default?: T; secret?: boolean } = {}): FieldSpec<T> => ({
    env,
    doc,
    parse,
    ...opts,
  });

export const str = field((raw) => raw);

export const int = (env: string, doc: string, opts: { default?: number; min?: number; max?: number } = {}) =>
  field((raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error('expected an integer');
    const n = Number(raw);
    if (opts.min !== undefined && n < opts.min) throw new Error(`must be at least ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw new Error(`must be at most ${opts.max}`);
    return n;
  })(env, doc, { default: opts.default });

export const bool = field((raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error('expected true or false');
});

export const url = (protocols: string[]) =>
  field((raw) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error('expected a URL');
    }
    if (!protocols.includes(u.protocol.replace(/:$/, ''))) throw new Error(`expected a ${protocols.join(' or ')} URL`);
    return raw.replace(/\/$/, '');
  });

export const list = field((raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const oneOf = <T extends string>(values: readonly T[]) =>
  field((raw) => {
    if (!values.includes(raw as T)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw as T;
  });

/** Makes a field optional: unset means `undefined`. */
export const optional = <T>(spec: FieldSpec<T>): FieldSpec<T | undefined> => ({ ...spec, default: undefined });
