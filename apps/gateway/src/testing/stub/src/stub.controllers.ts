import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { All, Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { API_KEY_RESOLVE_PATH, TENANT_SLUG_PATTERN } from '@keyline/directory-contracts';
import { Access, Caller, PlatformErrorCode, PlatformException, Principal, Public, hasScope } from '@keyline/platform-http';
import { ArrayNotEmpty, IsArray, IsString, Length, Matches } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StubKeys } from './stub.keys';

export const STUB_KEYS = Symbol('stub-keys');

export class StubTenantCreateDto {
  @Matches(TENANT_SLUG_PATTERN)
  slug: string;

  @IsString()
  @Length(1, 200)
  name: string;
}

export class StubKeyCreateDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  scopes: string[];
}

export class StubResolveDto {
  @Matches(/^[0-9a-f]{64}$/)
  hash: string;
}

/** The slice of the directory's public contract that gateway tests and the benchmark rely on. */
@ApiTags('stub-directory')
@Controller()
export class StubDirectoryController {
  constructor(@Inject(STUB_KEYS) private readonly keys: StubKeys) {}

  @Post('v1/tenants')
  @Access('platform')
  @HttpCode(201)
  createTenant(@Body() dto: StubTenantCreateDto) {
    const tenant = this.keys.createTenant(dto.slug, dto.name);
    if (!tenant) throw new PlatformException(PlatformErrorCode.Conflict, 'Slug taken');
    return { ...tenant, issuer: `http://localhost:8080/t/${tenant.slug}` };
  }

  @Post('v1/tenants/:slug/api-keys')
  @Access('any')
  @HttpCode(201)
  createKey(@Caller() caller: Principal, @Param('slug') slug: string, @Body() dto: StubKeyCreateDto) {
    return this.keys.createKey(this.ownTenant(caller, slug), dto.name, dto.scopes);
  }

  @Delete('v1/tenants/:slug/api-keys/:id')
  @Access('any')
  @HttpCode(204)
  async revokeKey(@Caller() caller: Principal, @Param('slug') slug: string, @Param('id') id: string) {
    if (!(await this.keys.revoke(this.ownTenant(caller, slug), id))) throw new PlatformException(PlatformErrorCode.NotFound, 'No such key');
  }

  @Get('v1/whoami')
  @Access('any')
  whoami(@Caller() caller: Principal) {
    return caller;
  }

  @Post(API_KEY_RESOLVE_PATH)
  @Access('internal')
  @HttpCode(200)
  resolve(@Body() dto: StubResolveDto) {
    return this.keys.resolve(dto.hash);
  }

  private ownTenant(caller: Principal, slug: string) {
    const tenant = this.keys.tenant(slug);
    const mine = caller.kind === 'platform' || (caller.tenantSlug === slug && hasScope(caller, 'admin'));
    if (!tenant || !mine) throw new PlatformException(PlatformErrorCode.NotFound, 'No such tenant');
    return tenant;
  }
}

function echo(req: FastifyRequest) {
  const body = Buffer.isBuffer(req.body) ? req.body : req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return {
    method: req.method,
    url: req.url,
    headers: req.headers,
    bodyLength: body?.length ?? 0,
    bodySha256: body ? createHash('sha256').update(body).digest('hex') : undefined,
  };
}

/** Test-only routes: what arrived (headers, body), and a slow answer for timeouts and crashes. */
@ApiTags('stub-echo')
@Controller()
export class StubEchoController {
  @All('v1/sessions/_echo')
  @Access('any')
  echoAuthenticated(@Req() req: FastifyRequest) {
    return echo(req);
  }

  @All('t/:slug/_echo')
  @Public()
  echoPublic(@Req() req: FastifyRequest) {
    return echo(req);
  }

  /** `n` bytes (i % 251), with a Content-Length or, with `chunked=1`, streamed without one. */
  @Get('v1/sessions/_bytes')
  @Access('any')
  bytes(@Query('n') n: string, @Query('chunked') chunked: string, @Res() reply: FastifyReply) {
    const body = Buffer.allocUnsafe(Math.min(Number(n) || 0, 32 * 1024 * 1024));
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    void reply.header('content-type', 'application/octet-stream');
    if (chunked !== '1') return reply.send(body);
    const parts = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
    return reply.send(Readable.from(parts));
  }

  @Get('v1/sessions/_slow')
  @Access('any')
  async slow(@Query('ms') ms: string) {
    await new Promise((r) => setTimeout(r, Math.min(Number(ms) || 0, 60_000)));
    return { slept: Number(ms) || 0 };
  }
}
