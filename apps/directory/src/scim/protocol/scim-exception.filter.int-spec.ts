import 'reflect-metadata';
import { Body, Controller, Get, Global, Module, Post, UseFilters } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LOGGER, PlatformErrorCode, PlatformException, ProblemFilter, acceptJsonBodiesOnly } from '@keyline/platform-http';
import type { FastifyInstance } from 'fastify';
import { parseFilter } from './filter.parser';
import { ScimExceptionFilter, scimErrorsForFastify } from './scim-exception.filter';
import { SCIM_ERROR_SCHEMA } from './scim.exception';

// The platform's global ProblemFilter is in place, as in every Keyline service.
@Global()
@Module({ providers: [{ provide: LOGGER, useValue: { error: () => undefined } }, { provide: APP_FILTER, useClass: ProblemFilter }], exports: [LOGGER] })
class PlatformStandIn {}

@Controller('scim/v2')
@UseFilters(ScimExceptionFilter)
class ScimController {
  @Get('Users')
  list(): void {
    parseFilter('userName eq');
  }

  @Get('Groups')
  groups(): void {
    throw new PlatformException(PlatformErrorCode.Conflict, 'displayName is taken');
  }

  @Get('boom')
  boom(): void {
    throw new Error('connection to 10.0.0.1 refused');
  }

  @Post('Users')
  create(@Body() body: unknown): unknown {
    return body;
  }
}

@Controller('v1')
class ManagementController {
  @Get('boom')
  boom(): void {
    throw new Error('x');
  }
}

@Module({ imports: [PlatformStandIn], controllers: [ScimController, ManagementController] })
class TestModule {}

describe('SCIM errors through Nest and Fastify', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    const adapter = new FastifyAdapter({ logger: false, bodyLimit: 200 });
    const fastify = adapter.getInstance() as unknown as FastifyInstance;
    acceptJsonBodiesOnly(fastify);
    scimErrorsForFastify(fastify);
    app = await NestFactory.create<NestFastifyApplication>(TestModule, adapter, { logger: false });
    await app.init();
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => app.close());

  async function call(path: string, init: RequestInit = {}) {
    const res = await fetch(`${base}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
  }
  const scim = (contentType: string) => ({ method: 'POST', headers: { 'content-type': contentType } });

  it.each([
    ['an invalid filter', '/scim/v2/Users', {}, 400, { scimType: 'invalidFilter', detail: "Invalid filter: expected a value after 'eq' at position 12, found end of input" }],
    ['a conflict', '/scim/v2/Groups', {}, 409, { scimType: 'uniqueness', detail: 'displayName is taken' }],
    ['an unexpected error', '/scim/v2/boom', {}, 500, { detail: 'Internal error' }],
    ['malformed JSON', '/scim/v2/Users', { ...scim('application/scim+json'), body: '{"userName":' }, 400, { scimType: 'invalidSyntax', detail: 'Request body is not valid JSON' }],
    ['a form body', '/scim/v2/Users', { ...scim('application/x-www-form-urlencoded'), body: 'a=b' }, 415, {}],
    ['a body over the limit', '/scim/v2/Users', { ...scim('application/scim+json'), body: JSON.stringify({ a: 'x'.repeat(300) }) }, 413, {}],
    ['an unknown resource type', '/scim/v2/Widgets', {}, 404, { detail: 'Cannot GET /scim/v2/Widgets' }],
  ])('answers %s on a SCIM route as a SCIM error', async (_, path, init, status, expected) => {
    const res = await call(path, init as RequestInit);
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...expected });
    expect(JSON.stringify(res.body)).not.toContain('10.0.0.1');
  });

  it('leaves the problem+json errors of other routes alone', async () => {
    const res = await call('/v1/boom');
    expect(res.status).toBe(500);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'internal_error' });
  });
});
