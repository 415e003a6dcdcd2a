import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SELF_PROFILE_FIELDS } from '@keyline/directory-contracts';
import type { ProfileAttributeView, SelfProfile, TenantData, UserData } from '@keyline/directory-contracts';
import { Access, PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { ProfileSchemaService } from '../profile-schema/profile-schema.service';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { tenantData, TenantsService } from '../tenants/tenants.service';
import { UserCreateDto, UserUpdateDto } from '../users/dto/user-create.dto';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { userData } from '../users/user.profile';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';

const SELF = new Set<string>(SELF_PROFILE_FIELDS);
/** What a sign-up may set besides registration attributes: the address it signs up with and names. */
const SIGN_UP = new Set<string>(['email', ...SELF_PROFILE_FIELDS]);
const uuid = new ParseUUIDPipe();

/** A body that only sets `allowed` fields, and only the attributes `attributeOk` accepts; else 400. */
function refuseOthers(body: object, allowed: Set<string>, defs: AttributeDefinition[], attributeOk: (d: AttributeDefinition) => boolean): void {
  const errors: { field: string; message: string }[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'attributes' && !allowed.has(key)) errors.push({ field: key, message: 'may not be set here' });
  }
  const attrs = (body as { attributes?: Record<string, unknown> | null }).attributes;
  if (attrs === null) errors.push({ field: 'attributes', message: 'may not be cleared as a whole' });
  for (const name of Object.keys(attrs ?? {})) {
    const def = defs.find((d) => d.name === name);
    if (!def || !attributeOk(def)) errors.push({ field: `attributes.${name}`, message: 'may not be set here' });
  }
  if (errors.length) throw new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', errors);
}

function selfProfile(u: UserEntity): SelfProfile {
  const { appMetadata: _server, ...rest } = UserResponseDto.from(u) as UserResponseDto & { appMetadata?: unknown };
  return { ...(rest as unknown as SelfProfile), status: u.status };
}

/**
 * Service to service only (internal token; the gateway never routes `/internal`): what authn must
 * ask synchronously. Writes go through the same services, validation and outbox as the public API.
 */
@ApiExcludeController()
@Controller('internal/tenants')
export class DirectoryInternalController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly schemas: ProfileSchemaService,
  ) {}

  @Get('by-slug/:slug')
  @Access('internal')
  async tenantBySlug(@Param('slug') slug: string): Promise<TenantData> {
    const tenant = await this.tenants.bySlug(slug);
    if (!tenant) throw new DirectoryException(DirectoryErrorCode.TenantNotFound, `No tenant ${slug}`);
    return tenantData(tenant);
  }

  @Get(':tenantId/profile-schema')
  @Access('internal')
  async profileSchema(@Param('tenantId', uuid) tenantId: string): Promise<ProfileAttributeView[]> {
    const { attributes } = await this.schemas.get(tenantId);
    return attributes.map((d) => ({
      name: d.name,
      type: d.type,
      ...(d.description !== undefined ? { description: d.description } : {}),
      required: d.required,
      ...(d.allowedValues !== undefined ? { allowedValues: d.allowedValues } : {}),
      ...(d.maxLength !== undefined ? { maxLength: d.maxLength } : {}),
      userEditable: d.userEditable,
      registration: d.registration ?? false,
    }));
  }

  /** Sign-up: a user with an email, names and the schema's registration attributes; never a password (authn keeps it). */
  @Post(':tenantId/users')
  @Access('internal')
  async signUp(@Param('tenantId', uuid) tenantId: string, @Body() body: UserCreateDto): Promise<UserData> {
    const defs = await this.schemas.get(tenantId).then((s) => s.attributes);
    refuseOthers(body, SIGN_UP, defs, (d) => d.registration === true);
    const user = await this.users.create({ tenantId, actor: 'authn:sign-up' }, body);
    return userData(user, defs);
  }

  /** Changes authn has verified: `emailVerified` after a code, `email` after proving the new address. */
  @Patch(':tenantId/users/:id')
  @Access('internal')
  async verified(@Param('tenantId', uuid) tenantId: string, @Param('id', uuid) id: string, @Body() body: UserUpdateDto): Promise<UserData> {
    refuseOthers(body, new Set(['email', 'emailVerified']), [], () => false);
    const user = await this.users.update({ tenantId, actor: `user:${id}` }, id, body);
    return userData(user, await this.schemas.get(tenantId).then((s) => s.attributes));
  }

  @Get(':tenantId/users/:id/self')
  @Access('internal')
  async self(@Param('tenantId', uuid) tenantId: string, @Param('id', uuid) id: string): Promise<SelfProfile> {
    return selfProfile(await this.users.get(tenantId, id));
  }

  /** Self-service: names, locale, picture and the attributes the schema marks user-editable. */
  @Patch(':tenantId/users/:id/self')
  @Access('internal')
  async updateSelf(@Param('tenantId', uuid) tenantId: string, @Param('id', uuid) id: string, @Body() body: UserUpdateDto): Promise<SelfProfile> {
    const defs = await this.schemas.get(tenantId).then((s) => s.attributes);
    refuseOthers(body, SELF, defs, (d) => d.userEditable);
    return selfProfile(await this.users.update({ tenantId, actor: `user:${id}` }, id, body));
  }
}
