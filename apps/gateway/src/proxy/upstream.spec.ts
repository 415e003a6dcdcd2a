import { PlatformErrorCode } from '@keyline/platform-http';
import { Upstream, classifyUpstreamError } from './upstream';

const err = (code: string, extra: object = {}) => Object.assign(new Error(code), { code }, extra);

describe('upstream errors', () => {
  it('maps refused and reset connections to 502, timeouts to 504', () => {
    expect(classifyUpstreamError(err('ECONNREFUSED'))).toEqual({ code: PlatformErrorCode.BadGateway, reason: 'refused', connection: true });
    expect(classifyUpstreamError(err('UND_ERR_SOCKET'))).toEqual({ code: PlatformErrorCode.BadGateway, reason: 'reset', connection: true });
    expect(classifyUpstreamError(err('ECONNRESET')).reason).toBe('reset');
    expect(classifyUpstreamError(err('UND_ERR_HEADERS_TIMEOUT'))).toEqual({ code: PlatformErrorCode.GatewayTimeout, reason: 'timeout', connection: false });
    expect(classifyUpstreamError(err('UND_ERR_CONNECT_TIMEOUT'))).toEqual({ code: PlatformErrorCode.GatewayTimeout, reason: 'timeout', connection: true });
    expect(classifyUpstreamError(new Error('weird'))).toEqual({ code: PlatformErrorCode.BadGateway, reason: 'other', connection: false });
  });

  it('looks through causes and aggregate errors', () => {
    expect(classifyUpstreamError(new Error('fetch failed', { cause: err('ECONNREFUSED') })).reason).toBe('refused');
    expect(classifyUpstreamError(Object.assign(new Error('agg'), { errors: [err('ECONNREFUSED')] })).reason).toBe('refused');
  });
});

describe('upstream circuit', () => {
  it('opens after consecutive connection failures, for openMs, and closes on success', async () => {
    let now = 0;
    const u = new Upstream('directory', 'http://127.0.0.1:1/base/', { connections: 1, timeoutMs: 1000, failureThreshold: 3, openMs: 1000, now: () => now });
    try {
      expect(u.basePath).toBe('/base');
      const refused = classifyUpstreamError(err('ECONNREFUSED'));
      u.failed(classifyUpstreamError(err('UND_ERR_HEADERS_TIMEOUT'))); // slow is not down
      u.failed(refused);
      u.failed(refused);
      expect(u.isOpen()).toBe(false);
      u.failed(refused);
      expect(u.isOpen()).toBe(true);
      expect(u.retryAfterSeconds()).toBe(1);
      now = 999;
      expect(u.isOpen()).toBe(true);
      now = 1000;
      expect(u.isOpen()).toBe(false);
      u.failed(refused); // still failing when tried again: open at once
      expect(u.isOpen()).toBe(true);
      now = 2500;
      u.succeeded();
      u.failed(refused);
      expect(u.isOpen()).toBe(false);
    } finally {
      await u.close();
    }
  });
});
