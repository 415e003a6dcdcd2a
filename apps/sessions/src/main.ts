import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { sessionsConfig } from './config';

void startService({
  service: 'sessions',
  schema: sessionsConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline sessions', description: 'SSO sessions' },
});
