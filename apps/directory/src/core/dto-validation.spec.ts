import { PlatformException, validationPipe } from '@keyline/platform-http';
import { ApiKeyCreateDto } from '../api-keys/dto/api-key-create.dto';
import { ApiKeyResolveDto } from '../api-keys/dto/api-key-resolve.dto';
import { TenantCreateDto } from '../tenants/dto/tenant-create.dto';
import { TenantUpdateDto } from '../tenants/dto/tenant-update.dto';
import { PageQueryDto } from '@keyline/platform-http';

type Dto = new () => object;

/** Runs the service's global ValidationPipe on a body; returns the DTO or the field errors. */
async function validate(metatype: Dto, value: unknown, type: 'body' | 'query' = 'body') {
  try {
    return { dto: (await validationPipe().transform(value, { type, metatype })) as Record<string, unknown>, fields: [] as string[], errors: [] };
  } catch (err) {
    if (!(err instanceof PlatformException)) throw err;
    const body = err.toBody();
    expect(body.code).toBe('validation_failed');
    return { dto: undefined, fields: [...new Set((body.errors ?? []).map((e) => e.field))], errors: body.errors ?? [] };
  }
}

describe('request validation', () => {
  describe('TenantCreateDto', () => {
    it('accepts a valid tenant and trims its name', async () => {
      const { dto } = await validate(TenantCreateDto, { slug: 'acme-1', name: '  Acme Inc ', corsOrigins: ['https://app.acme.com'] });
      expect(dto).toEqual(expect.objectContaining({ slug: 'acme-1', name: 'Acme Inc' }));
    });

    it.each(['Acme', 'a', 'ab', '-acme', 'acme-', 'ac_me', 'a'.repeat(64), 'acme inc'])('rejects the slug %p with a field error', async (slug) => {
      const { fields, errors } = await validate(TenantCreateDto, { slug, name: 'x' });
      expect(fields).toEqual(['slug']);
      expect(errors).toHaveLength(1);
    });

    it('names unknown fields, wrong types and bad origins', async () => {
      const { fields } = await validate(TenantCreateDto, { slug: 42, name: ['x'], corsOrigins: ['*'], colour: 'red' });
      expect(fields.sort()).toEqual(['colour', 'corsOrigins', 'name', 'slug']);
    });

    it('rejects a blank or over-long name and a missing body', async () => {
      expect((await validate(TenantCreateDto, { slug: 'acme', name: '   ' })).fields).toEqual(['name']);
      expect((await validate(TenantCreateDto, { slug: 'acme', name: 'x'.repeat(201) })).fields).toEqual(['name']);
      expect((await validate(TenantCreateDto, { slug: 'acme', name: 'a\u0000b' })).fields).toEqual(['name']);
      expect((await validate(TenantCreateDto, undefined)).fields.sort()).toEqual(['name', 'slug']);
    });
  });

  describe('TenantUpdateDto', () => {
    it('accepts partial changes and nothing at all', async () => {
      expect((await validate(TenantUpdateDto, { name: 'New' })).dto).toEqual({ name: 'New' });
      expect((await validate(TenantUpdateDto, {})).dto).toEqual({});
    });

    it('rejects null, the slug and bad origins', async () => {
      expect((await validate(TenantUpdateDto, { name: null })).fields).toEqual(['name']);
      expect((await validate(TenantUpdateDto, { corsOrigins: null })).fields).toEqual(['corsOrigins']);
      expect((await validate(TenantUpdateDto, { slug: 'other' })).fields).toEqual(['slug']);
      expect((await validate(TenantUpdateDto, { corsOrigins: ['https://a.com/path'] })).fields).toEqual(['corsOrigins']);
    });
  });

  describe('ApiKeyCreateDto', () => {
    it('accepts known scopes', async () => {
      const { dto } = await validate(ApiKeyCreateDto, { name: 'backend', scopes: ['admin', 'tenants:read'] });
      expect(dto).toEqual({ name: 'backend', scopes: ['admin', 'tenants:read'] });
    });

    it('rejects unknown, missing and mistyped scopes on the scopes field', async () => {
      for (const scopes of [['admin', 'root'], [], 'admin', undefined, [42]]) {
        expect((await validate(ApiKeyCreateDto, { name: 'x', scopes })).fields).toEqual(['scopes']);
      }
      expect((await validate(ApiKeyCreateDto, { name: 42, scopes: 'admin' })).fields.sort()).toEqual(['name', 'scopes']);
    });
  });

  it('ApiKeyResolveDto takes only a lowercase hex SHA-256', async () => {
    expect((await validate(ApiKeyResolveDto, { hash: 'a'.repeat(64) })).dto).toEqual({ hash: 'a'.repeat(64) });
    for (const hash of ['A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64), 42]) {
      expect((await validate(ApiKeyResolveDto, { hash })).fields).toEqual(['hash']);
    }
  });

  it('PageQueryDto defaults the limit and bounds it to 1..200', async () => {
    expect((await validate(PageQueryDto, {}, 'query')).dto).toEqual({ limit: 50 });
    expect((await validate(PageQueryDto, { limit: '200', cursor: 'abc' }, 'query')).dto).toEqual({ limit: 200, cursor: 'abc' });
    for (const limit of ['0', '201', 'ten', '1.5', '']) {
      expect((await validate(PageQueryDto, { limit }, 'query')).fields).toEqual(['limit']);
    }
  });
});
