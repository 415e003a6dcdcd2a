import { HttpStatus } from '@nestjs/common';
import { FieldError, ProblemException } from '@keyline/platform-http';
import { SESSION_NOT_FOUND } from '@keyline/sessions-contracts';

/** Problem codes of the sessions context. */
export enum SessionsErrorCode {
  SessionNotFound = 'session_not_found',
}

export const SESSIONS_ERROR_STATUS = {
  [SessionsErrorCode.SessionNotFound]: HttpStatus.NOT_FOUND,
} satisfies Record<SessionsErrorCode, HttpStatus>;

export class SessionsException extends ProblemException {
  constructor(code: SessionsErrorCode, detail: string, errors?: FieldError[]) {
    super(SESSIONS_ERROR_STATUS[code], code, detail, errors);
  }
}

// Unknown, expired and revoked are one answer: a caller learns nothing about tokens it does not hold.
export const sessionNotFound = () => new SessionsException(SessionsErrorCode.SessionNotFound, 'No such session, or it has ended');

// The contract constant and the enum must not drift apart.
const _sameCode: typeof SESSION_NOT_FOUND = `${SessionsErrorCode.SessionNotFound}`;
