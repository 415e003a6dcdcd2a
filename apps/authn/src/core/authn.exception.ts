import { HttpStatus } from '@nestjs/common';
import { type FieldError, ProblemException } from '@keyline/platform-http';

export enum AuthnErrorCode {
  TenantNotFound = 'tenant_not_found',
  FlowNotFound = 'flow_not_found',
  FlowExpired = 'flow_expired',
  InvalidFlowStep = 'invalid_flow_step',
  InvalidCredentials = 'invalid_credentials',
  TooManyAttempts = 'too_many_attempts',
  InvalidCode = 'invalid_code',
  InvalidToken = 'invalid_token',
  EmailTaken = 'email_taken',
  SignUpDisabled = 'sign_up_disabled',
  MethodDisabled = 'method_disabled',
  PasswordRejected = 'password_rejected',
  MfaNotEnrolled = 'mfa_not_enrolled',
  MfaAlreadyEnrolled = 'mfa_already_enrolled',
  SessionRequired = 'session_required',
  CsrfFailed = 'csrf_failed',
  UserNotFound = 'user_not_found',
  DependencyUnavailable = 'dependency_unavailable',
  ApplicationNotFound = 'application_not_found',
  PublicClient = 'public_client',
  PreconditionFailed = 'precondition_failed',
}

export const AUTHN_ERROR_STATUS = {
  [AuthnErrorCode.TenantNotFound]: HttpStatus.NOT_FOUND,
  [AuthnErrorCode.FlowNotFound]: HttpStatus.NOT_FOUND,
  [AuthnErrorCode.FlowExpired]: HttpStatus.GONE,
  [AuthnErrorCode.InvalidFlowStep]: HttpStatus.CONFLICT,
  [AuthnErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [AuthnErrorCode.TooManyAttempts]: HttpStatus.TOO_MANY_REQUESTS,
  [AuthnErrorCode.InvalidCode]: HttpStatus.UNAUTHORIZED,
  [AuthnErrorCode.InvalidToken]: HttpStatus.BAD_REQUEST,
  [AuthnErrorCode.EmailTaken]: HttpStatus.CONFLICT,
  [AuthnErrorCode.SignUpDisabled]: HttpStatus.FORBIDDEN,
  [AuthnErrorCode.MethodDisabled]: HttpStatus.FORBIDDEN,
  [AuthnErrorCode.PasswordRejected]: HttpStatus.BAD_REQUEST,
  [AuthnErrorCode.MfaNotEnrolled]: HttpStatus.CONFLICT,
  [AuthnErrorCode.MfaAlreadyEnrolled]: HttpStatus.CONFLICT,
  [AuthnErrorCode.SessionRequired]: HttpStatus.UNAUTHORIZED,
  [AuthnErrorCode.CsrfFailed]: HttpStatus.FORBIDDEN,
  [AuthnErrorCode.UserNotFound]: HttpStatus.NOT_FOUND,
  [AuthnErrorCode.DependencyUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [AuthnErrorCode.ApplicationNotFound]: HttpStatus.NOT_FOUND,
  [AuthnErrorCode.PublicClient]: HttpStatus.CONFLICT,
  [AuthnErrorCode.PreconditionFailed]: HttpStatus.PRECONDITION_FAILED,
} satisfies Record<AuthnErrorCode, HttpStatus>;

export class AuthnException extends ProblemException {
  constructor(
    readonly authnCode: AuthnErrorCode,
    detail: string,
    errors?: FieldError[],
    extensions: Record<string, unknown> = {},
  ) {
    super(AUTHN_ERROR_STATUS[authnCode], authnCode, detail, errors, extensions);
  }

  /** Seconds a throttled caller must wait (`Retry-After`). */
  get retryAfterSeconds(): number | undefined {
    const v = this.extensions.retryAfter;
    return typeof v === 'number' ? v : undefined;
  }
}

export const tooManyAttempts = (retryAfter: number) =>
  new AuthnException(AuthnErrorCode.TooManyAttempts, `Too many attempts; try again in ${retryAfter} s`, undefined, { retryAfter });
