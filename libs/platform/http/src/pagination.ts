import { ApiPropertyOptional } from '@nestjs/swagger';
import { PlatformErrorCode, PlatformException } from './problem';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit=&cursor=` of every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

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
/** A UUID in its canonical text form (any version). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Lists are ordered by id and the cursor is the last id seen: keyset pagination that neither skips nor
 * repeats rows when others are inserted meanwhile (UUIDv7 ids make that creation order too).
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(CURSOR_VERSION + lastId).toString('base64url');
}

/** The last id a cursor points after; a cursor this service did not issue is a 400. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const raw = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = raw.startsWith(CURSOR_VERSION) ? raw.slice(CURSOR_VERSION.length) : '';
  if (!UUID_PATTERN.test(id)) {
    throw new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', [
      { field: 'cursor', message: 'cursor is not a value this API returned' },
    ]);
  }
  return id;
}

/** Rows fetched with `limit + 1` become a page: the extra row only tells that there is more. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
