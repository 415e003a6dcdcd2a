import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { directoryConfig } from './config';

void startService({
  service: 'directory',
  schema: directoryConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline directory', description: 'Tenants and API keys' },
});
