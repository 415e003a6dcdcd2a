import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { API_KEY_RESOLVE_PATH, ApiKeyRecord } from '@keyline/directory-contracts';
import { Access } from '@keyline/platform-http';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyResolveDto } from './dto/api-key-resolve.dto';

/** Service-to-service: the gateway resolves a key hash it did not find in Redis. Not public. */
@ApiExcludeController()
@Controller()
export class ApiKeysInternalController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post(API_KEY_RESOLVE_PATH)
  @Access('internal')
  @HttpCode(HttpStatus.OK)
  resolve(@Body() body: ApiKeyResolveDto): Promise<ApiKeyRecord> {
    return this.keys.resolve(body.hash);
  }
}
