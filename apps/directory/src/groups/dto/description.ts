import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateIf, ValidationArguments, registerDecorator } from 'class-validator';

export const MAX_DESCRIPTION_LENGTH = 1000;

// Line breaks and tabs are fine in a description; other control characters (NUL above all) are not.
const CONTROL = /[^\P{Cc}\t\n\r]/u;

/** An optional free-text description: trimmed, up to `max` characters; `null` means none. */
export const IsDescription = (max = MAX_DESCRIPTION_LENGTH) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    ValidateIf((_: object, value: unknown) => value !== undefined && value !== null),
    ((target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isDescription',
        target: target.constructor,
        propertyName: String(propertyName),
        validator: {
          validate: (value: unknown) => typeof value === 'string' && value.length <= max && !CONTROL.test(value),
          defaultMessage: (args?: ValidationArguments) => `${args?.property} must be a string of at most ${max} characters or null`,
        },
      })) as PropertyDecorator,
  );
