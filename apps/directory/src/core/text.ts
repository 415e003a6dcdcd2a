import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidationArguments, registerDecorator } from 'class-validator';

const CONTROL = /\p{Cc}/u;

/** A human-readable name: trimmed, `min..max` characters, no control characters; one clear message. */
export const IsDisplayName = (min: number, max: number) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    ((target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isDisplayName',
        target: target.constructor,
        propertyName: String(propertyName),
        validator: {
          validate: (value: unknown) =>
            typeof value === 'string' && value.length >= min && value.length <= max && !CONTROL.test(value),
          defaultMessage: (args?: ValidationArguments) =>
            `${args?.property} must be a string of ${min} to ${max} characters without control characters`,
        },
      })) as PropertyDecorator,
  );
