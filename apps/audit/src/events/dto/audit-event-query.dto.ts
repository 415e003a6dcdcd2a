import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateBy, isISO8601 } from 'class-validator';
import { TYPE_FILTER_PATTERN } from '../events.type-filter';

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;

/** A date (`2025-01-31`, UTC midnight) or a date-time with a zone (`Z` or `+01:00`); never local time. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

export function isTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    TIMESTAMP.test(value) &&
    isISO8601(value, { strict: true, strictSeparator: true }) &&
    !Number.isNaN(Date.parse(value))
  );
}

const isText = (max: number) => (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= max;

/**
 * One rule, one message: a query value is wrong in one way for the client (`limit=abc` is not "not an
 * integer, too small and too large"), so each field reports a single, complete sentence.
 */
function Rule(name: string, test: (value: unknown) => boolean, message: string): PropertyDecorator {
  return ValidateBy({
    name,
    validator: { validate: (value) => test(value), defaultMessage: (args) => `${args?.property ?? 'value'} ${message}` },
  });
}

export class AuditEventQueryDto {
  @ApiPropertyOptional({
    description:
      'Event type: exact (`api-key.created`) or a prefix ending in `.` or `*` (`api-key.*` matches every API key event)',
    example: 'api-key.*',
    maxLength: 200,
  })
  @IsOptional()
  @Rule(
    'isTypeFilter',
    (v) => isText(200)(v) && TYPE_FILTER_PATTERN.test(v as string),
    'must be an event type like api-key.created, or a prefix ending in . or * like api-key.*',
  )
  type?: string;

  @ApiPropertyOptional({ description: 'Only events about this subject (for example an API key id)', maxLength: 200 })
  @IsOptional()
  @Rule('isSubject', isText(200), 'must be a text of 1 to 200 characters')
  subject?: string;

  @ApiPropertyOptional({ description: 'Only events caused by this actor (`api-key:<id>`, `platform-admin:<id>`)', maxLength: 200 })
  @IsOptional()
  @Rule('isActor', isText(200), 'must be a text of 1 to 200 characters')
  actor?: string;

  @ApiPropertyOptional({
    description: 'Events that occurred at or after this instant (ISO-8601 date, or date-time with a time zone)',
    example: '2025-01-31T00:00:00Z',
  })
  @IsOptional()
  @Rule('isTimestamp', isTimestamp, 'must be an ISO-8601 date or date-time with a time zone, e.g. 2025-01-31T12:00:00Z')
  since?: string;

  @ApiPropertyOptional({
    description: 'Events that occurred strictly before this instant (ISO-8601 date, or date-time with a time zone)',
    example: '2025-02-01T00:00:00Z',
  })
  @IsOptional()
  @Rule('isTimestamp', isTimestamp, 'must be an ISO-8601 date or date-time with a time zone, e.g. 2025-01-31T12:00:00Z')
  until?: string;

  @ApiPropertyOptional({ description: 'Page size', type: 'integer', minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @Rule('isPageSize', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= AUDIT_PAGE_MAX, `must be an integer from 1 to ${AUDIT_PAGE_MAX}`)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @Rule('isCursor', (v) => typeof v === 'string' && CURSOR.test(v), 'must be a nextCursor returned by this API')
  cursor?: string;

  @ApiPropertyOptional({
    description: 'Order of receipt: `desc` (newest first) or `asc`; defaults to the order of `cursor`, else `desc`',
    enum: ['asc', 'desc'],
  })
  @IsOptional()
  @Rule('isOrder', (v) => v === 'asc' || v === 'desc', 'must be asc or desc')
  order?: 'asc' | 'desc';
}
