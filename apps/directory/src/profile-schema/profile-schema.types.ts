export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'enum', 'string-list'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** How personal a value is; consent and data governance decide who may see what by this class. */
export const SENSITIVITIES = ['public', 'personal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** One custom attribute of a tenant's profile schema. */
export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  description?: string;
  required: boolean;
  unique: boolean;
  /** Strings and string-list items: an anchored ECMAScript pattern (`u` flag). */
  pattern?: string;
  /** Strings and string-list items: maximum length in characters; string lists: also the item count. */
  maxLength?: number;
  /** `enum` (and string-list items when given): the allowed values. */
  allowedValues?: string[];
  sensitivity: Sensitivity;
  /** Whether the user may change it in self-service; `appMetadata` never is. */
  userEditable: boolean;
  /** Asked on the hosted sign-up form (and accepted by the sign-up API); implies user-editable at sign-up only. */
  registration?: boolean;
}

export interface ProfileSchema {
  attributes: AttributeDefinition[];
  version: number;
  updatedAt: Date | null;
}

/** Attribute names: identifier-like, so they are safe as JSON keys, SCIM sub-attributes and filter paths. */
export const ATTRIBUTE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
export const MAX_ATTRIBUTES = 100;
export const DEFAULT_STRING_MAX = 1024;
export const MAX_STRING_MAX = 10_000;
export const MAX_LIST_ITEMS = 100;
export const MAX_PATTERN_LENGTH = 256;
export const MAX_ALLOWED_VALUES = 500;
