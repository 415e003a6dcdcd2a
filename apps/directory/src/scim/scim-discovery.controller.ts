import { Controller, Get, Header, Inject, Param, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes, TenantId } from '@keyline/platform-http';
import type { DirectoryConfig } from '../config';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { ProfileSchemaService } from '../profile-schema/profile-schema.service';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, SCIM_CONTENT_TYPE, ScimException, ScimExceptionFilter, USER_SCHEMA } from './protocol';
import {
  KEYLINE_USER_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SCIM_BULK_MAX_OPERATIONS,
  SCIM_BULK_MAX_PAYLOAD,
  SCIM_MAX_RESULTS,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
} from './scim.constants';

type Json = Record<string, unknown>;
type Attr = { name: string; type?: string; multiValued?: boolean; required?: boolean; caseExact?: boolean; mutability?: string; returned?: string; uniqueness?: string; subAttributes?: Attr[]; canonicalValues?: string[]; referenceTypes?: string[]; description?: string };

/** RFC 7643 §7 attribute definition with the RFC's defaults spelled out, as clients expect them. */
function attr(a: Attr): Json {
  return {
    name: a.name,
    type: a.type ?? 'string',
    multiValued: a.multiValued ?? false,
    ...(a.description ? { description: a.description } : {}),
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: a.returned ?? 'default',
    uniqueness: a.uniqueness ?? 'none',
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attr) } : {}),
  };
}

const multi = (name: string, types: string[], extra: Attr[] = []): Attr => ({
  name,
  type: 'complex',
  multiValued: true,
  subAttributes: [{ name: 'value' }, { name: 'type', canonicalValues: types }, { name: 'primary', type: 'boolean' }, ...extra],
});

const USER_ATTRIBUTES: Attr[] = [
  { name: 'userName', required: true, uniqueness: 'server' },
  { name: 'name', type: 'complex', subAttributes: [{ name: 'formatted', mutability: 'readOnly' }, { name: 'givenName' }, { name: 'familyName' }] },
  { name: 'displayName' },
  { name: 'locale' },
  { name: 'preferredLanguage' },
  { name: 'active', type: 'boolean' },
  { name: 'password', mutability: 'writeOnly', returned: 'never' },
  multi('emails', ['work']),
  multi('phoneNumbers', ['mobile']),
  multi('photos', ['photo']),
  {
    name: 'groups',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [{ name: 'value', mutability: 'readOnly' }, { name: '$ref', type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly' }, { name: 'display', mutability: 'readOnly' }, { name: 'type', mutability: 'readOnly', canonicalValues: ['direct'] }],
  },
];

const ENTERPRISE_ATTRIBUTES: Attr[] = [
  { name: 'employeeNumber' },
  { name: 'costCenter' },
  { name: 'organization' },
  { name: 'division' },
  { name: 'department' },
  { name: 'manager', type: 'complex', subAttributes: [{ name: 'value' }, { name: 'displayName', mutability: 'readOnly' }] },
];

const GROUP_ATTRIBUTES: Attr[] = [
  { name: 'displayName', required: true, uniqueness: 'server' },
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    subAttributes: [{ name: 'value', mutability: 'immutable' }, { name: '$ref', type: 'reference', referenceTypes: ['User'], mutability: 'immutable' }, { name: 'display', mutability: 'readOnly' }, { name: 'type', canonicalValues: ['User'], mutability: 'immutable' }],
  },
];

const SCIM_TYPES: Record<AttributeDefinition['type'], string> = { string: 'string', number: 'decimal', boolean: 'boolean', date: 'string', enum: 'string', 'string-list': 'string' };

/** The tenant's profile schema as the Keyline User extension. */
function profileAttributes(defs: AttributeDefinition[]): Attr[] {
  return defs.map((d) => ({
    name: d.name,
    type: SCIM_TYPES[d.type],
    multiValued: d.type === 'string-list',
    required: d.required,
    uniqueness: d.unique ? 'server' : 'none',
    ...(d.allowedValues ? { canonicalValues: d.allowedValues } : {}),
    ...(d.description ? { description: d.description } : {}),
  }));
}

/** Discovery (RFC 7644 §4): what this service provider supports, per tenant. */
@ApiTags('scim')
@UseFilters(ScimExceptionFilter)
@RequireScopes('scim')
@Controller('scim/v2')
export class ScimDiscoveryController {
  constructor(
    private readonly schemas: ProfileSchemaService,
    @Inject(DIRECTORY_CONFIG) private readonly config: DirectoryConfig,
  ) {}

  private get base(): string {
    return `${this.config.publicUrl}/scim/v2`;
  }

  @Get('ServiceProviderConfig')
  @ApiOperation({ summary: 'SCIM: What this SCIM service provider supports' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  serviceProviderConfig(): Json {
    return {
      schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
      documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: SCIM_BULK_MAX_OPERATIONS, maxPayloadSize: SCIM_BULK_MAX_PAYLOAD },
      filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
      changePassword: { supported: true },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'API key', description: 'Authorization: Bearer <Keyline API key with the scim scope>', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${this.base}/ServiceProviderConfig` },
    };
  }

  @Get('ResourceTypes')
  @ApiOperation({ summary: 'SCIM: Resource types (User, Group)' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  resourceTypes(): Json {
    const types = this.types();
    return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: types.length, startIndex: 1, itemsPerPage: types.length, Resources: types };
  }

  @Get('ResourceTypes/:name')
  @ApiOperation({ summary: 'SCIM: One resource type' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  resourceType(@Param('name') name: string): Json {
    const found = this.types().find((t) => t.id === name);
    if (!found) throw new ScimException(404, `No resource type ${name}`);
    return found;
  }

  @Get('Schemas')
  @ApiOperation({ summary: 'SCIM: Schemas, including the profile extension of the tenant' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async schemaList(@TenantId() tenantId: string): Promise<Json> {
    const all = await this.all(tenantId);
    return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all };
  }

  @Get('Schemas/:id')
  @ApiOperation({ summary: 'SCIM: One schema' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async schema(@TenantId() tenantId: string, @Param('id') id: string): Promise<Json> {
    const found = (await this.all(tenantId)).find((s) => s.id === id);
    if (!found) throw new ScimException(404, `No schema ${id}`);
    return found;
  }

  private types(): (Json & { id: string })[] {
    return [
      {
        schemas: [RESOURCE_TYPE_SCHEMA],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        schema: USER_SCHEMA,
        schemaExtensions: [
          { schema: ENTERPRISE_USER_SCHEMA, required: false },
          { schema: KEYLINE_USER_SCHEMA, required: false },
        ],
        meta: { resourceType: 'ResourceType', location: `${this.base}/ResourceTypes/User` },
      },
      { schemas: [RESOURCE_TYPE_SCHEMA], id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, meta: { resourceType: 'ResourceType', location: `${this.base}/ResourceTypes/Group` } },
    ];
  }

  private async all(tenantId: string): Promise<(Json & { id: string })[]> {
    const defs = (await this.schemas.get(tenantId)).attributes;
    const schema = (id: string, name: string, attributes: Attr[]) => ({
      schemas: [SCHEMA_SCHEMA],
      id,
      name,
      attributes: attributes.map(attr),
      meta: { resourceType: 'Schema', location: `${this.base}/Schemas/${id}` },
    });
    return [
      schema(USER_SCHEMA, 'User', USER_ATTRIBUTES),
      schema(GROUP_SCHEMA, 'Group', GROUP_ATTRIBUTES),
      schema(ENTERPRISE_USER_SCHEMA, 'EnterpriseUser', ENTERPRISE_ATTRIBUTES),
      schema(KEYLINE_USER_SCHEMA, 'KeylineProfile', profileAttributes(defs)),
    ];
  }
}
