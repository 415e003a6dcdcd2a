import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { auditConfig } from './config';

void startService({
  service: 'audit',
  schema: auditConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline audit', description: 'Tenant-scoped audit log of every platform event' },
});
