/** The tenant's custom attributes (its profile schema) as a SCIM extension of User. */
export const KEYLINE_USER_SCHEMA = 'urn:keyline:params:scim:schemas:extension:profile:2.0:User';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** Largest page a list answers (advertised as filter.maxResults). */
export const SCIM_MAX_RESULTS = 1000;
export const SCIM_DEFAULT_COUNT = 100;
export const SCIM_BULK_MAX_OPERATIONS = 1000;
export const SCIM_BULK_MAX_PAYLOAD = 1024 * 1024;

/** Enterprise User extension attributes Keyline keeps (RFC 7643 §4.3). */
export const ENTERPRISE_STRINGS = ['employeeNumber', 'costCenter', 'organization', 'division', 'department'] as const;
