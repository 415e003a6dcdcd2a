import type { Logger } from '@keyline/platform-observability';
import { UPSTREAMS, UpstreamName } from '../routing/route-table';
import type { Upstream } from '../proxy/upstream';
import { mergeOpenApi } from './openapi.merge';

const FETCH_TIMEOUT_MS = 2000;
const REFRESH_MS = 60_000;
const RETRY_MS = 5000;

type Json = Record<string, unknown>;

/**
 * Keeps the merged public OpenAPI document: fetched from every service's /openapi.json, refreshed in
 * the background, and quicker to retry while a service is missing. A service that is down keeps
 * its last good document, or is left out until it answers.
 */
export class OpenApiAggregator {
  private readonly docs = new Map<UpstreamName, Json>();
  private merged: string | undefined;
  private refreshing: Promise<void> | undefined;
  private lastAttempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly upstreams: Record<UpstreamName, Upstream>,
    private readonly publicUrl: string,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void this.refresh();
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The merged document as JSON text. Only the very first request waits for the services; later ones
   * get the current document while a missing service is retried in the background.
   */
  async json(): Promise<string> {
    if (!this.merged) await this.refresh();
    else if (this.missing().length && Date.now() - this.lastAttempt >= RETRY_MS) void this.refresh();
    return this.merged ?? this.render();
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.fetchAll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private missing(): UpstreamName[] {
    return UPSTREAMS.filter((s) => !this.docs.has(s));
  }

  private schedule(): void {
    this.timer = setTimeout(
      () => {
        void this.refresh().finally(() => {
          if (this.timer) this.schedule();
        });
      },
      this.missing().length ? RETRY_MS : REFRESH_MS,
    );
    this.timer.unref();
  }

  private async fetchAll(): Promise<void> {
    this.lastAttempt = Date.now();
    await Promise.all(
      UPSTREAMS.map(async (service) => {
        try {
          this.docs.set(service, await this.fetchOne(this.upstreams[service]));
        } catch (err) {
          this.logger.debug({ service, err: (err as Error).message }, 'OpenAPI document unavailable');
        }
      }),
    );
    this.merged = this.render();
  }

  private async fetchOne(upstream: Upstream): Promise<Json> {
    const res = await upstream.pool.request({
      method: 'GET',
      path: `${upstream.basePath}/openapi.json`,
      headers: { accept: 'application/json' },
      headersTimeout: FETCH_TIMEOUT_MS,
      bodyTimeout: FETCH_TIMEOUT_MS,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`status ${res.statusCode}`);
    }
    const doc = (await res.body.json()) as Json;
    if (!doc || typeof doc !== 'object' || typeof doc.paths !== 'object') throw new Error('not an OpenAPI document');
    return doc;
  }

  private render(): string {
    const sources = [...this.docs].map(([service, doc]) => ({ service, doc }));
    return JSON.stringify(mergeOpenApi(sources, { publicUrl: this.publicUrl, unavailable: this.missing() }));
  }
}
