import { mergeOpenApi } from './openapi.merge';

const directory = {
  openapi: '3.1.0',
  paths: {
    '/v1/users/{id}': { get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } } } } } },
    '/internal/api-keys/resolve': { post: { responses: {} } },
    '/health/live': { get: { responses: {} } },
    '/v1/audit/events': { get: { responses: {} } }, // not the directory's route: dropped
  },
  components: { schemas: { Page: { type: 'object', properties: { items: { type: 'array' } } }, Shared: { type: 'string' } } },
  tags: [{ name: 'users' }],
};
const audit = {
  openapi: '3.1.0',
  paths: {
    '/v1/audit/events': { get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } } } } } },
  },
  components: { schemas: { Page: { type: 'object', properties: { events: { type: 'array' } } }, Shared: { type: 'string' } } },
  tags: [{ name: 'audit' }, { name: 'users' }],
};
const authn = {
  paths: { '/t/{slug}/oauth/token': { post: { security: [{ clientBasic: [] }], responses: {} } }, '/t/{slug}/jwks': { get: { responses: {} } } },
  components: { securitySchemes: { clientBasic: { type: 'http', scheme: 'basic' } } },
};

describe('mergeOpenApi', () => {
  const doc = mergeOpenApi(
    [
      { service: 'directory', doc: directory },
      { service: 'audit', doc: audit },
      { service: 'authn', doc: authn },
    ],
    { publicUrl: 'https://id.example.com', unavailable: ['consent'] },
  ) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an arbitrary JSON document

  it('is an OpenAPI 3.1 document served from PUBLIC_URL with the bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://id.example.com' }]);
    expect(doc.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.securitySchemes.clientBasic).toEqual({ type: 'http', scheme: 'basic' });
    expect(doc['x-keyline-unavailable']).toEqual(['consent']);
  });

  it("keeps only the paths the gateway routes to each service", () => {
    expect(Object.keys(doc.paths).sort()).toEqual(['/t/{slug}/jwks', '/t/{slug}/oauth/token', '/v1/audit/events', '/v1/users/{id}']);
  });

  it('renames colliding schemas and rewrites their references', () => {
    // Services are merged in name order, so the result does not depend on which answered first.
    expect(doc.components.schemas.Page).toEqual(audit.components.schemas.Page);
    expect(doc.components.schemas.DirectoryPage).toEqual(directory.components.schemas.Page);
    expect(doc.components.schemas.Shared).toEqual({ type: 'string' });
    expect(doc.components.schemas.DirectoryShared).toBeUndefined();
    const ref = (p: string) => doc.paths[p].get.responses['200'].content['application/json'].schema.$ref;
    expect(ref('/v1/users/{id}')).toBe('#/components/schemas/DirectoryPage');
    expect(ref('/v1/audit/events')).toBe('#/components/schemas/Page');
  });

  it('marks API-key routes with the scheme and gateway errors, and passthrough routes with their own', () => {
    const users = doc.paths['/v1/users/{id}'].get;
    expect(users.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(users.responses)).toEqual(expect.arrayContaining(['200', '401', '413', '429', '503']));
    expect(doc.paths['/t/{slug}/oauth/token'].post.security).toEqual([{ clientBasic: [] }]);
    expect(doc.paths['/t/{slug}/jwks'].get.security).toEqual([]);
    expect(doc.paths['/t/{slug}/jwks'].get.responses['401']).toBeUndefined();
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(['audit', 'users']);
  });
});
