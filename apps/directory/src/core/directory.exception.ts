import { HttpStatus } from '@nestjs/common';
import { FieldError, ProblemException } from '@keyline/platform-http';

/** Problem codes of the directory context (docs/errors.md). */
export enum DirectoryErrorCode {
  TenantNotFound = 'tenant_not_found',
  SlugTaken = 'slug_taken',
  ApiKeyNotFound = 'api_key_not_found',
}

export const DIRECTORY_ERROR_STATUS = {
  [DirectoryErrorCode.TenantNotFound]: HttpStatus.NOT_FOUND,
  [DirectoryErrorCode.SlugTaken]: HttpStatus.CONFLICT,
  [DirectoryErrorCode.ApiKeyNotFound]: HttpStatus.NOT_FOUND,
} satisfies Record<DirectoryErrorCode, HttpStatus>;

export class DirectoryException extends ProblemException {
  constructor(code: DirectoryErrorCode, detail: string, errors?: FieldError[]) {
    super(DIRECTORY_ERROR_STATUS[code], code, detail, errors);
  }
}
