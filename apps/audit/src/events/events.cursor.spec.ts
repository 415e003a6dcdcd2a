import { decodeCursor, encodeCursor } from './events.cursor';

describe('audit cursors', () => {
  it('round-trip the last seq and the order as an opaque base64url string', () => {
    const c = encodeCursor({ seq: '12345678901234', order: 'asc' });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual({ seq: '12345678901234', order: 'asc' });
  });

  it.each([
    ['not base64 json', 'garbage'],
    ['a wrong order', Buffer.from(JSON.stringify({ s: '1', o: 'up' })).toString('base64url')],
    ['a non-numeric seq', Buffer.from(JSON.stringify({ s: '1 OR 1=1', o: 'asc' })).toString('base64url')],
    ['a numeric (not string) seq', Buffer.from(JSON.stringify({ s: 1, o: 'asc' })).toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
  ])('rejects %s', (_, raw) => {
    expect(decodeCursor(raw)).toBeUndefined();
  });
});
