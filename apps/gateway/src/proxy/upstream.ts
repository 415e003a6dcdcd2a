import { PlatformErrorCode } from '@keyline/platform-http';
import { Pool } from 'undici';
import type { UpstreamName } from '../routing/route-table';

export interface UpstreamOptions {
  connections: number;
  timeoutMs: number;
  /** Consecutive connection failures after which the upstream is considered down. */
  failureThreshold?: number;
  /** How long a down upstream is failed fast before requests try it again. */
  openMs?: number;
  now?: () => number;
}

/** Why a proxied request failed, and how the client is told. */
export interface UpstreamFailure {
  code: PlatformErrorCode.BadGateway | PlatformErrorCode.ServiceUnavailable | PlatformErrorCode.GatewayTimeout;
  reason: 'refused' | 'reset' | 'timeout' | 'circuit_open' | 'other';
  /** Counts towards marking the upstream down (the service is not there, as opposed to slow). */
  connection: boolean;
}

const CONNECT_TIMEOUT_MS = 2000;

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && e.code !== 'UND_ERR') return e.code;
    e = (e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined)) as typeof e;
  }
  return undefined;
}

/** Maps a transport error to the problem the client gets (502 unreachable/reset, 504 slow). */
export function classifyUpstreamError(err: unknown): UpstreamFailure {
  const code = errorCode(err);
  if (code && TIMEOUT.has(code)) return { code: PlatformErrorCode.GatewayTimeout, reason: 'timeout', connection: false };
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { code: PlatformErrorCode.GatewayTimeout, reason: 'timeout', connection: true };
  if (code && REFUSED.has(code)) return { code: PlatformErrorCode.BadGateway, reason: 'refused', connection: true };
  if (code && RESET.has(code)) return { code: PlatformErrorCode.BadGateway, reason: 'reset', connection: true };
  return { code: PlatformErrorCode.BadGateway, reason: 'other', connection: false };
}

export const CIRCUIT_OPEN: UpstreamFailure = Object.freeze({
  code: PlatformErrorCode.ServiceUnavailable,
  reason: 'circuit_open',
  connection: false,
});

/**
 * One service behind the gateway: a keep-alive connection pool and a small circuit breaker. After
 * `failureThreshold` consecutive connection failures the upstream is failed fast for `openMs`, then
 * tried again; one success closes it.
 */
export class Upstream {
  readonly pool: Pool;
  /** Path prefix of the configured URL (a service mounted below `/`), without trailing slash. */
  readonly basePath: string;
  private failures = 0;
  private openUntil = 0;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(
    readonly name: UpstreamName,
    baseUrl: string,
    opts: UpstreamOptions,
  ) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/$/, '');
    this.threshold = opts.failureThreshold ?? 3;
    this.openMs = opts.openMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.pool = new Pool(url.origin, {
      connections: opts.connections,
      pipelining: 1,
      // Below the services' keep-alive (65 s) so the gateway, not the service, closes idle sockets.
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: Math.min(CONNECT_TIMEOUT_MS, opts.timeoutMs) },
    });
  }

  /** True while the upstream is marked down. */
  isOpen(): boolean {
    return this.openUntil !== 0 && this.now() < this.openUntil;
  }

  /** Seconds until the upstream is tried again (Retry-After). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.openUntil - this.now()) / 1000));
  }

  succeeded(): void {
    if (this.failures !== 0) {
      this.failures = 0;
      this.openUntil = 0;
    }
  }

  failed(failure: UpstreamFailure): void {
    if (!failure.connection) return;
    if (++this.failures >= this.threshold) this.openUntil = this.now() + this.openMs;
  }

  /** Lets in-flight requests finish for up to `graceMs`, then drops what is left. */
  async close(graceMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
    const outcome = await Promise.race([this.pool.close().then(() => 'closed' as const, () => 'late' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'late') await this.pool.destroy().catch(() => undefined);
  }
}
