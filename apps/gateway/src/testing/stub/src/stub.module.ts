import { DynamicModule, Module } from '@nestjs/common';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { REDIS, RedisModule } from '@keyline/platform-persistence';
import type Redis from 'ioredis';
import type { StubConfig } from './config';
import { STUB_KEYS, StubDirectoryController, StubEchoController } from './stub.controllers';
import { StubKeys } from './stub.keys';

/** A stand-in upstream for gateway tests and the benchmark (a directory slice plus echo routes). */
@Module({})
export class StubModule {
  static register({ config, logger, metrics }: ServiceRuntime<StubConfig>): DynamicModule {
    return {
      module: StubModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'gateway-stub', internalToken: config.internalToken, logger, metrics }),
        RedisModule.forRoot(config.redisUrl, 'gateway-stub'),
      ],
      controllers: [StubDirectoryController, StubEchoController],
      providers: [
        {
          provide: STUB_KEYS,
          useFactory: (redis: Redis) => new StubKeys(redis, config.platformAdminApiKey),
          inject: [REDIS],
        },
      ],
    };
  }
}
