import { randomUUID } from 'node:crypto';
import { AuthnEventTopics, type AuthnEvents } from '@keyline/authn-contracts';
import { type ProblemException } from '@keyline/platform-http';
import { Outbox, OutboxEventEntity, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { DataSource } from 'typeorm';
import { AuthnEventsService } from '../core/authn-events';
import { Clock } from '../core/clock';
import { AuthnKeys } from '../core/keys';
import { SecretBox } from '../crypto/secret-box';
import { ApplicationEntity } from './application.entity';
import { AuthnApplications1764700000000 } from './applications.migration';
import { ApplicationsService } from './applications.service';
import { ClientCredentials, verifyClientSecret } from './client-secret';

class FixedClock extends Clock {
  ms = Date.parse('2030-01-01T12:00:00Z');
  override now(): Date {
    return new Date(this.ms);
  }
  override nowMs(): number {
    return this.ms;
  }
}

type Envelope = { type: string; tenantId: string; actor: string; subject: string; data: Record<string, unknown> };

/** The service on embedded SQLite (the dialect-neutral migration, the real outbox), with a pinned clock. */
describe('ApplicationsService (SQLite)', () => {
  let ds: DataSource;
  let clock: FixedClock;
  let service: ApplicationsService;
  const keys = new AuthnKeys(SecretBox.generateKeySpec('t1'));
  const acme = { tenantId: randomUUID(), actor: 'api-key:acme' };
  const globex = { tenantId: randomUUID(), actor: 'api-key:globex' };
  const webInput = { name: 'Shop', type: 'web', redirectUris: ['https://shop.example.com/callback'] };

  const problem = async (p: Promise<unknown>): Promise<{ status: number; code: string; fields: string[] }> => {
    const err = (await p.then(
      () => undefined,
      (e: unknown) => e,
    )) as ProblemException | undefined;
    if (!err) throw new Error('expected a problem');
    return { status: err.getStatus(), code: err.code, fields: (err.errors ?? []).map((e) => e.field) };
  };
  const outbox = async (subject?: string): Promise<Envelope[]> =>
    (await ds.manager.find(OutboxEventEntity, { order: { seq: 'ASC' } }))
      .map((r) => JSON.parse(r.payload) as Envelope)
      .filter((e) => subject === undefined || e.subject === subject);

  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [...messagingEntities, ApplicationEntity],
      migrations: [...messagingMigrations, AuthnApplications1764700000000],
    });
    await ds.initialize();
    await ds.runMigrations();
    clock = new FixedClock();
    const events = new AuthnEventsService(ds, new Outbox<AuthnEvents>(AuthnEventTopics));
    service = new ApplicationsService(ds, events, new ClientCredentials(keys), clock);
  });
  afterEach(() => ds.destroy());

  it('creates a confidential client with a secret it stores only as a keyed hash, and announces it without the secret', async () => {
    const { app, clientSecret } = await service.create(acme, webInput);
    expect(clientSecret).toMatch(/^klcs_/);
    const row = await ds.manager.findOneByOrFail(ApplicationEntity, { id: app.id });
    expect(row).toEqual(expect.objectContaining({ tenantId: acme.tenantId, type: 'web', version: 1, refreshTokenRotation: true, redirectUris: webInput.redirectUris }));
    expect(row.secretHash).not.toContain(clientSecret);
    expect(verifyClientSecret(keys, clientSecret as string, row, clock.now())).toBe(true);

    const [event] = await outbox(app.id);
    expect(event).toEqual(expect.objectContaining({ type: 'application.created', tenantId: acme.tenantId, actor: acme.actor, subject: app.id }));
    expect(event.data).toEqual(expect.objectContaining({ id: app.id, clientId: app.clientId, name: 'Shop', tenantId: acme.tenantId }));
    const raw = JSON.stringify(await ds.manager.find(OutboxEventEntity));
    expect(raw).not.toContain(clientSecret);
    expect(raw).not.toContain(row.secretHash);
    expect(raw).not.toMatch(/secretHash|klcs_/);
  });

  it('creates public clients without a secret and refuses invalid input without writing anything', async () => {
    const { app, clientSecret } = await service.create(acme, { name: 'SPA', type: 'spa', redirectUris: ['https://app.example.com/cb'] });
    expect(clientSecret).toBeNull();
    expect(app.secretHash).toBeNull();
    expect(await problem(service.create(acme, { ...webInput, redirectUris: ['https://*.example.com/cb'] }))).toEqual({ status: 400, code: 'validation_failed', fields: ['redirectUris[0]'] });
    expect(await ds.manager.count(ApplicationEntity)).toBe(1);
    expect(await outbox()).toHaveLength(1);
  });

  it('applies a merge patch with a new version and the changed fields, and writes nothing for a patch without changes', async () => {
    const { app } = await service.create(acme, webInput);
    clock.ms += 1000;
    const next = await service.update(acme, app.id, { name: 'Shop 2', scopes: ['openid'], accessTokenTtlSeconds: 900 });
    expect(next).toEqual(expect.objectContaining({ name: 'Shop 2', scopes: ['openid'], version: 2, updatedAt: clock.now(), createdAt: app.createdAt }));
    expect(await service.get(acme.tenantId, app.id)).toEqual(expect.objectContaining({ name: 'Shop 2', scopes: ['openid'], version: 2, secretHash: app.secretHash }));
    const same = await service.update(acme, app.id, { name: 'Shop 2' });
    expect(same.version).toBe(2);
    const events = await outbox(app.id);
    expect(events.map((e) => e.type)).toEqual(['application.created', 'application.updated']);
    expect(events[1].data.changes).toEqual(['name', 'scopes']);
  });

  it('writes only at the version If-Match names (412 otherwise)', async () => {
    const { app } = await service.create(acme, webInput);
    await service.update(acme, app.id, { name: 'A' }, 1);
    expect(await problem(service.update(acme, app.id, { name: 'B' }, 1))).toEqual({ status: 412, code: 'precondition_failed', fields: [] });
    expect(await problem(service.delete(acme, app.id, 1))).toEqual(expect.objectContaining({ status: 412 }));
    expect((await service.get(acme.tenantId, app.id)).name).toBe('A');
  });

  it("answers 404 for another tenant's application and never lists it", async () => {
    const { app } = await service.create(acme, webInput);
    const notFound = { status: 404, code: 'application_not_found', fields: [] };
    expect(await problem(service.get(globex.tenantId, app.id))).toEqual(notFound);
    expect(await problem(service.update(globex, app.id, { name: 'Mine' }))).toEqual(notFound);
    expect(await problem(service.delete(globex, app.id))).toEqual(notFound);
    expect(await problem(service.rotateSecret(globex, app.id, 60))).toEqual(notFound);
    expect(await problem(service.get(acme.tenantId, 'not-a-uuid'))).toEqual(notFound);
    expect((await service.list(globex.tenantId, {})).items).toEqual([]);
    expect((await service.get(acme.tenantId, app.id)).name).toBe('Shop');
  });

  it('pages through the live applications of a tenant by id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await service.create(acme, { ...webInput, name: `App ${i}` })).app.id);
    await service.create(globex, webInput);
    await service.delete(acme, ids[2]);
    const first = await service.list(acme.tenantId, { limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await service.list(acme.tenantId, { limit: 3, cursor: first.nextCursor as string });
    expect(second.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items].map((a) => a.id);
    expect(seen).toEqual(ids.filter((id) => id !== ids[2]).sort());
    expect(await problem(service.list(acme.tenantId, { cursor: 'garbage' }))).toEqual({ status: 400, code: 'validation_failed', fields: ['cursor'] });
  });

  it('rotates a secret, keeping the previous one valid for the grace period only', async () => {
    const { app, clientSecret: first } = await service.create(acme, { name: 'Batch', type: 'machine' });
    const rotated = await service.rotateSecret(acme, app.id, 3600);
    expect(rotated.clientSecret).not.toBe(first);
    expect(rotated.app.previousSecretExpiresAt).toEqual(new Date(clock.ms + 3600_000));
    const row = await ds.manager.findOneByOrFail(ApplicationEntity, { id: app.id });
    expect(row.version).toBe(2);
    expect(verifyClientSecret(keys, rotated.clientSecret, row, clock.now())).toBe(true);
    expect(verifyClientSecret(keys, first as string, row, clock.now())).toBe(true);
    expect(verifyClientSecret(keys, first as string, row, new Date(clock.ms + 3600_000))).toBe(false);

    const again = await service.rotateSecret(acme, app.id, 0);
    const after = await ds.manager.findOneByOrFail(ApplicationEntity, { id: app.id });
    expect(again.app.previousSecretExpiresAt).toBeNull();
    expect(verifyClientSecret(keys, rotated.clientSecret, after, clock.now())).toBe(false);
    expect(verifyClientSecret(keys, again.clientSecret, after, clock.now())).toBe(true);

    const events = await outbox(app.id);
    expect(events.map((e) => e.type)).toEqual(['application.created', 'application.secret-rotated', 'application.secret-rotated']);
    const raw = JSON.stringify(events);
    for (const s of [first, rotated.clientSecret, again.clientSecret]) expect(raw).not.toContain(s);
  });

  it('refuses to rotate the secret of a public client (409 public_client)', async () => {
    const { app } = await service.create(acme, { name: 'iOS', type: 'native', redirectUris: ['com.example.app:/cb'] });
    expect(await problem(service.rotateSecret(acme, app.id, 0))).toEqual({ status: 409, code: 'public_client', fields: [] });
  });

  it('finds live clients by client id across tenants, from memory for 2 s, and forgets them on every write here', async () => {
    const { app } = await service.create(acme, webInput);
    expect(await service.findByClientId(app.clientId)).toEqual(expect.objectContaining({ id: app.id, tenantId: acme.tenantId }));
    expect(await service.findByClientId('unknown')).toBeNull();

    // A change made elsewhere (another instance) shows once the cached answer is 2 s old.
    await ds.manager.update(ApplicationEntity, { id: app.id }, { name: 'Elsewhere' });
    expect((await service.findByClientId(app.clientId))?.name).toBe('Shop');
    clock.ms += 2000;
    expect((await service.findByClientId(app.clientId))?.name).toBe('Elsewhere');

    // A deletion here is seen at once.
    await service.delete(acme, app.id);
    expect(await service.findByClientId(app.clientId)).toBeNull();
    expect(await problem(service.get(acme.tenantId, app.id))).toEqual(expect.objectContaining({ status: 404 }));
    const deleted = (await outbox(app.id)).pop();
    expect(deleted).toEqual(expect.objectContaining({ type: 'application.deleted' }));
    expect(deleted?.data).toEqual(expect.objectContaining({ id: app.id, deletedAt: clock.now().toISOString() }));
  });
});
