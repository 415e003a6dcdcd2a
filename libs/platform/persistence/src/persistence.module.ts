import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import type { ConfigOf, databaseFields } from '@keyline/platform-config';
import { HealthRegistry, ShutdownCoordinator, ShutdownPhase } from '@keyline/platform-http';
import { DataSource } from 'typeorm';
import { DatabaseOptions, openDatabase } from './data-source';

@Global()
@Module({})
export class PersistenceModule implements OnModuleInit {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    private readonly health: HealthRegistry,
    private readonly shutdown: ShutdownCoordinator,
  ) {}

  /** The service's own database from its validated `databaseFields` configuration. */
  static forService(
    service: string,
    config: ConfigOf<ReturnType<typeof databaseFields>>,
    opts: Pick<DatabaseOptions, 'entities' | 'migrations'>,
  ): DynamicModule {
    return PersistenceModule.forRoot({ service, url: config.databaseUrl, dataDir: config.dataDir, logging: config.databaseLogging, ...opts });
  }

  /** Opens (and migrates) the service's own database; `DataSource` becomes injectable. */
  static forRoot(opts: DatabaseOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [{ provide: DataSource, useFactory: () => openDatabase(opts) }],
      exports: [DataSource],
    };
  }

  onModuleInit(): void {
    this.health.register({
      name: 'database',
      check: async () => {
        await this.ds.query('SELECT 1');
      },
    });
    this.shutdown.add(ShutdownPhase.CloseStores, 'database', () => this.ds.destroy());
  }
}
