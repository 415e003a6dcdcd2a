import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OpenApiAggregator } from './openapi.aggregator';

export const OPENAPI_AGGREGATOR = Symbol('keyline:gateway:openapi');

/** Swagger UI needs inline styles and data: images; scripts come only from the gateway itself. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Keyline API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// An external script rather than inline, so that the page's CSP needs no 'unsafe-inline' scripts.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** The merged public OpenAPI document and Swagger UI rendering it, served from the gateway itself. */
@ApiExcludeController()
@Public()
@Controller()
export class DocsController {
  private readonly assets = new Map<string, Buffer>();
  private readonly root = dirname(require.resolve('swagger-ui-dist/package.json'));

  constructor(@Inject(OPENAPI_AGGREGATOR) private readonly openapi: OpenApiAggregator) {}

  @Get('openapi.json')
  async document(@Res() reply: FastifyReply) {
    const json = await this.openapi.json();
    return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(json);
  }

  @Get(['docs', 'docs/index.html'])
  page(@Res() reply: FastifyReply) {
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).send(PAGE);
  }

  @Get('docs/:asset')
  async asset(@Param('asset') name: string, @Res() reply: FastifyReply) {
    if (name === 'init.js') return reply.header('content-type', 'text/javascript; charset=utf-8').send(INIT);
    const type = ASSETS[name];
    if (!type) throw new NotFoundException('No such documentation asset');
    let body = this.assets.get(name);
    if (!body) {
      body = await readFile(join(this.root, name));
      this.assets.set(name, body);
    }
    return reply.header('content-type', type).header('cache-control', 'public, max-age=86400').send(body);
  }
}
