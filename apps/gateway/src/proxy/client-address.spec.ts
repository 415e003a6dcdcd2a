import { clientAddress, parseTrustProxy, rateLimitAddress } from './client-address';

const xff = (v: string) => ({ 'x-forwarded-for': v, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.com', host: 'gw:8080' });

describe('client address', () => {
  it('ignores forwarding headers unless proxies are trusted', () => {
    const a = clientAddress('10.0.0.5', false, xff('1.2.3.4'), parseTrustProxy('false'));
    expect(a).toEqual({ ip: '10.0.0.5', proto: 'http', host: 'gw:8080' });
    expect(clientAddress('::ffff:10.0.0.5', true, {}, parseTrustProxy('0')).ip).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', true, {}, parseTrustProxy('false')).proto).toBe('https');
  });

  it('walks X-Forwarded-For by hop count', () => {
    expect(clientAddress('10.0.0.5', false, xff('6.6.6.6, 1.2.3.4'), parseTrustProxy('1'))).toEqual({
      ip: '1.2.3.4',
      proto: 'https',
      host: 'id.example.com',
    });
    expect(clientAddress('10.0.0.5', false, xff('6.6.6.6, 1.2.3.4, 10.0.0.9'), parseTrustProxy('2')).ip).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.5', false, xff('6.6.6.6, 1.2.3.4'), parseTrustProxy('true')).ip).toBe('6.6.6.6');
  });

  it('trusts only listed proxies and stops at the first untrusted hop', () => {
    const trust = parseTrustProxy('10.0.0.0/8, 192.168.1.1');
    expect(clientAddress('10.0.0.5', false, xff('6.6.6.6, 1.2.3.4, 192.168.1.1'), trust).ip).toBe('1.2.3.4');
    // Not from a listed proxy: the socket is the client, whatever it claims.
    expect(clientAddress('8.8.8.8', false, xff('1.2.3.4'), trust)).toEqual({ ip: '8.8.8.8', proto: 'http', host: 'gw:8080' });
    // Garbage in the chain stops the walk at the last good hop.
    expect(clientAddress('10.0.0.5', false, xff('1.2.3.4, nonsense'), trust).ip).toBe('10.0.0.5');
  });

  it('rejects malformed TRUST_PROXY values', () => {
    expect(() => parseTrustProxy('10.0.0.0/99')).toThrow(/prefix/);
    expect(() => parseTrustProxy('maybe')).toThrow(/expected/);
    expect(parseTrustProxy('fd00::/8')).toEqual(expect.objectContaining({ kind: 'list' }));
  });

  it('limits IPv6 clients per /64 and IPv4 clients per address', () => {
    expect(rateLimitAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitAddress('::1')).toBe('0:0:0:0::/64');
  });
});
