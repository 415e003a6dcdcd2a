import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER } from '@keyline/platform-http';
import { TRACE_HEADER } from '@keyline/platform-observability';

type Headers = Record<string, string | string[] | undefined>;
export type OutgoingHeaders = Record<string, string | string[]>;

/** Hop-by-hop headers (RFC 9110 §7.6.1 and the usual non-standard ones): never passed on either way. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
];

/**
 * Request headers not passed upstream: hop-by-hop ones and those the gateway sets itself. `host` and
 * `content-length` are recomputed for the upstream request; `expect` is answered here, not forwarded.
 */
const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP,
  'proxy-authorization',
  'host',
  'content-length',
  'expect',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  TRACE_HEADER,
]);

/** Response headers that are hop-by-hop. */
const NOT_RETURNED = new Set(HOP_BY_HOP);

/** Any `x-keyline-*` header: internal between gateway and services, never from or to a client. */
const isInternal = (name: string) => name.startsWith('x-keyline-');

/** Extra header names a sender declared hop-by-hop in `Connection` (RFC 9110 §7.6.1). */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  // The usual values name no extra header: no splitting, no Set.
  if (typeof value === 'string' && value.length <= 10) {
    const v = value.toLowerCase();
    if (v === 'keep-alive' || v === 'close') return undefined;
  }
  const tokens = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t && t !== 'close' && t !== 'keep-alive');
  return tokens.length ? new Set(tokens) : undefined;
}

export interface ForwardContext {
  requestId: string;
  clientIp: string;
  proto: string;
  host: string | undefined;
  internalToken: string;
  /** Encoded principal of an authenticated API key (`encodePrincipal`). */
  principal?: string;
  /** The API key stays at the gateway: services only ever see the principal. */
  dropAuthorization: boolean;
}

/** Headers for the upstream request: end-to-end headers of the client plus the gateway's own. */
export function upstreamRequestHeaders(incoming: Headers, ctx: ForwardContext): OutgoingHeaders {
  const extra = connectionTokens(incoming.connection);
  const out: OutgoingHeaders = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || NOT_FORWARDED.has(name) || isInternal(name) || extra?.has(name)) continue;
    if (ctx.dropAuthorization && name === 'authorization') continue;
    out[name] = value;
  }
  out[TRACE_HEADER] = ctx.requestId;
  out['x-forwarded-for'] = ctx.clientIp;
  out['x-forwarded-proto'] = ctx.proto;
  if (ctx.host) out['x-forwarded-host'] = ctx.host;
  out[INTERNAL_TOKEN_HEADER] = ctx.internalToken;
  if (ctx.principal) out[PRINCIPAL_HEADER] = ctx.principal;
  return out;
}

/**
 * Headers of the upstream response as the client gets them. CORS is decided here, so upstream
 * `access-control-*` headers are dropped; `x-keyline-*` never leaves the platform.
 */
export function clientResponseHeaders(upstream: Headers): OutgoingHeaders {
  const extra = connectionTokens(upstream.connection);
  const out: OutgoingHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || NOT_RETURNED.has(name) || isInternal(name) || extra?.has(name)) continue;
    if (name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  return out;
}
