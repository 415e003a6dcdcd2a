import type { FastifyRequest } from 'fastify';
import { CSRF_COOKIE, csrfOk, formOf, safeReturnTo } from './hosted.http';

const req = (headers: Record<string, string>, cookies: Record<string, string>) => ({ headers, cookies }) as unknown as FastifyRequest;
const TOKEN = 'a'.repeat(32);

describe('hosted page helpers', () => {
  it('accepts a form whose csrf field matches the cookie and whose origin is ours', () => {
    expect(csrfOk(req({ origin: 'https://id.example.com' }, { [CSRF_COOKIE]: TOKEN }), { csrf: TOKEN }, 'https://id.example.com')).toBe(true);
    expect(csrfOk(req({}, { [CSRF_COOKIE]: TOKEN }), { csrf: TOKEN }, 'https://id.example.com')).toBe(true);
  });

  it('refuses a missing or different token, a missing cookie and a foreign origin', () => {
    expect(csrfOk(req({}, { [CSRF_COOKIE]: TOKEN }), {}, 'https://id.example.com')).toBe(false);
    expect(csrfOk(req({}, { [CSRF_COOKIE]: TOKEN }), { csrf: 'b'.repeat(32) }, 'https://id.example.com')).toBe(false);
    expect(csrfOk(req({}, {}), { csrf: TOKEN }, 'https://id.example.com')).toBe(false);
    expect(csrfOk(req({ origin: 'https://evil.example' }, { [CSRF_COOKIE]: TOKEN }), { csrf: TOKEN }, 'https://id.example.com')).toBe(false);
  });

  it('keeps only same-site paths to return to (no open redirect)', () => {
    expect(safeReturnTo('/t/acme/account', '/t/acme')).toBe('/t/acme/account');
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/a b', 42, undefined, '/' + 'x'.repeat(3000)]) {
      expect(safeReturnTo(bad, '/t/acme')).toBeNull();
    }
  });

  it('reads form bodies as strings, last value winning, ignoring other types', () => {
    expect(formOf({ email: 'a@b.c', remember: ['off', 'on'], n: 3, big: 'x'.repeat(9000) })).toEqual({ email: 'a@b.c', remember: 'on' });
    expect(formOf(null)).toEqual({});
  });
});
