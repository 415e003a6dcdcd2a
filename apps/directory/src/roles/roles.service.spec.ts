import { ProblemException } from '@keyline/platform-http';
import { newId } from '../core/ids';
import { FakeGroupStore, InMemoryDirectory } from '../groups/groups.fakes';
import { GroupsService } from '../groups/groups.service';
import { FixedClock, tenantCaller } from '../testing/directory.fakes';
import { EffectiveRoles } from './effective-roles.service';
import { FakeRoleStore } from './roles.fakes';
import { RolesService } from './roles.service';

const acme = { id: newId(), slug: 'acme' };
const globex = { id: newId(), slug: 'globex' };
const caller = tenantCaller(acme, ['users:write']);
const globexCaller = tenantCaller(globex, ['users:write']);

function setup() {
  const db = new InMemoryDirectory();
  const store = new FakeRoleStore(db);
  const clock = new FixedClock();
  const effective = new EffectiveRoles(store);
  return { db, store, clock, effective, roles: new RolesService(store, effective, clock), groups: new GroupsService(new FakeGroupStore(db), clock) };
}

async function problemOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemException);
  return (err as ProblemException).toBody();
}

describe('RolesService', () => {
  describe('create and change', () => {
    it('stores a role with sorted, distinct permissions and its role.created event', async () => {
      const { roles, db, clock } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Billing admin', description: 'Invoices', permissions: ['invoices:write', 'invoices:read', 'invoices:write'] });
      expect(r).toEqual(
        expect.objectContaining({ tenantId: acme.id, name: 'Billing admin', nameKey: 'billing admin', permissions: ['invoices:read', 'invoices:write'], version: 1, createdAt: clock.now() }),
      );
      expect(db.events).toEqual([
        {
          type: 'role.created',
          meta: { tenantId: acme.id, actor: `api-key:${caller.keyId}`, subject: r.id, occurredAt: clock.now() },
          data: { id: r.id, tenantId: acme.id, name: 'Billing admin', description: 'Invoices', permissions: ['invoices:read', 'invoices:write'] },
        },
      ]);
      expect((await roles.create(caller, acme.id, { name: 'Empty' })).permissions).toEqual([]);
    });

    it('answers 409 role_name_taken for a taken name in any case, on create and on rename', async () => {
      const { roles, db } = setup();
      await roles.create(caller, acme.id, { name: 'Admin' });
      const viewer = await roles.create(caller, acme.id, { name: 'Viewer' });
      expect(await problemOf(roles.create(caller, acme.id, { name: 'ADMIN' }))).toEqual(expect.objectContaining({ status: 409, code: 'role_name_taken' }));
      expect((await problemOf(roles.update(caller, acme.id, viewer.id, { name: 'admin' }))).code).toBe('role_name_taken');
      expect(db.roles.size).toBe(2);
      expect(db.events).toHaveLength(2);
      await expect(roles.create(globexCaller, globex.id, { name: 'Admin' })).resolves.toBeDefined();
    });

    it('patches permissions and description in one role.updated event; a no-op writes nothing', async () => {
      const { roles, db, clock } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Support', description: 'Helps', permissions: ['tickets:read'] });
      clock.advance(1000);
      expect(await roles.update(caller, acme.id, r.id, { permissions: ['tickets:read', 'tickets:read'], description: 'Helps ' })).toEqual(r);
      expect(db.events).toHaveLength(1);
      const u = await roles.update(caller, acme.id, r.id, { permissions: ['tickets:write', 'tickets:read'], description: null });
      expect(u).toEqual(expect.objectContaining({ permissions: ['tickets:read', 'tickets:write'], description: null, version: 2, updatedAt: clock.now() }));
      expect(db.events[1]).toEqual({
        type: 'role.updated',
        meta: expect.objectContaining({ subject: r.id }),
        data: { id: r.id, tenantId: acme.id, name: 'Support', description: null, permissions: ['tickets:read', 'tickets:write'], changes: ['description', 'permissions'] },
      });
    });

    it("answers another tenant's role, a missing one and a non-id alike: 404 role_not_found", async () => {
      const { roles } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Admin' });
      for (const p of [
        roles.get(globex.id, r.id),
        roles.get(acme.id, newId()),
        roles.get(acme.id, '42'),
        roles.update(globexCaller, globex.id, r.id, { name: 'Mine' }),
        roles.delete(globexCaller, globex.id, r.id),
      ]) {
        expect(await problemOf(p)).toEqual(expect.objectContaining({ status: 404, code: 'role_not_found' }));
      }
      expect((await roles.get(acme.id, r.id)).name).toBe('Admin');
    });

    it('lists by case-insensitive name prefix, only within the tenant', async () => {
      const { roles } = setup();
      for (const name of ['Billing admin', 'billing viewer', 'Support']) await roles.create(caller, acme.id, { name });
      await roles.create(globexCaller, globex.id, { name: 'Billing' });
      expect((await roles.list(acme.id, { limit: 10, q: 'BILL' })).items.map((r) => r.name)).toEqual(['Billing admin', 'billing viewer']);
      const page = await roles.list(acme.id, { limit: 2 });
      expect(page.items).toHaveLength(2);
      expect((await roles.list(acme.id, { limit: 2, cursor: page.nextCursor! })).items.map((r) => r.name)).toEqual(['Support']);
    });

    it('deletes a role with all its assignments, emitting role.deleted', async () => {
      const { roles, groups, db } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Admin' });
      const other = await roles.create(caller, acme.id, { name: 'Other' });
      const u = db.addUser(acme.id);
      const g = await groups.create(caller, acme.id, { name: 'Ops' });
      await roles.assign(caller, acme.id, 'user', u, r.id);
      await roles.assign(caller, acme.id, 'group', g.id, r.id);
      await roles.assign(caller, acme.id, 'user', u, other.id);
      await roles.delete(caller, acme.id, r.id);
      expect(db.roles.has(r.id)).toBe(false);
      expect([...db.assignments.values()].map((a) => a.roleId)).toEqual([other.id]);
      expect(db.eventsOf('role.deleted')).toEqual([expect.objectContaining({ data: expect.objectContaining({ id: r.id, name: 'Admin' }) })]);
    });
  });

  describe('assignment', () => {
    it('assigns to users and groups once, emitting role.assigned once each', async () => {
      const { roles, groups, db } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Admin' });
      const u = db.addUser(acme.id);
      const g = await groups.create(caller, acme.id, { name: 'Ops' });
      await roles.assign(caller, acme.id, 'user', u, r.id);
      await roles.assign(caller, acme.id, 'user', u.toUpperCase(), r.id.toUpperCase());
      await roles.assign(caller, acme.id, 'group', g.id, r.id);
      await roles.assign(caller, acme.id, 'group', g.id, r.id);
      expect(db.assignments.size).toBe(2);
      expect(db.eventsOf('role.assigned')).toEqual([
        { type: 'role.assigned', meta: expect.objectContaining({ subject: r.id, tenantId: acme.id }), data: { roleId: r.id, tenantId: acme.id, subjectType: 'user', subjectId: u } },
        { type: 'role.assigned', meta: expect.objectContaining({ subject: r.id }), data: { roleId: r.id, tenantId: acme.id, subjectType: 'group', subjectId: g.id } },
      ]);
    });

    it('treats losing a race to an identical assignment as success', async () => {
      const { roles, store, db } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Admin' });
      store.raceNextAssignment = true;
      await expect(roles.assign(caller, acme.id, 'user', db.addUser(acme.id), r.id)).resolves.toBeUndefined();
      expect(db.eventsOf('role.assigned')).toHaveLength(0);
    });

    it('unassigns once; unassigning what is not there is fine', async () => {
      const { roles, db } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Admin' });
      const u = db.addUser(acme.id);
      await roles.assign(caller, acme.id, 'user', u, r.id);
      await roles.unassign(caller, acme.id, 'user', u, r.id);
      await roles.unassign(caller, acme.id, 'user', u, r.id);
      expect(db.assignments.size).toBe(0);
      expect(db.eventsOf('role.unassigned').map((e) => e.data)).toEqual([{ roleId: r.id, tenantId: acme.id, subjectType: 'user', subjectId: u }]);
    });

    it('answers 404 naming the missing side, for unknown, deleted or foreign subjects and roles, writing nothing', async () => {
      const { roles, groups, db } = setup();
      const r = await roles.create(caller, acme.id, { name: 'Admin' });
      const foreignRole = await roles.create(globexCaller, globex.id, { name: 'Theirs' });
      const u = db.addUser(acme.id);
      const g = await groups.create(caller, acme.id, { name: 'Ops' });
      const cases: [Promise<unknown>, string][] = [
        [roles.assign(caller, acme.id, 'user', newId(), r.id), 'user_not_found'],
        [roles.assign(caller, acme.id, 'user', db.addUser(acme.id, { status: 'deleted' }), r.id), 'user_not_found'],
        [roles.assign(caller, acme.id, 'user', db.addUser(globex.id), r.id), 'user_not_found'],
        [roles.assign(caller, acme.id, 'user', 'me', r.id), 'user_not_found'],
        [roles.assign(caller, acme.id, 'user', u, foreignRole.id), 'role_not_found'],
        [roles.assign(caller, acme.id, 'user', u, 'admin'), 'role_not_found'],
        [roles.assign(caller, acme.id, 'group', newId(), r.id), 'group_not_found'],
        [roles.assign(globexCaller, globex.id, 'group', g.id, foreignRole.id), 'group_not_found'],
        [roles.unassign(caller, acme.id, 'group', g.id, newId()), 'role_not_found'],
        [roles.unassign(caller, acme.id, 'user', newId(), r.id), 'user_not_found'],
      ];
      for (const [p, code] of cases) expect(await problemOf(p)).toEqual(expect.objectContaining({ status: 404, code }));
      expect(db.assignments.size).toBe(0);
      expect(db.eventsOf('role.assigned')).toHaveLength(0);
    });

    it("lists a group's roles; a foreign group is 404", async () => {
      const { roles, groups } = setup();
      await roles.create(caller, acme.id, { name: 'A' });
      const b = await roles.create(caller, acme.id, { name: 'B' });
      const g = await groups.create(caller, acme.id, { name: 'Ops' });
      await roles.assign(caller, acme.id, 'group', g.id, b.id);
      expect((await roles.rolesOfGroup(acme.id, g.id, { limit: 10 })).items.map((r) => r.id)).toEqual([b.id]);
      expect((await problemOf(roles.rolesOfGroup(globex.id, g.id, { limit: 10 }))).code).toBe('group_not_found');
    });
  });

  describe('effective roles', () => {
    it('gives each role once with its sources: direct first, then groups by name', async () => {
      const { roles, groups, db } = setup();
      const admin = await roles.create(caller, acme.id, { name: 'Admin', permissions: ['all'] });
      const viewer = await roles.create(caller, acme.id, { name: 'Viewer' });
      await roles.create(caller, acme.id, { name: 'Unrelated' });
      const u = db.addUser(acme.id);
      const other = db.addUser(acme.id);
      const [zeta, alpha, notMine] = [
        await groups.create(caller, acme.id, { name: 'Zeta' }),
        await groups.create(caller, acme.id, { name: 'alpha' }),
        await groups.create(caller, acme.id, { name: 'Not mine' }),
      ];
      await groups.addMembers(caller, acme.id, zeta.id, [u]);
      await groups.addMembers(caller, acme.id, alpha.id, [u, other]);
      await groups.addMembers(caller, acme.id, notMine.id, [other]);
      await roles.assign(caller, acme.id, 'group', zeta.id, admin.id);
      await roles.assign(caller, acme.id, 'user', u, admin.id);
      await roles.assign(caller, acme.id, 'group', alpha.id, admin.id);
      await roles.assign(caller, acme.id, 'group', alpha.id, viewer.id);
      await roles.assign(caller, acme.id, 'group', notMine.id, viewer.id);

      const effective = await roles.rolesOfUser(acme.id, u);
      expect(effective.map((e) => ({ id: e.role.id, sources: e.sources }))).toEqual([
        {
          id: admin.id,
          sources: [{ type: 'direct' }, { type: 'group', groupId: alpha.id, groupName: 'alpha' }, { type: 'group', groupId: zeta.id, groupName: 'Zeta' }],
        },
        { id: viewer.id, sources: [{ type: 'group', groupId: alpha.id, groupName: 'alpha' }] },
      ]);
      expect(effective[0].role.permissions).toEqual(['all']);

      await groups.removeMember(caller, acme.id, alpha.id, u);
      await groups.delete(caller, acme.id, zeta.id);
      expect((await roles.rolesOfUser(acme.id, u)).map((e) => ({ id: e.role.id, sources: e.sources }))).toEqual([{ id: admin.id, sources: [{ type: 'direct' }] }]);
    });

    it('never reaches into another tenant, and answers 404 for a user not in the tenant', async () => {
      const { roles, effective, db } = setup();
      const u = db.addUser(acme.id);
      const theirs = await roles.create(globexCaller, globex.id, { name: 'Theirs' });
      // Even a (corrupt) assignment row of another tenant naming this user is not followed.
      db.assignments.set(`${theirs.id}:user:${u}`, { roleId: theirs.id, subjectType: 'user', subjectId: u, tenantId: globex.id, createdAt: new Date() });
      expect(await roles.rolesOfUser(acme.id, u)).toEqual([]);
      expect(await effective.forUser(acme.id, u)).toEqual([]);
      expect((await problemOf(roles.rolesOfUser(globex.id, u))).code).toBe('user_not_found');
    });

    it('reads storage twice however many roles and groups there are', async () => {
      const { roles, groups, store, effective, db } = setup();
      const u = db.addUser(acme.id);
      for (let i = 0; i < 5; i++) {
        const g = await groups.create(caller, acme.id, { name: `g${i}` });
        await groups.addMembers(caller, acme.id, g.id, [u]);
        await roles.assign(caller, acme.id, 'group', g.id, (await roles.create(caller, acme.id, { name: `r${i}` })).id);
      }
      const sources = jest.spyOn(store, 'sourcesOfUser');
      const findMany = jest.spyOn(store, 'findMany');
      const find = jest.spyOn(store, 'find');
      expect(await effective.forUser(acme.id, u)).toHaveLength(5);
      expect([sources.mock.calls.length, findMany.mock.calls.length, find.mock.calls.length]).toEqual([1, 1, 0]);
    });
  });
});
