import { HttpStatus } from '@nestjs/common';
import { type FieldError, ProblemException } from '@keyline/platform-http';

/** Problem codes of the applications (OAuth clients) API. */
export enum ApplicationsErrorCode {
  ApplicationNotFound = 'application_not_found',
  PublicClient = 'public_client',
  PreconditionFailed = 'precondition_failed',
}

export const APPLICATIONS_ERROR_STATUS = {
  [ApplicationsErrorCode.ApplicationNotFound]: HttpStatus.NOT_FOUND,
  [ApplicationsErrorCode.PublicClient]: HttpStatus.CONFLICT,
  [ApplicationsErrorCode.PreconditionFailed]: HttpStatus.PRECONDITION_FAILED,
} satisfies Record<ApplicationsErrorCode, HttpStatus>;

export class ApplicationsException extends ProblemException {
  constructor(
    readonly applicationsCode: ApplicationsErrorCode,
    detail: string,
    errors?: FieldError[],
  ) {
    super(APPLICATIONS_ERROR_STATUS[applicationsCode], applicationsCode, detail, errors);
  }
}

/** Unknown, deleted and another tenant's applications look alike. */
export const applicationNotFound = (id: string) => new ApplicationsException(ApplicationsErrorCode.ApplicationNotFound, `No application ${id}`);
