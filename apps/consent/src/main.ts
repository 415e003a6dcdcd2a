import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { consentConfig } from './config';

void startService({
  service: 'consent',
  schema: consentConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline consent', description: 'Purposes, consents, preferences and privacy requests' },
});
