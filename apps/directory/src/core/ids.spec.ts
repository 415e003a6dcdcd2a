import { newId } from './ids';

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the time', () => {
    const id = newId(Date.UTC(2026, 0, 2));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 2));
  });

  it('is strictly increasing within one millisecond and across many', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps increasing when the clock goes back', () => {
    const later = newId(Date.now() + 60_000);
    const earlier = newId(Date.now());
    expect(earlier > later).toBe(true);
  });
});
