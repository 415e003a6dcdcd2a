import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { authnConfig } from './config';

void startService({
  service: 'authn',
  schema: authnConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline authn', description: 'Credentials, MFA, hosted login and the OAuth 2 / OpenID Connect provider' },
});
