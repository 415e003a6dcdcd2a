import { UserEntity } from './user.entity';
import { applyProfile, mergePatch, userData } from './user.profile';

const base = (): UserEntity =>
  Object.assign(new UserEntity(), {
    id: '018f0000-0000-7000-8000-000000000001',
    tenantId: '018f0000-0000-7000-8000-0000000000aa',
    email: 'Ada@Example.com',
    emailKey: 'ada@example.com',
    emailVerified: true,
    phoneNumber: null,
    phoneKey: null,
    phoneNumberVerified: false,
    username: null,
    usernameKey: null,
    externalId: null,
    givenName: 'Ada',
    familyName: null,
    displayName: null,
    givenNameKey: 'ada',
    familyNameKey: null,
    locale: null,
    picture: null,
    status: 'active',
    attributes: { plan: 'gold', birthDate: '1815-12-10' },
    appMetadata: { tier: 'vip', nested: { a: 1 } },
    enterprise: null,
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    lastLoginAt: null,
    deletedAt: null,
  } satisfies UserEntity);

describe('user profile changes', () => {
  it('merges like RFC 7396: null removes, objects merge recursively, arrays replace', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: null, b: { c: null, x: 1 }, e: [2] })).toEqual({ b: { d: 3, x: 1 }, e: [2] });
  });

  it('un-verifies a changed email unless the same write verifies it, and keeps keys lower-cased', () => {
    const { next, changes } = applyProfile(base(), { email: 'NEW@example.com' }, [], 'update');
    expect(next.emailVerified).toBe(false);
    expect(next.emailKey).toBe('new@example.com');
    expect(changes).toEqual(['email']);
    expect(applyProfile(base(), { email: 'new@example.com', emailVerified: true }, [], 'update').next.emailVerified).toBe(true);
  });

  it('refuses to clear the last identifier', () => {
    expect(applyProfile(base(), { email: null }, [], 'update').errors[0].message).toContain('at least one identifier');
  });

  it('names changed fields, including attribute and appMetadata keys, and nothing for a no-op', () => {
    const defs = [{ name: 'plan', type: 'string' as const, required: false, unique: false, sensitivity: 'public' as const, userEditable: false }];
    const { changes } = applyProfile(base(), { givenName: 'Ada', attributes: { plan: 'silver' }, appMetadata: { nested: { b: 2 } } }, defs, 'update');
    expect(changes).toEqual(['attributes.plan', 'appMetadata.nested']);
  });

  it('keeps sensitive and unschematised attribute values out of events', () => {
    const defs = [
      { name: 'plan', type: 'string' as const, required: false, unique: false, sensitivity: 'public' as const, userEditable: false },
      { name: 'birthDate', type: 'date' as const, required: false, unique: false, sensitivity: 'sensitive' as const, userEditable: true },
    ];
    expect(userData(base(), defs).attributes).toEqual({ plan: 'gold' });
    expect(userData(base(), []).attributes).toEqual({});
  });
});
