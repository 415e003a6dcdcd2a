import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@keyline/platform-http';
import { sessionIdOf } from '@keyline/sessions-contracts';
import type { FastifyRequest } from 'fastify';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { SessionsClient } from '../core/sessions.client';
import { TenantsService } from '../tenants/tenants.service';
import { FlowStartDto, FlowSubmitDto, RecoveryRequestDto, RecoveryResetDto } from './dto/flow.dto';
import { dispatch } from './flow.dispatch';
import type { FlowKind } from './flow.types';
import { type FlowView, flowView } from './flow.view';
import { FlowsService } from './flows.service';
import { RecoveryService } from './recovery.service';
import { bearerOf, requestContext } from './request-context';

/**
 * The headless flow API under each tenant's issuer (`{issuer}/v1/flows`), for native apps and custom
 * UIs: the same engine as the hosted pages. A finished sign-in answers a session token, to be sent as
 * `Authorization: Bearer` to the self-service API.
 */
@ApiTags('flows')
@Public()
@Controller('t/:slug/v1')
export class FlowsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly flows: FlowsService,
    private readonly recovery: RecoveryService,
    private readonly sessions: SessionsClient,
  ) {}

  @Post('flows/sign-in')
  @ApiOperation({ summary: 'Start a sign-in flow' })
  @ApiCreatedResponse({ description: 'The flow, at step credentials' })
  signIn(@Param('slug') slug: string, @Body() body: FlowStartDto, @Req() req: FastifyRequest): Promise<FlowView> {
    return this.start(slug, 'sign-in', body, req);
  }

  @Post('flows/sign-up')
  @ApiOperation({ summary: 'Start a sign-up flow' })
  @ApiCreatedResponse({ description: 'The flow, at step credentials' })
  signUp(@Param('slug') slug: string, @Body() body: FlowStartDto, @Req() req: FastifyRequest): Promise<FlowView> {
    return this.start(slug, 'sign-up', body, req);
  }

  @Post('flows/step-up')
  @ApiOperation({ summary: 'Start a step-up flow: a second factor for the session in the Authorization header' })
  @ApiCreatedResponse({ description: 'The flow, at step mfa or mfa-enrol' })
  async stepUp(@Param('slug') slug: string, @Body() body: FlowStartDto, @Req() req: FastifyRequest): Promise<FlowView> {
    const tenant = await this.tenants.bySlug(slug);
    const session = await this.session(tenant.id, req);
    const flow = await this.flows.start(tenant, 'step-up', requestContext(req), { returnTo: body.returnTo, session: { id: session.id, userId: session.userId } });
    return flowView({ flow }, tenant.settings.passwordless.emailCode);
  }

  @Get('flows/:id')
  @ApiOperation({ summary: 'Where a flow stands' })
  @ApiOkResponse({ description: 'The flow' })
  async get(@Param('slug') slug: string, @Param('id') id: string): Promise<FlowView> {
    const tenant = await this.tenants.bySlug(slug);
    return flowView({ flow: await this.flows.get(tenant, id) }, tenant.settings.passwordless.emailCode);
  }

  @Post('flows/:id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Submit one step (method password, send-code, code, totp, recovery-code, register, enrol-totp, confirm-totp)' })
  @ApiOkResponse({ description: 'The flow at its next step; with `session` when complete' })
  async submit(@Param('slug') slug: string, @Param('id') id: string, @Body() body: FlowSubmitDto, @Req() req: FastifyRequest): Promise<FlowView> {
    const tenant = await this.tenants.bySlug(slug);
    const flow = await this.flows.get(tenant, id);
    if (flow.kind === 'step-up') {
      const token = bearerOf(req);
      if (!token || sessionIdOf(token) !== flow.sessionId) throw sessionRequired();
    }
    const result = await dispatch(this.flows, tenant, flow, body, requestContext(req));
    if (flow.kind === 'step-up' && result.flow.step === 'complete') {
      const token = bearerOf(req);
      if (!token || !(await this.flows.elevate(token, result.flow.amr))) throw sessionRequired();
    }
    return flowView(result, tenant.settings.passwordless.emailCode);
  }

  @Post('recovery')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Ask for a password reset link (the same answer whether or not the address has an account)' })
  @ApiAcceptedResponse({ description: 'If the address has an account, a link is on its way' })
  async requestReset(@Param('slug') slug: string, @Body() body: RecoveryRequestDto, @Req() req: FastifyRequest): Promise<{ status: 'accepted' }> {
    const tenant = await this.tenants.bySlug(slug);
    await this.recovery.request(tenant, body.email, requestContext(req));
    return { status: 'accepted' };
  }

  @Post('recovery/reset')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Set a new password with the token from the reset link (single use, 30 minutes)' })
  @ApiNoContentResponse({ description: 'The password is changed' })
  async reset(@Param('slug') slug: string, @Body() body: RecoveryResetDto, @Req() req: FastifyRequest): Promise<void> {
    const tenant = await this.tenants.bySlug(slug);
    await this.recovery.reset(tenant, body.token, body.password, body.signOutEverywhere ?? true, requestContext(req));
  }

  @Post('sign-out')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End the session in the Authorization header' })
  @ApiNoContentResponse({ description: 'Signed out (also when the session had already ended)' })
  async signOut(@Param('slug') slug: string, @Req() req: FastifyRequest): Promise<void> {
    const tenant = await this.tenants.bySlug(slug);
    const token = bearerOf(req);
    if (!token) return;
    const session = await this.sessions.touch(token, {});
    if (!session || session.tenantId !== tenant.id) return;
    await this.flows.signOut(tenant, token, session);
  }

  private async start(slug: string, kind: FlowKind, body: FlowStartDto, req: FastifyRequest): Promise<FlowView> {
    const tenant = await this.tenants.bySlug(slug);
    const flow = await this.flows.start(tenant, kind, requestContext(req), { returnTo: body.returnTo });
    return flowView({ flow }, tenant.settings.passwordless.emailCode);
  }

  private async session(tenantId: string, req: FastifyRequest) {
    const token = bearerOf(req);
    const session = token ? await this.sessions.touch(token, requestContext(req)) : null;
    if (!session || session.tenantId !== tenantId) throw sessionRequired();
    return session;
  }
}

const sessionRequired = () => new AuthnException(AuthnErrorCode.SessionRequired, 'A valid session token is required (Authorization: Bearer kls_...)');
