import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal, RequireScopes, TenantId } from '@keyline/platform-http';
import type { AuthnSettings } from './authn-settings';
import { AuthnSettingsService } from './authn-settings.service';
import { AuthnSettingsPatchDto } from './dto/authn-settings.dto';

@ApiTags('authn-settings')
@ApiBearerAuth('apiKey')
@Controller('v1/authn-settings')
export class AuthnSettingsController {
  constructor(private readonly settings: AuthnSettingsService) {}

  @Get()
  @RequireScopes('admin')
  @ApiOperation({ summary: "The tenant's sign-in settings: sign-up, password policy, passwordless, MFA, brute-force, sessions, branding, mail" })
  @ApiOkResponse({ description: 'The settings with defaults filled in, and their version' })
  get(@TenantId() _tenantId: string, @Caller() caller: Principal): Promise<{ settings: AuthnSettings; version: number }> {
    return this.settings.get(slugOf(caller));
  }

  @Patch()
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Change sign-in settings: each section given is merged over the current one' })
  @ApiOkResponse({ description: 'The settings after the change' })
  update(@TenantId() _tenantId: string, @Caller() caller: Principal, @Body() body: AuthnSettingsPatchDto): Promise<{ settings: AuthnSettings; version: number }> {
    return this.settings.update(slugOf(caller), body);
  }
}

/** `@TenantId()` has already refused keys without a tenant. */
const slugOf = (p: Principal): string => (p.kind === 'tenant' ? p.tenantSlug : '');
