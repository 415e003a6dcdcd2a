import { ServiceRuntime, startService } from '@keyline/platform-http';
import { AppModule } from './app.module';
import { GatewayConfig, gatewayConfig } from './config';
import { GatewayRuntime } from './gateway.runtime';

// Built once: the raw proxy routes (configureFastify, before Nest) and the Nest module share it.
let runtime: GatewayRuntime | undefined;
const gateway = (rt: ServiceRuntime<GatewayConfig>) => (runtime ??= new GatewayRuntime(rt));

void startService({
  service: 'gateway',
  schema: gatewayConfig,
  bodyLimit: (config) => config.bodyLimitBytes,
  // Bodies pass through untouched; each service enforces its own media types (OIDC takes forms).
  jsonBodiesOnly: false,
  // Fastify's own req.ip/protocol/hostname believe X-Forwarded-* only when TRUST_PROXY lets some hop
  // set them; the proxy still walks the chain itself (clientAddress) for hop counts and CIDR lists.
  trustProxy: (config) => config.trustProxy.kind !== 'none',
  module: (rt) => AppModule.register(rt, gateway(rt)),
  configureFastify: (rt) => (fastify) => gateway(rt).configureFastify(fastify),
});
