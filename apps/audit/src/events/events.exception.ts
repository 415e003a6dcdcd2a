import { HttpStatus } from '@nestjs/common';
import { FieldError, ProblemException } from '@keyline/platform-http';

export enum AuditErrorCode {
  EventNotFound = 'audit_event_not_found',
  ValidationFailed = 'validation_failed',
}

const STATUS = {
  [AuditErrorCode.EventNotFound]: HttpStatus.NOT_FOUND,
  [AuditErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
} satisfies Record<AuditErrorCode, HttpStatus>;

/** Problems of the audit context, rendered as RFC 9457 problem+json by the platform filter. */
export class AuditException extends ProblemException {
  constructor(code: AuditErrorCode, detail: string, errors?: FieldError[]) {
    super(STATUS[code], code, detail, errors);
  }

  static invalidQuery(field: string, message: string): AuditException {
    return new AuditException(AuditErrorCode.ValidationFailed, 'The request is invalid', [{ field, message }]);
  }
}
