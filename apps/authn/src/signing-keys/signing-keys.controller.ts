import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal, RequireScopes, TenantId, actorOf } from '@keyline/platform-http';
import { SigningKeyListResponseDto } from './dto/signing-key-response.dto';
import { SigningKeyRotateDto } from './dto/signing-key-rotate.dto';
import { SigningKeysService } from './signing-keys.service';

/** The tenant's token signing keys: their lifecycle, and rotation. Key material never leaves authn. */
@ApiTags('signing-keys')
@ApiBearerAuth('apiKey')
@Controller('v1/signing-keys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get()
  @RequireScopes('admin')
  @ApiOperation({ summary: "The tenant's published signing keys: active, pending (next) and retired-but-still-published" })
  @ApiOkResponse({ type: SigningKeyListResponseDto })
  async list(@TenantId() tenantId: string): Promise<SigningKeyListResponseDto> {
    return { items: await this.keys.list(tenantId) };
  }

  @Post('rotate')
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Rotate signing keys: a new key per algorithm (or the one given) is published now and signs after publishSeconds; the key it replaces stays published for verification',
  })
  @ApiCreatedResponse({ type: SigningKeyListResponseDto, description: 'The new keys' })
  async rotate(@TenantId() tenantId: string, @Caller() caller: Principal, @Body() body: SigningKeyRotateDto): Promise<SigningKeyListResponseDto> {
    return { items: await this.keys.rotate(tenantId, { alg: body.alg, publishSeconds: body.publishSeconds }, actorOf(caller)) };
  }
}
