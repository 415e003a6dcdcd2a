import { securityHeaders } from './security-headers';

describe('security headers', () => {
  it('sends HSTS only when the public URL is https', () => {
    expect(securityHeaders('https://id.example.com')['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(securityHeaders('http://localhost:8080')['strict-transport-security']).toBeUndefined();
  });

  it('locks JSON responses down', () => {
    expect(securityHeaders('http://localhost:8080')).toEqual(
      expect.objectContaining({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy': expect.stringContaining("default-src 'none'"),
      }),
    );
  });
});
