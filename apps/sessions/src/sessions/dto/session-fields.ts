import { applyDecorators } from '@nestjs/common';
import { SESSION_AMR_PATTERN, SESSION_CLIENT_ID_PATTERN, SESSION_LIMITS } from '@keyline/sessions-contracts';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIP, IsOptional, IsString, Matches, MaxLength, MinLength, ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

/** Authentication methods: 1..8 short lowercase tokens. */
export const IsAmrList = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(SESSION_LIMITS.amrMaxItems),
    IsString({ each: true }),
    Matches(SESSION_AMR_PATTERN, { each: true, message: `each value in amr must match ${SESSION_AMR_PATTERN.source}` }),
  );

export const IsAcr = () => applyDecorators(IsString(), MinLength(1), MaxLength(SESSION_LIMITS.acrMaxLength));

/** A presented token. Its shape is checked by the service: a malformed token is just an unknown one. */
export const IsTokenField = () => applyDecorators(IsString(), MinLength(1), MaxLength(256));

export const IsOptionalIp = () => applyDecorators(IsOptional(), IsIP());

/** Long user agents are truncated when stored, not refused. */
export const IsOptionalUserAgent = () => applyDecorators(IsOptional(), IsString(), MaxLength(SESSION_LIMITS.userAgentMaxInput));

export const IsOptionalClientId = () =>
  applyDecorators(IsOptional(), IsString(), Matches(SESSION_CLIENT_ID_PATTERN, { message: `clientId must match ${SESSION_CLIENT_ID_PATTERN.source}` }));

/** The number must not exceed the number in another property of the same object. */
export function IsNotAbove(other: string, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isNotAbove',
      target: target.constructor,
      propertyName,
      constraints: [other],
      options,
      validator: {
        validate(value: unknown, args?: ValidationArguments) {
          const limit = (args?.object as Record<string, unknown> | undefined)?.[other];
          return typeof value !== 'number' || typeof limit !== 'number' || value <= limit;
        },
        defaultMessage: () => `${propertyName} must not exceed ${other}`,
      },
    });
}
