/** RFC 7643 §3: core schemas live under this namespace; their attributes are top-level members of a resource. */
export const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** RFC 7643 §4.3; its attributes live in a member object keyed by this URN. */
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function isCoreSchema(uri: string): boolean {
  return uri.toLowerCase().startsWith(CORE_SCHEMA_PREFIX);
}
