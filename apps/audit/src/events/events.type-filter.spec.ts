import { TYPE_FILTER_PATTERN, parseTypeFilter, prefixUpperBound } from './events.type-filter';

describe('type filter', () => {
  it.each([
    ['api-key.created', { exact: 'api-key.created' }],
    ['api-key.*', { prefix: 'api-key.' }],
    ['api-key.', { prefix: 'api-key.' }],
    ['api-key*', { prefix: 'api-key' }],
    ['*', undefined],
    [undefined, undefined],
  ])('reads %s', (raw, expected) => {
    expect(parseTypeFilter(raw)).toEqual(expected);
  });

  it.each(['api-key.created', 'api-key.*', 'api-key.', 'tenant*', '*', 'a.b_c-d.e'])('accepts %s', (v) => {
    expect(TYPE_FILTER_PATTERN.test(v)).toBe(true);
  });

  it.each(['', 'api key', '.created', 'api-key..x', '*.created', 'api-*.x', 'api-key.**', "x'--", 'ünicode'])('rejects %s', (v) => {
    expect(TYPE_FILTER_PATTERN.test(v)).toBe(false);
  });

  it('bounds a prefix range byte-wise', () => {
    expect(prefixUpperBound('api-key.')).toBe('api-key/');
    expect('api-key.zzz' < prefixUpperBound('api-key.')).toBe(true);
    expect('api-key/' < prefixUpperBound('api-key.')).toBe(false);
  });
});
