import { PlatformErrorCode, PlatformException } from './problem';

/** A weak ETag of a resource version: `W/"3"` (RFC 9110 §8.8.3). */
export const etagOf = (version: number) => `W/"${version}"`;

/**
 * The version an `If-Match` header asks for; undefined when absent or `*`. Weak and strong forms are
 * accepted alike (versions are opaque counters). A list or garbage is a 400, not a silent pass.
 */
export function ifMatchVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*' || value === '') return undefined;
  const m = /^(?:W\/)?"(\d{1,9})"$/.exec(value);
  if (!m) {
    throw new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', [
      { field: 'If-Match', message: 'If-Match must be one ETag this API returned, e.g. W/"3"' },
    ]);
  }
  return Number(m[1]);
}
