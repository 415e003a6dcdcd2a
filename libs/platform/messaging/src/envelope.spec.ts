import { envelope, parseEnvelope } from './envelope';

describe('event envelope', () => {
  it('builds an envelope with a UUID id, schema version and ISO time', () => {
    const e = envelope('tenant.created', { tenantId: 't', actor: 'a', subject: 's' }, { x: 1 });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e).toMatchObject({ type: 'tenant.created', tenantId: 't', actor: 'a', subject: 's', schemaVersion: 1, data: { x: 1 } });
    expect(new Date(e.occurredAt).toISOString()).toBe(e.occurredAt);
  });

  it('parses what it built', () => {
    const e = envelope('a.b', { tenantId: 't', actor: 'a', subject: 's' }, {});
    expect(parseEnvelope(Buffer.from(JSON.stringify(e)))).toEqual(e);
  });

  it.each([
    [null, 'empty message'],
    [Buffer.from('nope'), 'not JSON'],
    [Buffer.from('{"id":"x"}'), 'lacks type'],
    [Buffer.from(JSON.stringify({ id: 'x', type: 't', tenantId: 't', occurredAt: 'o', actor: 'a', subject: 's' })), 'not a UUID'],
  ])('rejects a poison message (%#)', (value, msg) => {
    expect(() => parseEnvelope(value)).toThrow(msg);
  });
});
