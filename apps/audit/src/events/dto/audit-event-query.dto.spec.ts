import { validationPipe } from '@keyline/platform-http';
import { PlatformException } from '@keyline/platform-http';
import { AuditEventQueryDto, isTimestamp } from './audit-event-query.dto';

const pipe = validationPipe();
const parse = (query: Record<string, unknown>) =>
  pipe.transform(query, { type: 'query', metatype: AuditEventQueryDto }) as Promise<AuditEventQueryDto>;

async function fieldsOf(query: Record<string, unknown>): Promise<string[]> {
  try {
    await parse(query);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(PlatformException);
    return ((err as PlatformException).errors ?? []).map((e) => e.field);
  }
}

describe('AuditEventQueryDto', () => {
  it('accepts a full, valid query and converts the limit', async () => {
    const q = await parse({
      type: 'api-key.*',
      subject: 'k1',
      actor: 'api-key:k1',
      since: '2025-01-31',
      until: '2025-02-01T10:00:00.123+01:00',
      limit: '25',
      cursor: 'eyJzIjoiMSIsIm8iOiJhc2MifQ',
      order: 'asc',
    });
    expect(q).toBeInstanceOf(AuditEventQueryDto);
    expect(q.limit).toBe(25);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ order: 'random' }, 'order'],
    [{ type: 'api key' }, 'type'],
    [{ type: ['a', 'b'] }, 'type'],
    [{ subject: '' }, 'subject'],
    [{ since: 'yesterday' }, 'since'],
    [{ since: '2025-02-30' }, 'since'],
    [{ until: '2025-01-01T10:00:00' }, 'until'],
    [{ cursor: 'a b' }, 'cursor'],
    [{ colour: 'red' }, 'colour'],
  ])('rejects %j naming the field once', async (query, field) => {
    expect(await fieldsOf(query)).toEqual([field]);
  });

  it.each([
    ['2025-01-31', true],
    ['2025-01-31T12:00:00Z', true],
    ['2025-01-31T12:00Z', true],
    ['2025-01-31T12:00:00.123456+05:30', true],
    ['2025-01-31T12:00:00', false],
    ['2025-13-01', false],
    ['2025-W05', false],
    ['1738324800', false],
  ])('isTimestamp(%s) is %s', (value, ok) => {
    expect(isTimestamp(value)).toBe(ok);
  });
});
