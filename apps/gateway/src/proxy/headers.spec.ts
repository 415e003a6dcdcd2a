import { clientResponseHeaders, upstreamRequestHeaders } from './headers';

const ctx = {
  requestId: 'req-12345678',
  clientIp: '203.0.113.7',
  proto: 'https',
  host: 'id.example.com',
  internalToken: 'internal-secret',
  principal: 'encoded-principal',
  dropAuthorization: true,
};

describe('upstream request headers', () => {
  it('keeps end-to-end headers and drops hop-by-hop ones', () => {
    const out = upstreamRequestHeaders(
      {
        accept: 'application/json',
        'content-type': 'application/json',
        'if-match': '"v1"',
        cookie: 'a=b',
        connection: 'keep-alive, x-hop',
        'x-hop': 'gone',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        host: 'id.example.com',
        'content-length': '12',
        expect: '100-continue',
        'set-cookie': ['x', 'y'],
      },
      ctx,
    );
    expect(out).toEqual(
      expect.objectContaining({ accept: 'application/json', 'content-type': 'application/json', 'if-match': '"v1"', cookie: 'a=b' }),
    );
    for (const gone of ['connection', 'x-hop', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-authorization', 'host', 'content-length', 'expect']) {
      expect(out).not.toHaveProperty(gone);
    }
  });

  it('never forwards client x-keyline-* or forwarding headers, and sets its own', () => {
    const out = upstreamRequestHeaders(
      {
        'x-keyline-principal': 'forged',
        'x-keyline-internal-token': 'guess',
        'x-keyline-other': '1',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil',
        forwarded: 'for=6.6.6.6',
        'x-real-ip': '6.6.6.6',
        'x-request-id': 'client-id',
      },
      ctx,
    );
    expect(out).toEqual({
      'x-request-id': 'req-12345678',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'id.example.com',
      'x-keyline-internal-token': 'internal-secret',
      'x-keyline-principal': 'encoded-principal',
    });
  });

  it('drops the API key on api-key routes and keeps credentials on passthrough routes', () => {
    expect(upstreamRequestHeaders({ authorization: 'Bearer kl_secret' }, ctx)).not.toHaveProperty('authorization');
    const passthrough = upstreamRequestHeaders({ authorization: 'Basic abc' }, { ...ctx, dropAuthorization: false, principal: undefined });
    expect(passthrough.authorization).toBe('Basic abc');
    expect(passthrough).not.toHaveProperty('x-keyline-principal');
  });
});

describe('client response headers', () => {
  it('drops hop-by-hop, CORS and internal headers and keeps the rest', () => {
    const out = clientResponseHeaders({
      'content-type': 'application/json',
      'content-length': '2',
      'set-cookie': ['a=1', 'b=2'],
      etag: '"1"',
      connection: 'keep-alive',
      'keep-alive': 'timeout=65',
      'transfer-encoding': 'chunked',
      'access-control-allow-origin': '*',
      'x-keyline-debug': 'internal',
      location: '/v1/users/1',
    });
    expect(out).toEqual({
      'content-type': 'application/json',
      'content-length': '2',
      'set-cookie': ['a=1', 'b=2'],
      etag: '"1"',
      location: '/v1/users/1',
    });
  });
});
