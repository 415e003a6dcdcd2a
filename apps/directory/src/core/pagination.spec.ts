import { PlatformException } from '@keyline/platform-http';
import { decodeCursor, encodeCursor, toPage } from '@keyline/platform-http';

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('cursor pagination', () => {
  it('round-trips the last id through an opaque cursor', () => {
    const cursor = encodeCursor(id(7));
    expect(cursor).not.toContain(id(7));
    expect(decodeCursor(cursor)).toBe(id(7));
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each(['', 'not-a-cursor', Buffer.from('v1:not-a-uuid').toString('base64url'), Buffer.from(id(1)).toString('base64url'), 'a/b+c='])(
    'rejects the cursor %p with a validation problem on the cursor field',
    (cursor) => {
      let caught: unknown;
      try {
        decodeCursor(cursor);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PlatformException);
      const body = (caught as PlatformException).toBody();
      expect(body.status).toBe(400);
      expect(body.code).toBe('validation_failed');
      expect(body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    },
  );

  it('turns limit + 1 rows into a page with a cursor, and limit rows into the last page', () => {
    const rows = [1, 2, 3].map((n) => ({ id: id(n) }));
    const first = toPage(rows, 2);
    expect(first.items.map((r) => r.id)).toEqual([id(1), id(2)]);
    expect(decodeCursor(first.nextCursor!)).toBe(id(2));
    expect(toPage(rows.slice(0, 2), 2).nextCursor).toBeNull();
    expect(toPage([], 2)).toEqual({ items: [], nextCursor: null });
  });
});
