import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HealthRegistry, ShutdownCoordinator, ShutdownPhase } from '@keyline/platform-http';
import { GatewayRuntime } from './gateway.runtime';
import { UPSTREAMS } from './routing/route-table';

export const GATEWAY_RUNTIME = Symbol('keyline:gateway:runtime');

const UPSTREAM_CHECK_TIMEOUT_MS = 1000;

/**
 * Readiness: Redis is critical (no key checks or rate limits without it); upstreams are reported but
 * do not take the gateway out of rotation, since every other route still works. Shutdown closes the
 * pools and Redis after the HTTP server drained.
 */
@Injectable()
export class GatewayLifecycle implements OnModuleInit {
  constructor(
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly health: HealthRegistry,
    private readonly shutdown: ShutdownCoordinator,
  ) {}

  async onModuleInit(): Promise<void> {
    const { redis, upstreams } = this.runtime;
    this.health.register({
      name: 'redis',
      check: async () => {
        await redis.ping();
      },
    });
    for (const name of UPSTREAMS) {
      const upstream = upstreams[name];
      this.health.register({
        name,
        critical: false,
        check: async () => {
          const res = await upstream.pool.request({
            method: 'GET',
            path: `${upstream.basePath}/health/live`,
            headersTimeout: UPSTREAM_CHECK_TIMEOUT_MS,
            bodyTimeout: UPSTREAM_CHECK_TIMEOUT_MS,
          });
          await res.body.dump();
          if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        },
      });
    }
    this.shutdown.add(ShutdownPhase.CloseStores, 'gateway', () => this.runtime.stop());
    await this.runtime.start();
  }
}
