import { Body, Controller, Get, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, Caller, Principal } from '@keyline/platform-http';
import type { DirectoryConfig } from '../config';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import { PageQueryDto } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { TenantCreateDto } from './dto/tenant-create.dto';
import { TenantPageDto, TenantResponseDto } from './dto/tenant-response.dto';
import { TenantUpdateDto } from './dto/tenant-update.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@ApiBearerAuth('apiKey')
@Controller('v1/tenants')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    @Inject(DIRECTORY_CONFIG) private readonly config: DirectoryConfig,
  ) {}

  @Post()
  @Access('platform')
  @ApiOperation({ summary: 'Create a tenant (platform admin key)' })
  @ApiCreatedResponse({ type: TenantResponseDto, description: 'The new tenant' })
  @ApiProblems(400, 401, 403, 409)
  async create(@Caller() caller: Principal, @Body() body: TenantCreateDto): Promise<TenantResponseDto> {
    return TenantResponseDto.from(await this.tenants.create(caller, body), this.config.publicUrl);
  }

  @Get()
  @Access('platform')
  @ApiOperation({ summary: 'List tenants, oldest first (platform admin key)' })
  @ApiOkResponse({ type: TenantPageDto, description: 'One page of tenants' })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: PageQueryDto): Promise<TenantPageDto> {
    const page = await this.tenants.list(query);
    return { items: page.items.map((t) => TenantResponseDto.from(t, this.config.publicUrl)), nextCursor: page.nextCursor };
  }

  @Get(':slug')
  @Access('any')
  @ApiOperation({ summary: "Get a tenant (platform admin key, or the tenant's own key with admin or tenants:read)" })
  @ApiOkResponse({ type: TenantResponseDto, description: 'The tenant' })
  @ApiProblems(401, 403, 404)
  async get(@Caller() caller: Principal, @Param('slug') slug: string): Promise<TenantResponseDto> {
    return TenantResponseDto.from(await this.tenants.get(caller, slug), this.config.publicUrl);
  }

  @Patch(':slug')
  @Access('any')
  @ApiOperation({ summary: "Change a tenant's name or CORS origins (platform admin key, or the tenant's admin key)" })
  @ApiOkResponse({ type: TenantResponseDto, description: 'The tenant as changed' })
  @ApiProblems(400, 401, 403, 404)
  async update(@Caller() caller: Principal, @Param('slug') slug: string, @Body() body: TenantUpdateDto): Promise<TenantResponseDto> {
    return TenantResponseDto.from(await this.tenants.update(caller, slug, body), this.config.publicUrl);
  }
}
