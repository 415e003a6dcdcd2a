import { startService } from '@keyline/platform-http';
import { stubConfig } from './config';
import { StubModule } from './stub.module';

// Laid out as dist/apps/gateway/src/testing/stub/src/main.js so that startServiceProcess can run it.
void startService({
  service: 'gateway-stub',
  schema: stubConfig,
  module: (rt) => StubModule.register(rt),
  openapi: { title: 'Keyline gateway stand-in', description: 'Directory slice and echo routes for gateway tests' },
  bodyLimit: () => 32 * 1024 * 1024,
  jsonBodiesOnly: { except: (url) => url.startsWith('/v1/sessions/_echo') || url.startsWith('/t/') },
  configureFastify: () => (fastify) => {
    fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  },
});
