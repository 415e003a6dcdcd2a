import { isOrigin, normalizeOrigins, sameOrigins } from './cors-origins';

describe('CORS origins', () => {
  it.each(['https://app.example.com', 'http://localhost:3000', 'https://App.Example.com/', 'https://[::1]:8443', 'https://bücher.example'])(
    'accepts the origin %s',
    (o) => expect(isOrigin(o)).toBe(true),
  );

  it.each(['*', 'null', 'app.example.com', 'ftp://example.com', 'https://example.com/path', 'https://example.com?x=1', 'https://example.com#a', 'https://user:pw@example.com', 'https://exa mple.com', 'https://', 42, null, `https://${'a'.repeat(260)}.com`])(
    'rejects %p',
    (o) => expect(isOrigin(o)).toBe(false),
  );

  it('normalizes to lowercase, punycode and default ports, without duplicates, sorted', () => {
    expect(normalizeOrigins(['https://B.example.com/', 'https://a.example.com:443', 'https://b.example.com', 'https://bücher.example'])).toEqual([
      'https://a.example.com',
      'https://b.example.com',
      'https://xn--bcher-kva.example',
    ]);
  });

  it('compares normalized lists', () => {
    expect(sameOrigins(['https://a.com'], ['https://a.com'])).toBe(true);
    expect(sameOrigins(['https://a.com'], ['https://a.com', 'https://b.com'])).toBe(false);
    expect(sameOrigins([], [])).toBe(true);
  });
});
