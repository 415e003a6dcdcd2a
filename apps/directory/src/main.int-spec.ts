import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY_RESOLVE_PATH } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import { ServiceProcess, startServiceProcess, testKafkaBrokers, testRedisDb } from '@keyline/platform-testing';
import { directoryClient } from './testing/directory.client';

const ADMIN_LINE = /^KEYLINE_PLATFORM_ADMIN_KEY=(\S+)$/gm;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('directory on its default embedded SQLite (no DATABASE_URL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyline-directory-'));
  const internalToken = randomBytes(24).toString('base64url');
  const env = {
    DATABASE_URL: '',
    PLATFORM_ADMIN_API_KEY: '',
    DATA_DIR: dataDir,
    REDIS_URL: testRedisDb(),
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    INTERNAL_TOKEN: internalToken,
  };
  const platform: Principal = { kind: 'platform', keyId: 'sqlite-test', scopes: ['admin'] };
  let svc: ServiceProcess | undefined;

  afterAll(async () => {
    await svc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates the platform admin key once, prints it as one plain line and keeps state across restarts', async () => {
    svc = await startServiceProcess('directory', env);
    let call = directoryClient(svc.url, internalToken);
    expect(existsSync(join(dataDir, 'directory.sqlite'))).toBe(true);
    expect((await fetch(`${svc.url}/health/ready`)).status).toBe(200);

    const lines = [...svc.output().matchAll(ADMIN_LINE)];
    expect(lines).toHaveLength(1);
    const adminKey = lines[0][1];
    expect(adminKey).toMatch(/^kl_admin_[A-Za-z0-9_-]{43}$/);
    // Printed once, never through the structured logger.
    expect(svc.output().split(adminKey)).toHaveLength(2);
    const platformRecord = (await call('POST', API_KEY_RESOLVE_PATH, { json: { hash: sha256(adminKey) } })).body;
    expect(platformRecord).toEqual({ kind: 'platform', keyId: expect.any(String), scopes: ['admin'] });

    const slug = `sqlite-${randomBytes(3).toString('hex')}`;
    const tenant = await call<{ id: string }>('POST', '/v1/tenants', { as: platform, json: { slug, name: 'On SQLite' } });
    expect(tenant.status).toBe(201);
    expect((await call('POST', '/v1/tenants', { as: platform, json: { slug, name: 'Again' } })).status).toBe(409);
    const key = await call<{ id: string; key: string }>('POST', `/v1/tenants/${slug}/api-keys`, { as: platform, json: { name: 'k', scopes: ['admin'] } });
    expect(key.status).toBe(201);
    expect((await call('DELETE', `/v1/tenants/${slug}/api-keys/${key.body.id}`, { as: platform })).status).toBe(204);

    expect(await svc.stop()).toBe(0);
    svc = await startServiceProcess('directory', env);
    call = directoryClient(svc.url, internalToken);
    expect(svc.output()).not.toMatch(ADMIN_LINE);
    expect((await call('POST', API_KEY_RESOLVE_PATH, { json: { hash: sha256(adminKey) } })).body).toEqual(platformRecord);
    expect((await call<{ id: string }>('GET', `/v1/tenants/${slug}`, { as: platform })).body.id).toBe(tenant.body.id);
    expect((await call('POST', API_KEY_RESOLVE_PATH, { json: { hash: sha256(key.body.key) } })).body).toEqual({ kind: 'revoked', keyId: key.body.id, revoked: true });
  });
});
