import { RouteSpec, UpstreamName, matchRoute } from '../routing/route-table';

type Json = Record<string, unknown>;

export interface ServiceDocument {
  service: UpstreamName;
  doc: Json;
}

export interface MergeOptions {
  publicUrl: string;
  /** Services whose document could not be fetched (listed in `x-keyline-unavailable`). */
  unavailable?: UpstreamName[];
}

export const SECURITY_SCHEME = 'apiKey';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const SCHEMA_REF = '#/components/schemas/';

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Rewrites `$ref`s to renamed schemas, deeply, without touching the input. */
function renameRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)) {
      const target = renames.get(v.slice(SCHEMA_REF.length));
      out[k] = target ? SCHEMA_REF + target : v;
    } else {
      out[k] = renameRefs(v, renames);
    }
  }
  return out;
}

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable machine-readable error code' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    traceId: { type: 'string' },
  },
};

const problem = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: { $ref: `${SCHEMA_REF}GatewayProblem` } } },
});

const GATEWAY_RESPONSES = {
  GatewayUnauthorized: problem('Missing, malformed, unknown or revoked API key', {
    'WWW-Authenticate': { schema: { type: 'string' } },
  }),
  GatewayTooManyRequests: problem('Rate limit exceeded', {
    'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' },
  }),
  GatewayPayloadTooLarge: problem('Request body larger than the gateway accepts'),
  GatewayUnavailable: problem('The owning service is unreachable, unavailable or too slow (502, 503, 504)'),
};

/**
 * One OpenAPI 3.1 document for the whole public surface: each service contributes the paths the
 * gateway routes to it (internal, health and metrics routes fall away), schema names that collide
 * are prefixed with the service, and API-key routes carry the bearer scheme and the gateway's own
 * error responses.
 */
export function mergeOpenApi(sources: ServiceDocument[], opts: MergeOptions): Json {
  const paths: Json = {};
  const schemas: Json = { GatewayProblem: PROBLEM_SCHEMA };
  const securitySchemes: Json = {
    [SECURITY_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'kl_...',
      description: 'Keyline API key: `Authorization: Bearer kl_...`',
    },
  };
  const tags = new Map<string, Json>();

  for (const { service, doc } of [...sources].sort((a, b) => a.service.localeCompare(b.service))) {
    const components = isObject(doc.components) ? doc.components : {};
    const own = isObject(components.schemas) ? components.schemas : {};
    const renames = new Map<string, string>();
    for (const [name, schema] of Object.entries(own)) {
      const existing = schemas[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(renameRefs(schema, renames))) {
        renames.set(name, `${capitalise(service)}${name}`);
      }
    }
    for (const [name, schema] of Object.entries(own)) schemas[renames.get(name) ?? name] = renameRefs(schema, renames);
    if (isObject(components.securitySchemes)) {
      for (const [name, scheme] of Object.entries(components.securitySchemes)) {
        if (!(name in securitySchemes)) securitySchemes[name] = scheme;
      }
    }
    for (const tag of Array.isArray(doc.tags) ? doc.tags : []) {
      if (isObject(tag) && typeof tag.name === 'string' && !tags.has(tag.name)) tags.set(tag.name, tag);
    }
    for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
      const route = matchRoute(path);
      if (!route || route.upstream !== service || !isObject(item)) continue;
      paths[path] = decoratePathItem(renameRefs(item, renames) as Json, route);
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyline API',
      version: '1.0.0',
      description:
        'Customer identity platform. Management and SCIM calls carry `Authorization: Bearer <api-key>`; ' +
        'OAuth 2 / OpenID Connect endpoints live under each tenant issuer `/t/{slug}`. Errors are RFC 9457 problem details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: opts.publicUrl }],
    security: [{ [SECURITY_SCHEME]: [] }],
    tags: [...tags.values()].sort((a, b) => String(a.name).localeCompare(String(b.name))),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas, responses: GATEWAY_RESPONSES, securitySchemes },
    ...(opts.unavailable?.length ? { 'x-keyline-unavailable': opts.unavailable } : {}),
  };
}

function decoratePathItem(item: Json, route: RouteSpec): Json {
  const out: Json = { ...item };
  for (const [method, op] of Object.entries(item)) {
    if (!METHODS.has(method) || !isObject(op)) continue;
    const responses: Json = isObject(op.responses) ? { ...op.responses } : {};
    const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
    if (route.auth === 'api-key') {
      responses['401'] ??= ref('GatewayUnauthorized');
      responses['413'] ??= ref('GatewayPayloadTooLarge');
    }
    responses['429'] ??= ref('GatewayTooManyRequests');
    responses['503'] ??= ref('GatewayUnavailable');
    out[method] = {
      ...op,
      // API-key routes use the gateway's scheme whatever the service named it; the owner of a
      // passthrough route describes its own (OAuth client authentication, user tokens) or none.
      security: route.auth === 'api-key' ? [{ [SECURITY_SCHEME]: [] }] : Array.isArray(op.security) ? op.security : [],
      responses,
    };
  }
  return out;
}
