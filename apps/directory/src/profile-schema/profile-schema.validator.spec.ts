import type { AttributeDefinition } from './profile-schema.types';
import { checkValue, uniqueKeyOf, unsafePatternReason, validateAttributes, validateDefinitions } from './profile-schema.validator';

const def = (d: Partial<AttributeDefinition> & Pick<AttributeDefinition, 'name' | 'type'>): AttributeDefinition => ({
  required: false,
  unique: false,
  sensitivity: 'personal',
  userEditable: false,
  ...d,
});

describe('profile schema validation', () => {
  describe('patterns from tenant admins', () => {
    it.each(['[A-Z]{2}[0-9]{4}', '\\d+', '(ab|cd)', '(abc)+', '[(+*)]+', 'a{1,3}b'])('accepts the linear pattern %s', (p) => {
      expect(unsafePatternReason(p)).toBeUndefined();
    });

    it.each([
      ['(a+)+$', 'nest repetition'],
      ['(a|aa)*', 'nest repetition'],
      ['((ab)*c)+', 'nest repetition'],
      ['(a)\\1', 'back-references'],
      ['(?=a)b', 'look-arounds'],
      ['[', 'not a valid'],
      ['a'.repeat(300), 'at most'],
    ])('refuses %s (%s)', (p, reason) => {
      expect(unsafePatternReason(p)).toContain(reason);
    });
  });

  it('refuses definitions that cannot work, naming the attribute and member', () => {
    const errors = validateDefinitions([
      def({ name: 'plan', type: 'enum' }),
      def({ name: 'Plan', type: 'string' }),
      def({ name: 'flag', type: 'boolean', unique: true, pattern: 'x' }),
      def({ name: 'n', type: 'number', maxLength: 3 }),
      def({ name: '9lives', type: 'string' }),
    ]);
    expect(errors.map((e) => e.field)).toEqual([
      'attributes[0].allowedValues',
      'attributes[1].name',
      'attributes[2].pattern',
      'attributes[2].unique',
      'attributes[3].maxLength',
      'attributes[4].name',
    ]);
  });

  it.each([
    [def({ name: 'd', type: 'date' }), '2024-02-29', true],
    [def({ name: 'd', type: 'date' }), '2023-02-29', false],
    [def({ name: 'd', type: 'date' }), '2023-1-5', false],
    [def({ name: 'n', type: 'number' }), 3.5, true],
    [def({ name: 'n', type: 'number' }), Number.NaN, false],
    [def({ name: 'n', type: 'number' }), '3', false],
    [def({ name: 'b', type: 'boolean' }), false, true],
    [def({ name: 'e', type: 'enum', allowedValues: ['a', 'b'] }), 'b', true],
    [def({ name: 'e', type: 'enum', allowedValues: ['a', 'b'] }), 'B', false],
    [def({ name: 's', type: 'string', maxLength: 3 }), 'abc', true],
    [def({ name: 's', type: 'string', maxLength: 3 }), 'abcd', false],
    [def({ name: 's', type: 'string', pattern: '[a-z]+' }), 'abc1', false],
    [def({ name: 'l', type: 'string-list', allowedValues: ['x', 'y'] }), ['x', 'y'], true],
    [def({ name: 'l', type: 'string-list', allowedValues: ['x', 'y'] }), ['z'], false],
    [def({ name: 'l', type: 'string-list', maxLength: 1 }), ['a', 'b'], false],
  ])('checks %j against %j: valid=%s', (d, value, valid) => {
    expect(checkValue(d, value, 'f')).toHaveLength(valid ? 0 : 1);
  });

  it('checks only what a write touched, so stricter rules apply to new writes', () => {
    const defs = [def({ name: 'region', type: 'string', required: true }), def({ name: 'plan', type: 'string', maxLength: 2 })];
    expect(validateAttributes(defs, { plan: 'gold' }, [], 'update')).toEqual([]);
    expect(validateAttributes(defs, { plan: 'gold' }, ['plan'], 'update').map((e) => e.field)).toEqual(['attributes.plan']);
    expect(validateAttributes(defs, {}, ['region'], 'update').map((e) => e.message)).toEqual(['attributes.region is required']);
    expect(validateAttributes(defs, {}, [], 'create').map((e) => e.field)).toEqual(['attributes.region']);
    expect(validateAttributes(defs, { shoe: 1 }, ['shoe'], 'update')[0].message).toContain('not an attribute');
  });

  it('indexes unique values case-insensitively and long ones by digest', () => {
    const s = def({ name: 's', type: 'string', unique: true });
    expect(uniqueKeyOf(s, 'ÀBC')).toBe(uniqueKeyOf(s, 'àbc'));
    expect(uniqueKeyOf(def({ name: 'n', type: 'number', unique: true }), 1)).toBe('1');
    expect(uniqueKeyOf(s, 'x'.repeat(1000))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(uniqueKeyOf(s, null)).toBeUndefined();
  });
});
