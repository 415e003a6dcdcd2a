import { HttpStatus } from '@nestjs/common';
import { FieldError, ProblemException } from '@keyline/platform-http';

/** Problem codes of the directory context (docs/errors.md). */
export enum DirectoryErrorCode {
  TenantNotFound = 'tenant_not_found',
  SlugTaken = 'slug_taken',
  ApiKeyNotFound = 'api_key_not_found',
  UserNotFound = 'user_not_found',
  EmailTaken = 'email_taken',
  PhoneNumberTaken = 'phone_number_taken',
  UsernameTaken = 'username_taken',
  AttributeValueTaken = 'attribute_value_taken',
  PreconditionFailed = 'precondition_failed',
  SchemaConflict = 'schema_conflict',
  ImportNotFound = 'import_not_found',
  GroupNotFound = 'group_not_found',
  GroupNameTaken = 'group_name_taken',
  RoleNotFound = 'role_not_found',
  RoleNameTaken = 'role_name_taken',
}

export const DIRECTORY_ERROR_STATUS = {
  [DirectoryErrorCode.TenantNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.SlugTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.ApiKeyNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.UserNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.EmailTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.PhoneNumberTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.UsernameTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.AttributeValueTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.PreconditionFailed]: HttpStatus.PRECONDITION_FAILED,
  [DirectoryErrorCode.SchemaConflict]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.ImportNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.GroupNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.GroupNameTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.RoleNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.RoleNameTaken]: HttpStatus.CONFLICT,
} satisfies Record<DirectoryErrorCode, HttpStatus>;

export class DirectoryException extends ProblemException {
  constructor(code: DirectoryErrorCode, detail: string, errors?: FieldError[]) {
    super(DIRECTORY_ERROR_STATUS[code], code, detail, errors);
  }
}
