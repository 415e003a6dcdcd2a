import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, Caller, Principal } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { WhoamiResponseDto } from './dto/whoami-response.dto';

@ApiTags('whoami')
@ApiBearerAuth('apiKey')
@Controller('v1/whoami')
export class WhoamiController {
  /** Answers from the principal the gateway authenticated; no storage involved (the gateway benchmark relies on that). */
  @Get()
  @Access('any')
  @ApiOperation({ summary: 'The key this request was made with' })
  @ApiOkResponse({ type: WhoamiResponseDto, description: 'The authenticated key' })
  @ApiProblems(401)
  whoami(@Caller() caller: Principal): WhoamiResponseDto {
    return caller.kind === 'tenant'
      ? { kind: 'tenant', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, keyId: caller.keyId, scopes: caller.scopes }
      : { kind: 'platform', keyId: caller.keyId, scopes: caller.scopes };
  }
}
