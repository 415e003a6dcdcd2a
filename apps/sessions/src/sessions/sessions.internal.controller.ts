import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SESSIONS_INTERNAL_PATHS, SessionCreateResponse, SessionListResponse, SessionRevokeUserResponse, SessionView } from '@keyline/sessions-contracts';
import { Access } from '@keyline/platform-http';
import { SessionCreateDto } from './dto/session-create.dto';
import { SessionDeleteQueryDto, SessionIdParamDto } from './dto/session-delete.dto';
import { SessionElevateDto } from './dto/session-elevate.dto';
import { SessionListQueryDto } from './dto/session-list-query.dto';
import { SessionRevokeUserDto } from './dto/session-revoke-user.dto';
import { SessionRevokeDto } from './dto/session-revoke.dto';
import { SessionTouchDto } from './dto/session-touch.dto';
import { SessionsService } from './sessions.service';

/** Service-to-service: authn creates, resolves and ends SSO sessions here. Never routed by the gateway. */
@ApiExcludeController()
@Access('internal')
@Controller()
export class SessionsInternalController {
  constructor(private readonly sessions: SessionsService) {}

  @Post(SESSIONS_INTERNAL_PATHS.create)
  create(@Body() body: SessionCreateDto): Promise<SessionCreateResponse> {
    return this.sessions.create(body);
  }

  @Post(SESSIONS_INTERNAL_PATHS.touch)
  @HttpCode(HttpStatus.OK)
  touch(@Body() body: SessionTouchDto): Promise<SessionView> {
    return this.sessions.touch(body.token, { ip: body.ip, userAgent: body.userAgent, clientId: body.clientId });
  }

  @Post(SESSIONS_INTERNAL_PATHS.elevate)
  @HttpCode(HttpStatus.OK)
  elevate(@Body() body: SessionElevateDto): Promise<SessionView> {
    return this.sessions.elevate(body.token, body.amr, body.acr);
  }

  @Post(SESSIONS_INTERNAL_PATHS.revoke)
  @HttpCode(HttpStatus.NO_CONTENT)
  revoke(@Body() body: SessionRevokeDto): Promise<void> {
    return this.sessions.revoke(body.token);
  }

  @Post(SESSIONS_INTERNAL_PATHS.revokeUser)
  @HttpCode(HttpStatus.OK)
  async revokeUser(@Body() body: SessionRevokeUserDto): Promise<SessionRevokeUserResponse> {
    return { revoked: await this.sessions.revokeUser(body.tenantId, body.userId, body.exceptId) };
  }

  @Get(SESSIONS_INTERNAL_PATHS.list)
  async list(@Query() query: SessionListQueryDto): Promise<SessionListResponse> {
    return { items: await this.sessions.list(query.tenantId, query.userId) };
  }

  @Delete(SESSIONS_INTERNAL_PATHS.byId)
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param() params: SessionIdParamDto, @Query() query: SessionDeleteQueryDto): Promise<void> {
    return this.sessions.revokeInTenant(query.tenantId, params.id);
  }
}
