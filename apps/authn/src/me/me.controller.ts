import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SelfProfile } from '@keyline/directory-contracts';
import { Public } from '@keyline/platform-http';
import type { FastifyRequest } from 'fastify';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { DirectoryClient } from '../core/directory.client';
import { bearerOf, requestContext } from '../flows/request-context';
import { MfaService, type MfaStatus } from '../mfa/mfa.service';
import { TenantsService } from '../tenants/tenants.service';
import { AccountService, type Me } from './account.service';
import { CodeDto, EmailChangeDto, PasswordChangeDto, SelfProfilePatchDto } from './dto/me.dto';

/**
 * The self-service account API of a signed-in end user: `Authorization: Bearer <session token>` from a
 * finished flow (OAuth access tokens join with the OIDC provider). The tenant is the session's.
 */
@ApiTags('me')
@ApiBearerAuth('sessionToken')
@Public()
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly account: AccountService,
    private readonly tenants: TenantsService,
    private readonly directory: DirectoryClient,
    private readonly mfa: MfaService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My profile, MFA status and current session' })
  async get(@Req() req: FastifyRequest): Promise<{ profile: SelfProfile; mfa: MfaStatus; session: { id: string; amr: string[]; acr: string; expiresAt: string } }> {
    const me = await this.me(req);
    const [profile, mfa] = await Promise.all([this.directory.self(me.tenant.id, me.identity.userId), this.mfa.status(me.tenant.id, me.identity.userId)]);
    const s = me.session;
    return { profile, mfa, session: { id: s.id, amr: s.amr, acr: s.acr, expiresAt: s.expiresAt } };
  }

  @Patch()
  @ApiOperation({ summary: 'Change my names, locale, picture and user-editable attributes' })
  async update(@Req() req: FastifyRequest, @Body() body: SelfProfilePatchDto): Promise<SelfProfile> {
    const me = await this.me(req);
    return this.directory.updateSelf(me.tenant.id, me.identity.userId, { ...body });
  }

  @Post('password')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Change my password (the current one is required); optionally sign out everywhere else' })
  async password(@Req() req: FastifyRequest, @Body() body: PasswordChangeDto): Promise<{ otherSessionsRevoked: number }> {
    const me = await this.me(req);
    return this.account.changePassword(me, body.currentPassword, body.newPassword, body.signOutOtherSessions ?? false, requestContext(req));
  }

  @Post('email')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Change my email: a code goes to the new address; nothing changes until it comes back' })
  async email(@Req() req: FastifyRequest, @Body() body: EmailChangeDto): Promise<{ status: 'code_sent' }> {
    const me = await this.me(req);
    await this.account.startEmailChange(me, body.email, requestContext(req));
    return { status: 'code_sent' };
  }

  @Post('email/verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm the new email with its code' })
  async verifyEmail(@Req() req: FastifyRequest, @Body() body: CodeDto): Promise<{ email: string | null; emailVerified: boolean }> {
    const me = await this.me(req);
    const identity = await this.account.confirmEmailChange(me, body.code);
    return { email: identity.email, emailVerified: identity.emailVerified };
  }

  @Get('mfa')
  @ApiOperation({ summary: 'My MFA factors: authenticator app, recovery codes left' })
  @ApiOkResponse({ description: '{ totp, recoveryCodesLeft }' })
  async mfaStatus(@Req() req: FastifyRequest): Promise<MfaStatus> {
    const me = await this.me(req);
    return this.mfa.status(me.tenant.id, me.identity.userId);
  }

  @Post('mfa/totp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Start setting up an authenticator app: secret, otpauth URI and QR code (SVG data URI)' })
  async beginTotp(@Req() req: FastifyRequest): Promise<{ secret: string; otpauthUri: string; qrCode: string }> {
    return this.account.beginTotp(await this.me(req));
  }

  @Post('mfa/totp/verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm the authenticator app with a first code; answers ten recovery codes, shown only now' })
  async confirmTotp(@Req() req: FastifyRequest, @Body() body: CodeDto): Promise<{ recoveryCodes: string[] }> {
    const me = await this.me(req);
    return { recoveryCodes: await this.account.confirmTotp(me, body.code, requestContext(req)) };
  }

  @Delete('mfa/totp')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove my authenticator app and recovery codes (needs a session signed in with MFA)' })
  async removeTotp(@Req() req: FastifyRequest): Promise<void> {
    const me = await this.me(req);
    this.account.requireMfaSession(me);
    await this.mfa.removeTotp(me.tenant.id, me.identity.userId, requestContext(req));
  }

  @Post('mfa/recovery-codes')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'New recovery codes (the old ones stop working; needs a session signed in with MFA)' })
  async regenerate(@Req() req: FastifyRequest): Promise<{ recoveryCodes: string[] }> {
    const me = await this.me(req);
    this.account.requireMfaSession(me);
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(me.tenant.id, me.identity.userId, requestContext(req)) };
  }

  private async me(req: FastifyRequest): Promise<Me> {
    const token = bearerOf(req);
    const me = token ? await this.account.resolve(token, requestContext(req), (id) => this.tenants.byId(id)) : null;
    if (!me) throw new AuthnException(AuthnErrorCode.SessionRequired, 'A valid session token is required (Authorization: Bearer kls_...)');
    return me;
  }
}
