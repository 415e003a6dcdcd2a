import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, Caller, Principal } from '@keyline/platform-http';
import { PageQueryDto } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyCreateDto } from './dto/api-key-create.dto';
import { ApiKeyCreatedResponseDto, ApiKeyPageDto, ApiKeyResponseDto } from './dto/api-key-response.dto';

@ApiTags('api-keys')
@ApiBearerAuth('apiKey')
@Controller('v1/tenants/:slug/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Access('any')
  @ApiOperation({ summary: "Create a tenant API key; the key is in this response only (platform admin key, or the tenant's admin key)" })
  @ApiCreatedResponse({ type: ApiKeyCreatedResponseDto, description: 'The new key, with the key itself shown this once' })
  @ApiProblems(400, 401, 403, 404)
  async create(@Caller() caller: Principal, @Param('slug') slug: string, @Body() body: ApiKeyCreateDto): Promise<ApiKeyCreatedResponseDto> {
    const { key, secret } = await this.keys.create(caller, slug, body);
    return ApiKeyCreatedResponseDto.withKey(key, secret);
  }

  @Get()
  @Access('any')
  @ApiOperation({ summary: "List a tenant's API keys, without the keys (platform admin key, or the tenant's admin key)" })
  @ApiOkResponse({ type: ApiKeyPageDto, description: 'One page of keys' })
  @ApiProblems(400, 401, 403, 404)
  async list(@Caller() caller: Principal, @Param('slug') slug: string, @Query() query: PageQueryDto): Promise<ApiKeyPageDto> {
    const page = await this.keys.list(caller, slug, query);
    return { items: page.items.map(ApiKeyResponseDto.from), nextCursor: page.nextCursor };
  }

  @Delete(':id')
  @Access('any')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke an API key; it stops working within a second. Revoking twice is fine.' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(401, 403, 404)
  async revoke(@Caller() caller: Principal, @Param('slug') slug: string, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(caller, slug, id);
  }
}
