import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { HealthRegistry, ShutdownCoordinator, ShutdownPhase } from '@keyline/platform-http';
import Redis from 'ioredis';

export const REDIS = Symbol('keyline:redis');

/** A Redis client that fails fast (no offline queue) so callers can degrade instead of hanging. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: `keyline-${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
  });
}

@Global()
@Module({})
export class RedisModule implements OnModuleInit {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthRegistry,
    private readonly shutdown: ShutdownCoordinator,
  ) {}

  static forRoot(url: string, service: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          useFactory: async () => {
            const redis = createRedis(url, service);
            // Errors surface through commands and readiness; an unhandled 'error' event would crash.
            redis.on('error', () => undefined);
            await new Promise<void>((resolve) => {
              if (redis.status === 'ready') return resolve();
              const t = setTimeout(resolve, 3000);
              redis.once('ready', () => {
                clearTimeout(t);
                resolve();
              });
            });
            return redis;
          },
        },
      ],
      exports: [REDIS],
    };
  }

  onModuleInit(): void {
    this.health.register({
      name: 'redis',
      check: async () => {
        await this.redis.ping();
      },
    });
    this.shutdown.add(ShutdownPhase.CloseStores, 'redis', async () => {
      await this.redis.quit().catch(() => this.redis.disconnect());
    });
  }
}
