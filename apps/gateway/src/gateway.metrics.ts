import type { Metrics } from '@keyline/platform-observability';
import { Counter } from 'prom-client';
import type { KeySource } from './auth/api-key.resolver';

/** Gateway-specific Prometheus series, next to the platform's request histogram. */
export class GatewayMetrics {
  readonly upstreamErrors: Counter<'upstream' | 'reason'>;
  readonly authRejections: Counter<'reason'>;
  readonly rateLimited: Counter<'scope'>;
  readonly rateLimiterUnavailable: Counter;
  private readonly keyLookups: Record<KeySource, Counter.Internal>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.upstreamErrors = new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Proxied requests that failed at the transport level, by upstream and reason',
      labelNames: ['upstream', 'reason'] as const,
      registers,
    });
    this.authRejections = new Counter({
      name: 'gateway_auth_rejections_total',
      help: 'Requests refused by API key authentication, by reason',
      labelNames: ['reason'] as const,
      registers,
    });
    this.rateLimited = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by bucket scope',
      labelNames: ['scope'] as const,
      registers,
    });
    this.rateLimiterUnavailable = new Counter({
      name: 'gateway_rate_limiter_unavailable_total',
      help: 'Requests let through without a rate-limit decision because Redis was unavailable',
      registers,
    });
    const lookups = new Counter({
      name: 'gateway_api_key_lookups_total',
      help: 'API key resolutions by where the answer came from',
      labelNames: ['source'] as const,
      registers,
    });
    // Children are resolved once: the hot path only increments.
    this.keyLookups = { memory: lookups.labels('memory'), redis: lookups.labels('redis'), directory: lookups.labels('directory') };
  }

  lookup(source: KeySource): void {
    this.keyLookups[source].inc();
  }
}
