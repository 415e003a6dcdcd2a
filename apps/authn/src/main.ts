import fastifyCookie from '@fastify/cookie';
import { startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { authnConfig } from './config';

/**
 * Hosted pages post HTML forms (`/t/{slug}/<page>`, parsed by Nest's urlencoded parser); the flow API
 * under `/t/{slug}/v1` stays JSON-only.
 */
const HOSTED_FORM = /^\/t\/[a-z0-9-]+\/(?!v1\/)[a-z0-9/-]+(?:\?|$)/;

void startService({
  service: 'authn',
  schema: authnConfig,
  module: (rt) => AppModule.register(rt),
  openapi: { title: 'Keyline authn', description: 'Credentials, MFA, hosted login, sign-in flows, self-service and the OAuth 2 / OpenID Connect provider' },
  jsonBodiesOnly: { except: (url) => HOSTED_FORM.test(url) },
  configureFastify: () => async (fastify) => {
    await fastify.register(fastifyCookie);
  },
});
