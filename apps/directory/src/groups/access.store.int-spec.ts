import { DirectoryEventTopics, type DirectoryEvents } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import { Outbox, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { openDatabase } from '@keyline/platform-persistence';
import { TestDatabase, createTestDatabase } from '@keyline/platform-testing';
import type { DataSource } from 'typeorm';
import { newId } from '../core/ids';
import { RoleAssignmentEntity, RoleEntity } from '../roles/role.entity';
import { TypeOrmRoleStore } from '../roles/role.store';
import { DirectoryRoles1764300000001 } from '../roles/roles.migration';
import { EffectiveRoles } from '../roles/effective-roles.service';
import { RolesService } from '../roles/roles.service';
import { TenantEntity } from '../tenants/tenant.entity';
import { DirectoryTenants1764100000000 } from '../tenants/tenants.migration';
import { FixedClock } from '../testing/directory.fakes';
import { UserEntity, UserUniqueValueEntity } from '../users/user.entity';
import { DirectoryUsers1764200000000 } from '../users/users.migration';
import { GroupMembership } from './group-membership.service';
import { GroupEntity, GroupMemberEntity } from './group.entity';
import { TypeOrmGroupStore } from './group.store';
import { DirectoryGroups1764300000000 } from './groups.migration';
import { GroupsService } from './groups.service';

type Stored = { type: string; subject: string; tenantId: string; data: Record<string, unknown> };

/** The TypeORM group and role stores, driven through their services, against a real Postgres. */
describe('group and role stores (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let groups: GroupsService;
  let roles: RolesService;
  let effective: EffectiveRoles;
  let membership: GroupMembership;
  const clock = new FixedClock();

  beforeAll(async () => {
    db = await createTestDatabase('directory_access_store');
    ds = await openDatabase({
      service: 'directory-access-test',
      url: db.url,
      dataDir: '.data',
      entities: [TenantEntity, UserEntity, UserUniqueValueEntity, GroupEntity, GroupMemberEntity, RoleEntity, RoleAssignmentEntity, ...messagingEntities],
      migrations: [...messagingMigrations, DirectoryTenants1764100000000, DirectoryUsers1764200000000, DirectoryGroups1764300000000, DirectoryRoles1764300000001],
    });
    const outbox = new Outbox<DirectoryEvents>(DirectoryEventTopics);
    const roleStore = new TypeOrmRoleStore(ds, outbox);
    effective = new EffectiveRoles(roleStore);
    groups = new GroupsService(new TypeOrmGroupStore(ds, outbox), clock);
    roles = new RolesService(roleStore, effective, clock);
    membership = new GroupMembership(clock);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function tenant(): Promise<{ id: string; as: Principal }> {
    const id = newId();
    await ds.query(`INSERT INTO tenants (id, slug, name, "corsOrigins", "createdAt", "updatedAt") VALUES ($1, $2, 'T', '[]', 0, 0)`, [id, `t-${id.slice(-12)}`]);
    return { id, as: { kind: 'tenant', keyId: newId(), tenantId: id, tenantSlug: `t-${id.slice(-12)}`, scopes: ['admin'] } };
  }

  async function user(tenantId: string, fields: { status?: string; email?: string; displayName?: string } = {}): Promise<string> {
    const id = newId();
    const email = fields.email ?? `${id.slice(-12)}@example.test`;
    await ds.query(
      `INSERT INTO users (id, "tenantId", email, "emailKey", "displayName", status, attributes, "appMetadata", version, "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, '{}', '{}', 1, 0, 0)`,
      [id, tenantId, email, email.toLowerCase(), fields.displayName ?? null, fields.status ?? 'active'],
    );
    return id;
  }

  async function events(tenantId: string): Promise<Stored[]> {
    const rows: { payload: string }[] = await ds.query(`SELECT payload FROM outbox_events WHERE payload::jsonb->>'tenantId' = $1 ORDER BY seq`, [tenantId]);
    return rows.map((r) => JSON.parse(r.payload) as Stored);
  }

  async function problemOf(p: Promise<unknown>): Promise<{ status: number; code: string; errors?: { field: string; message: string }[] }> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    return (err as { toBody(): { status: number; code: string } }).toBody();
  }

  it('finds groups by a case-insensitive name prefix, taking % and _ literally, within the tenant only', async () => {
    const a = await tenant();
    const b = await tenant();
    for (const name of ['Engineering', 'eng_ops', 'ENG%Team', 'Sales', 'Strength']) await groups.create(a.as, a.id, { name });
    await groups.create(b.as, b.id, { name: 'Engineering' });
    const names = async (q?: string) => (await groups.list(a.id, { limit: 50, q })).items.map((g) => g.name);
    expect(await names('eng')).toEqual(['Engineering', 'eng_ops', 'ENG%Team']);
    expect(await names('ENG_')).toEqual(['eng_ops']);
    expect(await names('eng%')).toEqual(['ENG%Team']);
    expect(await names('s')).toEqual(['Sales', 'Strength']);
    expect(await names()).toHaveLength(5);
    const first = await groups.list(a.id, { limit: 2 });
    const second = await groups.list(a.id, { limit: 50, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((g) => g.name)).toEqual(['Engineering', 'eng_ops', 'ENG%Team', 'Sales', 'Strength']);
    const stored = await groups.get(a.id, first.items[0].id);
    expect(stored).toEqual(first.items[0]);
    expect(stored.createdAt).toEqual(clock.now());
  });

  it('lets the unique index decide name races: exactly one of parallel creates wins, for groups and roles', async () => {
    const t = await tenant();
    const names = ['Race', 'race', 'RACE', 'Race', 'rAce', 'race'];
    const settled = await Promise.allSettled(names.map((name) => groups.create(t.as, t.id, { name })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')) {
      expect((s.reason as { toBody(): { code: string } }).toBody().code).toBe('group_name_taken');
    }
    const roleRace = await Promise.allSettled(names.map((name) => roles.create(t.as, t.id, { name })));
    expect(roleRace.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const created = (await events(t.id)).map((e) => e.type);
    expect(created.sort()).toEqual(['group.created', 'role.created']);
  });

  it('persists merge patches with a new version, and rolls back a rename onto a taken name', async () => {
    const t = await tenant();
    const g = await groups.create(t.as, t.id, { name: 'Ops', description: 'Keeps it running' });
    await groups.create(t.as, t.id, { name: 'Dev' });
    clock.advance(1000);
    await groups.update(t.as, t.id, g.id, { name: 'Operations', description: null });
    expect(await groups.get(t.id, g.id)).toEqual(expect.objectContaining({ name: 'Operations', nameKey: 'operations', description: null, version: 2, updatedAt: clock.now() }));
    expect((await problemOf(groups.update(t.as, t.id, g.id, { name: 'DEV' }))).code).toBe('group_name_taken');
    expect((await groups.get(t.id, g.id)).name).toBe('Operations');
    expect((await events(t.id)).filter((e) => e.type === 'group.updated').map((e) => e.data.changes)).toEqual([['name', 'description']]);
  });

  it('adds members from the users table only, all or nothing, and lists them with who they are', async () => {
    const t = await tenant();
    const other = await tenant();
    const g = await groups.create(t.as, t.id, { name: 'Members' });
    const ada = await user(t.id, { email: 'Ada@Example.test', displayName: 'Ada' });
    const bob = await user(t.id, { status: 'suspended' });
    const gone = await user(t.id, { status: 'deleted' });
    const foreign = await user(other.id);
    const p = await problemOf(groups.addMembers(t.as, t.id, g.id, [ada, gone, foreign]));
    expect(p).toEqual(expect.objectContaining({ status: 400, code: 'validation_failed', errors: [expect.objectContaining({ field: 'userIds[1]' }), expect.objectContaining({ field: 'userIds[2]' })] }));
    expect(await ds.getRepository(GroupMemberEntity).countBy({ groupId: g.id })).toBe(0);

    expect((await groups.addMembers(t.as, t.id, g.id, [ada.toUpperCase(), bob])).added).toEqual([ada, bob]);
    expect((await groups.addMembers(t.as, t.id, g.id, [bob])).added).toEqual([]);
    const page = await groups.members(t.id, g.id, { limit: 1 });
    expect(page.items).toEqual([{ userId: ada, email: 'Ada@Example.test', username: null, displayName: 'Ada', status: 'active', addedAt: clock.now() }]);
    expect((await groups.members(t.id, g.id, { limit: 5, cursor: page.nextCursor! })).items.map((m) => m.status)).toEqual(['suspended']);
    expect((await groups.groupsOfUser(t.id, bob, { limit: 5 })).items.map((x) => x.id)).toEqual([g.id]);
    expect((await groups.get(t.id, g.id)).version).toBe(2);

    await groups.removeMember(t.as, t.id, g.id, bob);
    await groups.removeMember(t.as, t.id, g.id, bob);
    expect((await groups.members(t.id, g.id, { limit: 5 })).items.map((m) => m.userId)).toEqual([ada]);
    expect((await events(t.id)).filter((e) => e.type.startsWith('group.members')).map((e) => [e.type, e.data.userIds])).toEqual([
      ['group.members-added', [ada, bob]],
      ['group.members-removed', [bob]],
    ]);
  });

  it('serialises parallel additions to one group: every call succeeds and each user is added once', async () => {
    const t = await tenant();
    const g = await groups.create(t.as, t.id, { name: 'Busy' });
    const users = await Promise.all(Array.from({ length: 6 }, () => user(t.id)));
    const calls = [users.slice(0, 3), users.slice(2, 5), users.slice(1, 6), users, users.slice(4)];
    const results = await Promise.all(calls.map((ids) => groups.addMembers(t.as, t.id, g.id, ids)));
    const added = results.flatMap((r) => r.added);
    expect(added.sort()).toEqual([...users].sort());
    const adding = results.filter((r) => r.added.length).length;
    expect((await groups.get(t.id, g.id)).version).toBe(1 + adding);
    expect((await events(t.id)).filter((e) => e.type === 'group.members-added')).toHaveLength(adding);
  });

  it('deletes a group with its memberships and role assignments in one transaction', async () => {
    const t = await tenant();
    const g = await groups.create(t.as, t.id, { name: 'Doomed' });
    const keep = await groups.create(t.as, t.id, { name: 'Kept' });
    const r = await roles.create(t.as, t.id, { name: 'R' });
    const u = await user(t.id);
    await groups.addMembers(t.as, t.id, g.id, [u]);
    await groups.addMembers(t.as, t.id, keep.id, [u]);
    await roles.assign(t.as, t.id, 'group', g.id, r.id);
    await roles.assign(t.as, t.id, 'group', keep.id, r.id);
    await groups.delete(t.as, t.id, g.id);
    expect(await ds.getRepository(GroupEntity).countBy({ id: g.id })).toBe(0);
    expect(await ds.getRepository(GroupMemberEntity).findBy({ tenantId: t.id })).toEqual([expect.objectContaining({ groupId: keep.id })]);
    expect(await ds.getRepository(RoleAssignmentEntity).findBy({ tenantId: t.id })).toEqual([expect.objectContaining({ subjectId: keep.id })]);
    expect((await problemOf(groups.get(t.id, g.id))).code).toBe('group_not_found');
  });

  it('stores roles with their permissions, assigns idempotently even under races, and computes effective roles', async () => {
    const t = await tenant();
    const admin = await roles.create(t.as, t.id, { name: 'Admin', permissions: ['b:write', 'a:read', 'a:read'] });
    const viewer = await roles.create(t.as, t.id, { name: 'Viewer', description: 'Reads' });
    expect(await roles.get(t.id, admin.id)).toEqual(admin);
    expect(admin.permissions).toEqual(['a:read', 'b:write']);
    const u = await user(t.id);
    const g1 = await groups.create(t.as, t.id, { name: 'Zulu' });
    const g2 = await groups.create(t.as, t.id, { name: 'Alpha' });
    await groups.addMembers(t.as, t.id, g1.id, [u]);
    await groups.addMembers(t.as, t.id, g2.id, [u]);

    await Promise.all(Array.from({ length: 5 }, () => roles.assign(t.as, t.id, 'user', u, admin.id)));
    await roles.assign(t.as, t.id, 'group', g1.id, admin.id);
    await roles.assign(t.as, t.id, 'group', g2.id, admin.id);
    await roles.assign(t.as, t.id, 'group', g2.id, viewer.id);
    expect((await events(t.id)).filter((e) => e.type === 'role.assigned')).toHaveLength(4);

    const got = await effective.forUser(t.id, u);
    expect(got.map((e) => [e.role.name, e.role.permissions, e.sources])).toEqual([
      [
        'Admin',
        ['a:read', 'b:write'],
        [{ type: 'direct' }, { type: 'group', groupId: g2.id, groupName: 'Alpha' }, { type: 'group', groupId: g1.id, groupName: 'Zulu' }],
      ],
      ['Viewer', [], [{ type: 'group', groupId: g2.id, groupName: 'Alpha' }]],
    ]);
    expect((await roles.rolesOfGroup(t.id, g2.id, { limit: 10 })).items.map((r) => r.name)).toEqual(['Admin', 'Viewer']);

    await roles.unassign(t.as, t.id, 'user', u, admin.id);
    await roles.unassign(t.as, t.id, 'user', u, admin.id);
    await roles.delete(t.as, t.id, viewer.id);
    expect((await effective.forUser(t.id, u)).map((e) => [e.role.name, e.sources.length])).toEqual([['Admin', 2]]);
    expect((await events(t.id)).filter((e) => e.type === 'role.unassigned')).toHaveLength(1);
    expect(await ds.getRepository(RoleAssignmentEntity).countBy({ roleId: viewer.id })).toBe(0);
  });

  it('removes a deleted user from every group (bumping versions) and drops its direct roles, in the caller transaction', async () => {
    const t = await tenant();
    const u = await user(t.id);
    const stays = await user(t.id);
    const [g1, g2] = [await groups.create(t.as, t.id, { name: 'One' }), await groups.create(t.as, t.id, { name: 'Two' })];
    await groups.addMembers(t.as, t.id, g1.id, [u, stays]);
    await groups.addMembers(t.as, t.id, g2.id, [u]);
    const r = await roles.create(t.as, t.id, { name: 'Direct' });
    await roles.assign(t.as, t.id, 'user', u, r.id);
    await roles.assign(t.as, t.id, 'user', stays, r.id);
    await roles.assign(t.as, t.id, 'group', g1.id, r.id);
    const before = (await events(t.id)).length;
    clock.advance(60_000);

    const removed = await ds.transaction(async (m) => {
      await m.update(UserEntity, { tenantId: t.id, id: u }, { status: 'deleted' });
      return membership.removeUserEverywhere(m, t.id, u);
    });
    expect(removed.sort()).toEqual([g1.id, g2.id].sort());
    expect((await groups.members(t.id, g1.id, { limit: 5 })).items.map((m) => m.userId)).toEqual([stays]);
    expect(await ds.getRepository(GroupMemberEntity).countBy({ userId: u })).toBe(0);
    for (const g of [g1, g2]) expect(await groups.get(t.id, g.id)).toEqual(expect.objectContaining({ version: 3, updatedAt: clock.now() }));
    expect(await ds.getRepository(RoleAssignmentEntity).findBy({ tenantId: t.id, subjectType: 'user' })).toEqual([expect.objectContaining({ subjectId: stays })]);
    expect(await ds.getRepository(RoleAssignmentEntity).countBy({ tenantId: t.id, subjectType: 'group' })).toBe(1);
    expect((await events(t.id)).length).toBe(before);

    // A transaction that fails afterwards takes the cleanup back with it.
    const kept = await user(t.id);
    await groups.addMembers(t.as, t.id, g2.id, [kept]);
    await expect(
      ds.transaction(async (m) => {
        await membership.removeUserEverywhere(m, t.id, kept);
        throw new Error('deletion failed');
      }),
    ).rejects.toThrow('deletion failed');
    expect((await groups.members(t.id, g2.id, { limit: 5 })).items.map((m) => m.userId)).toEqual([kept]);
  });
});
