import { Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal, RequireScopes, TenantId, actorOf } from '@keyline/platform-http';
import { DataSource } from 'typeorm';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { AuthnEventsService } from '../core/authn-events';
import { identifiersOf } from '../flows/recovery.service';
import { IdentitiesService } from '../identities/identities.service';
import { BruteForceGuard } from './brute-force';

/** Admin view and release of brute-force lockouts of a tenant's users. */
@ApiTags('lockouts')
@ApiBearerAuth('apiKey')
@Controller('v1/lockouts')
export class LockoutsController {
  constructor(
    private readonly ds: DataSource,
    private readonly identities: IdentitiesService,
    private readonly bruteForce: BruteForceGuard,
    private readonly events: AuthnEventsService,
  ) {}

  @Get(':userId')
  @RequireScopes('users:read')
  @ApiOperation({ summary: "A user's failed attempts and lockout, if any" })
  @ApiOkResponse({ description: '{ userId, failures, lockedUntil }' })
  async get(@TenantId() tenantId: string, @Param('userId', new ParseUUIDPipe()) userId: string): Promise<{ userId: string; failures: number; lockedUntil: string | null }> {
    const identity = await this.identity(tenantId, userId);
    let failures = 0;
    let until = 0;
    for (const id of identifiersOf(identity)) {
      const s = await this.bruteForce.status(tenantId, id);
      failures = Math.max(failures, s.failures);
      until = Math.max(until, s.lockedUntil ?? 0);
    }
    return { userId, failures, lockedUntil: until ? new Date(until).toISOString() : null };
  }

  @Delete(':userId')
  @RequireScopes('users:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Release a user's lockout and forget their failed attempts" })
  @ApiNoContentResponse({ description: 'Released (also when nothing was locked)' })
  async release(@TenantId() tenantId: string, @Caller() caller: Principal, @Param('userId', new ParseUUIDPipe()) userId: string): Promise<void> {
    const identity = await this.identity(tenantId, userId);
    await this.bruteForce.clear(tenantId, identifiersOf(identity));
    await this.events.emit('authn.lockout-cleared', { tenantId, subject: userId, actor: actorOf(caller) }, { userId, via: 'admin' });
  }

  private async identity(tenantId: string, userId: string) {
    const identity = await this.identities.findIdentity(this.ds.manager, tenantId, userId);
    if (!identity || identity.status === 'deleted') throw new AuthnException(AuthnErrorCode.UserNotFound, `No user ${userId}`);
    return identity;
  }
}
