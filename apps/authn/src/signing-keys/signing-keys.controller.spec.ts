import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, PlatformHttpModule, type Principal, encodePrincipal } from '@keyline/platform-http';
import { Metrics } from '@keyline/platform-observability';
import { DataSource } from 'typeorm';
import { AuthnEventsService } from '../core/authn-events';
import { Clock } from '../core/clock';
import { AuthnKeys } from '../core/keys';
import { recordingLogger } from '../mail/mail.testing';
import { SigningKeysModule } from './signing-keys.module';
import { SigningKeysService } from './signing-keys.service';
import { signingKeysDataSource, signingKeysHarness } from './signing-keys.testing';

const INTERNAL = 'internal-token-for-tests';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

describe('/v1/signing-keys', () => {
  let dir: string;
  let ds: DataSource;
  let app: NestFastifyApplication;
  let base: string;
  let service: SigningKeysService;
  const tenantId = randomUUID();
  const admin: Principal = { kind: 'tenant', keyId: randomUUID(), tenantId, tenantSlug: 'acme', scopes: ['admin'] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kl-signing-keys-http-'));
    ds = await signingKeysDataSource({ dataDir: dir });
    const h = signingKeysHarness(ds);
    // What CoreModule and PersistenceModule give the real app.
    @Global()
    @Module({
      providers: [
        { provide: DataSource, useValue: ds },
        { provide: AuthnKeys, useValue: h.keys },
        { provide: AuthnEventsService, useValue: h.events },
        { provide: Clock, useValue: h.clock },
      ],
      exports: [DataSource, AuthnKeys, AuthnEventsService, Clock],
    })
    class TestCoreModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformHttpModule.forRoot({ service: 'authn', internalToken: INTERNAL, logger: recordingLogger().logger, metrics: new Metrics('authn') }),
        TestCoreModule,
        SigningKeysModule.forRoot({ publishSeconds: 300 }),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    service = app.get(SigningKeysService);
  });
  afterAll(async () => {
    await app?.close();
    await ds?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, as: Principal, json?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { [INTERNAL_TOKEN_HEADER]: INTERNAL, [PRINCIPAL_HEADER]: encodePrincipal(as), ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as { items: Record<string, unknown>[] }) : undefined };
  };

  it('lists the active key of each alg with its lifecycle and nothing else', async () => {
    const res = await call('GET', '/v1/signing-keys', admin);
    expect(res.status).toBe(200);
    expect(res.body!.items.map((k) => [k.alg, k.status])).toEqual([
      ['ES256', 'active'],
      ['RS256', 'active'],
      ['EdDSA', 'active'],
    ]);
    for (const k of res.body!.items) expect(Object.keys(k).sort()).toEqual(['activatesAt', 'alg', 'createdAt', 'expiresAt', 'kid', 'retiredAt', 'status']);
  });

  it('rotates: 201 with the new keys, published as next, and the listing shows them', async () => {
    const res = await call('POST', '/v1/signing-keys/rotate', admin, { alg: 'EdDSA', publishSeconds: 120 });
    expect(res.status).toBe(201);
    expect(res.body!.items).toEqual([expect.objectContaining({ alg: 'EdDSA', status: 'next', retiredAt: null, expiresAt: null })]);
    const listed = await call('GET', '/v1/signing-keys', admin);
    expect(listed.body!.items.map((k) => k.kid)).toContain(res.body!.items[0].kid);

    const all = await call('POST', '/v1/signing-keys/rotate', admin, {});
    expect(all.status).toBe(201);
    // The module's publishSeconds (300) when the request gives none.
    const delays = all.body!.items.map((k) => Date.parse(k.activatesAt as string) - Date.parse(k.createdAt as string));
    expect(delays).toEqual([300_000, 300_000, 300_000]);
    expect(all.body!.items.map((k) => k.alg)).toEqual(['ES256', 'RS256', 'EdDSA']);
  });

  it('never shows private key material, sealed or not', async () => {
    const listed = (await call('GET', '/v1/signing-keys', admin)).text;
    for (const key of await service.signingKeys(tenantId)) {
      for (const m of PRIVATE_MEMBERS) {
        const value = (key as unknown as Record<string, string | undefined>)[m];
        if (!value) continue;
        expect(listed).not.toContain(value);
      }
    }
    expect(listed).not.toMatch(/"(d|p|q|dp|dq|qi|privateJwkSealed|publicJwk)"/);
  });

  it.each([
    [{ alg: 'HS256' }, 'alg'],
    [{ alg: 'ES384' }, 'alg'],
    [{ publishSeconds: 86_401 }, 'publishSeconds'],
    [{ publishSeconds: -1 }, 'publishSeconds'],
    [{ publishSeconds: '60' }, 'publishSeconds'],
    [{ kid: 'mine' }, 'kid'],
  ])('refuses the rotation %j (400, naming %s)', async (body, field) => {
    const res = await call('POST', '/v1/signing-keys/rotate', admin, body);
    expect(res.status).toBe(400);
    expect(res.text).toContain(field);
  });

  it('needs the admin scope and a tenant key', async () => {
    const reader: Principal = { ...admin, scopes: ['users:read'] };
    expect((await call('GET', '/v1/signing-keys', reader)).status).toBe(403);
    expect((await call('POST', '/v1/signing-keys/rotate', reader, {})).status).toBe(403);
    const platform: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };
    expect((await call('GET', '/v1/signing-keys', platform)).status).toBe(403);
  });
});
