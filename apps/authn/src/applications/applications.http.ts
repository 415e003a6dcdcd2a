import { ApiPropertyOptional } from '@nestjs/swagger';
import { PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

// ETags and cursors as the directory's management API has them (an app never imports another app).

/** A weak ETag of a resource version: `W/"3"` (RFC 9110 §8.8.3). */
export const etagOf = (version: number) => `W/"${version}"`;

/** The version an `If-Match` header asks for; undefined when absent or `*`; anything else is a 400. */
export function ifMatchVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*' || value === '') return undefined;
  const m = /^(?:W\/)?"(\d{1,9})"$/.exec(value);
  if (!m) throw invalid('If-Match', 'If-Match must be one ETag this API returned, e.g. W/"3"');
  return Number(m[1]);
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit=&cursor=` */
export class ApplicationPageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor: the previous page's nextCursor" })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const CURSOR_VERSION = 'v1:';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keyset pagination by id: the cursor is the last id seen. */
export const encodeCursor = (lastId: string): string => Buffer.from(CURSOR_VERSION + lastId).toString('base64url');

/** The last id a cursor points after; a cursor this service did not issue is a 400. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const raw = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = raw.startsWith(CURSOR_VERSION) ? raw.slice(CURSOR_VERSION.length) : '';
  if (!UUID.test(id)) throw invalid('cursor', 'cursor is not a value this API returned');
  return id;
}

/** Rows fetched with `limit + 1` become a page: the extra row only tells that there is more. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}

export function invalid(field: string, message: string): PlatformException {
  return new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', [{ field, message }]);
}
