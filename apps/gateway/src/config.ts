import { ConfigOf, FieldSpec, int, list, redisFields, serviceFields, url } from '@keyline/platform-config';
import { TrustProxy, parseTrustProxy } from './proxy/client-address';

const upstream = (service: string, port: number) =>
  url(['http', 'https'])(`${service.toUpperCase()}_URL`, `Base URL of the ${service} service`, {
    default: `http://127.0.0.1:${port}`,
  });

const trustProxy: FieldSpec<TrustProxy> = {
  env: 'TRUST_PROXY',
  doc:
    'Which hops in front of the gateway may set X-Forwarded-For/-Proto/-Host: false (none, the default: ' +
    'the gateway is the edge), true (all), a hop count, or a comma-separated list of proxy IPs/CIDRs',
  default: parseTrustProxy('false'),
  parse: parseTrustProxy,
};

export const gatewayConfig = {
  ...serviceFields,
  ...redisFields,
  port: int('PORT', 'HTTP port of the gateway', { default: 8080, min: 0, max: 65535 }),
  directoryUrl: upstream('directory', 8081),
  authnUrl: upstream('authn', 8082),
  consentUrl: upstream('consent', 8083),
  sessionsUrl: upstream('sessions', 8084),
  auditUrl: upstream('audit', 8085),
  bodyLimitBytes: int('BODY_LIMIT_BYTES', 'Largest accepted request body in bytes (413 above)', {
    default: 1024 * 1024,
    min: 1024,
  }),
  importBodyLimitBytes: int(
    'IMPORT_BODY_LIMIT_BYTES',
    'Largest accepted bulk upload (POST /v1/users/imports) in bytes, streamed to the directory instead of buffered (413 above)',
    { default: 512 * 1024 * 1024, min: 1024 },
  ),
  upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 'Time an upstream has for response headers, and between body chunks (504 after)', {
    default: 15_000,
    min: 100,
  }),
  upstreamConnections: int('UPSTREAM_CONNECTIONS', 'Keep-alive connections per upstream service', { default: 64, min: 1 }),
  rateLimitKeyPerSecond: int('RATE_LIMIT_KEY_PER_SECOND', 'Sustained requests per second per API key', { default: 200, min: 1 }),
  rateLimitKeyBurst: int('RATE_LIMIT_KEY_BURST', 'Burst size per API key', { default: 400, min: 1 }),
  rateLimitIpPerSecond: int(
    'RATE_LIMIT_IP_PER_SECOND',
    'Sustained requests per second per client IP without a valid API key (OIDC, hosted pages, failed keys)',
    { default: 100, min: 1 },
  ),
  rateLimitIpBurst: int('RATE_LIMIT_IP_BURST', 'Burst size per client IP without a valid API key', { default: 200, min: 1 }),
  rateLimitIpKeyedPerSecond: int(
    'RATE_LIMIT_IP_KEYED_PER_SECOND',
    'Sustained requests per second per client IP across all API keys it uses (ceiling above the per-key limit)',
    { default: 2000, min: 1 },
  ),
  rateLimitIpKeyedBurst: int('RATE_LIMIT_IP_KEYED_BURST', 'Burst size per client IP across all API keys', {
    default: 4000,
    min: 1,
  }),
  apiKeyCacheTtlMs: int(
    'API_KEY_CACHE_TTL_MS',
    'Lifetime of a resolved API key in the in-process cache; bounds revocation delay when a pub/sub message is lost',
    { default: 500, min: 0, max: 1000 },
  ),
  apiKeyCacheSize: int('API_KEY_CACHE_SIZE', 'Entries of the in-process API key cache', { default: 10_000, min: 0 }),
  corsOrigins: list('CORS_ORIGINS', 'Browser origins allowed to call /v1 (comma-separated; * for any)', { default: [] }),
  trustProxy,
};

export type GatewayConfig = ConfigOf<typeof gatewayConfig>;
