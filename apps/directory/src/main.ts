import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { directoryConfig } from './config';
import { scimErrorsForFastify } from './scim/protocol';

void startService({
  service: 'directory',
  schema: directoryConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline directory', description: 'Tenants, API keys, users, profile schema, groups and roles; SCIM 2.0 at /scim/v2' },
  // SCIM clients parse only SCIM errors, including those raised before a controller is chosen.
  configureFastify: () => (fastify) => scimErrorsForFastify(fastify),
});
