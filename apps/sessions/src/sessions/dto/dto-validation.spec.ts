import { PlatformException, validationPipe } from '@keyline/platform-http';
import { SessionCreateDto } from './session-create.dto';
import { SessionDeleteQueryDto, SessionIdParamDto } from './session-delete.dto';
import { SessionElevateDto } from './session-elevate.dto';
import { SessionRevokeUserDto } from './session-revoke-user.dto';
import { SessionTouchDto } from './session-touch.dto';

type Dto = new () => object;

/** Runs the service's global ValidationPipe; answers the DTO or the fields that failed. */
async function validate(metatype: Dto, value: unknown, type: 'body' | 'query' | 'param' = 'body') {
  try {
    return { dto: (await validationPipe().transform(value, { type, metatype })) as Record<string, unknown>, fields: [] as string[] };
  } catch (err) {
    if (!(err instanceof PlatformException)) throw err;
    const body = err.toBody();
    expect(body.code).toBe('validation_failed');
    return { dto: undefined, fields: [...new Set((body.errors ?? []).map((e) => e.field))].sort() };
  }
}

const MIN = 60_000;
const DAY = 24 * 3600_000;
const tenantId = '0197a0c4-1f2e-7c4d-9a51-6f0d1e2c3b4a';
const userId = '0197a0c4-1f2e-7c4d-9a51-6f0d1e2c3b4b';
const create = { tenantId, userId, amr: ['pwd'], acr: 'urn:keyline:acr:password', idleTtlMs: 30 * MIN, absoluteTtlMs: DAY };
const token = `kls_${'a'.repeat(43)}`;

describe('internal request validation', () => {
  describe('SessionCreateDto', () => {
    it('accepts a session with optional device details and a client', async () => {
      const body = { ...create, ip: '2001:db8::1', userAgent: 'Mozilla/5.0', clientId: 'web-app' };
      expect((await validate(SessionCreateDto, body)).dto).toEqual(body);
    });

    it.each([
      ['idle below a minute', { idleTtlMs: MIN - 1 }, ['idleTtlMs']],
      ['idle above 90 days', { idleTtlMs: 90 * DAY + 1, absoluteTtlMs: 400 * DAY }, ['idleTtlMs']],
      ['absolute above 400 days', { idleTtlMs: MIN, absoluteTtlMs: 400 * DAY + 1 }, ['absoluteTtlMs']],
      ['idle longer than absolute', { idleTtlMs: 2 * DAY, absoluteTtlMs: DAY }, ['idleTtlMs']],
      ['fractional TTLs', { idleTtlMs: MIN + 0.5, absoluteTtlMs: '86400000' }, ['absoluteTtlMs', 'idleTtlMs']],
      ['no amr', { amr: [] }, ['amr']],
      ['nine amr', { amr: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }, ['amr']],
      ['an amr with a comma or capitals', { amr: ['pwd,otp', 'OTP'] }, ['amr']],
      ['an over-long acr', { acr: 'x'.repeat(129) }, ['acr']],
      ['ids that are not UUIDs', { tenantId: 'acme', userId: 42 }, ['tenantId', 'userId']],
      ['a bad ip and client id', { ip: 'localhost', clientId: 'a,b' }, ['clientId', 'ip']],
      ['unknown fields', { remember: true }, ['remember']],
    ])('rejects %s', async (_, change, fields) => {
      expect((await validate(SessionCreateDto, { ...create, ...change })).fields).toEqual(fields);
    });

    it('accepts the bounds themselves', async () => {
      expect((await validate(SessionCreateDto, { ...create, idleTtlMs: MIN, absoluteTtlMs: MIN })).fields).toEqual([]);
      expect((await validate(SessionCreateDto, { ...create, idleTtlMs: 90 * DAY, absoluteTtlMs: 400 * DAY })).fields).toEqual([]);
    });
  });

  it('SessionTouchDto takes any token string and optional device details', async () => {
    expect((await validate(SessionTouchDto, { token, ip: '10.0.0.1', userAgent: 'UA' })).dto).toEqual({ token, ip: '10.0.0.1', userAgent: 'UA' });
    expect((await validate(SessionTouchDto, { token: 'garbage' })).fields).toEqual([]);
    expect((await validate(SessionTouchDto, { token: 42 })).fields).toEqual(['token']);
    expect((await validate(SessionTouchDto, {})).fields).toEqual(['token']);
  });

  it('SessionElevateDto needs amr and acr', async () => {
    expect((await validate(SessionElevateDto, { token, amr: ['otp'], acr: 'urn:keyline:acr:mfa' })).fields).toEqual([]);
    expect((await validate(SessionElevateDto, { token, amr: 'otp' })).fields).toEqual(['acr', 'amr']);
  });

  it('SessionRevokeUserDto takes an optional session id to keep', async () => {
    expect((await validate(SessionRevokeUserDto, { tenantId, userId, exceptId: 'A'.repeat(43) })).fields).toEqual([]);
    expect((await validate(SessionRevokeUserDto, { tenantId, userId, exceptId: token })).fields).toEqual(['exceptId']);
  });

  it('DELETE by id needs a session id and a tenant', async () => {
    expect((await validate(SessionIdParamDto, { id: 'x'.repeat(43) }, 'param')).fields).toEqual([]);
    expect((await validate(SessionIdParamDto, { id: 'x'.repeat(44) }, 'param')).fields).toEqual(['id']);
    expect((await validate(SessionDeleteQueryDto, {}, 'query')).fields).toEqual(['tenantId']);
  });
});
