import { ProblemException } from '@keyline/platform-http';
import { newId } from '../core/ids';
import { decodeCursor } from '@keyline/platform-http';
import { FixedClock, tenantCaller } from '../testing/directory.fakes';
import { FakeGroupStore, InMemoryDirectory } from './groups.fakes';
import { GroupsService } from './groups.service';

const acme = { id: newId(), slug: 'acme' };
const globex = { id: newId(), slug: 'globex' };
const caller = tenantCaller(acme, ['users:write']);
const globexCaller = tenantCaller(globex, ['users:write']);

function setup() {
  const db = new InMemoryDirectory();
  const store = new FakeGroupStore(db);
  const clock = new FixedClock();
  return { db, store, clock, service: new GroupsService(store, clock) };
}

async function problemOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemException);
  return (err as ProblemException).toBody();
}

describe('GroupsService', () => {
  describe('create', () => {
    it('stores the group with its group.created event', async () => {
      const { service, db, clock } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering', description: '  Ships code  ' });
      expect(g).toEqual(
        expect.objectContaining({ tenantId: acme.id, name: 'Engineering', nameKey: 'engineering', description: 'Ships code', externalId: null, version: 1, createdAt: clock.now() }),
      );
      expect(db.groups.get(g.id)).toEqual(g);
      expect(db.events).toEqual([
        {
          type: 'group.created',
          meta: { tenantId: acme.id, actor: `api-key:${caller.keyId}`, subject: g.id, occurredAt: clock.now() },
          data: { id: g.id, tenantId: acme.id, name: 'Engineering', description: 'Ships code' },
        },
      ]);
    });

    it('stores an empty description as none', async () => {
      const { service } = setup();
      expect((await service.create(caller, acme.id, { name: 'A', description: '   ' })).description).toBeNull();
      expect((await service.create(caller, acme.id, { name: 'B', description: null })).description).toBeNull();
    });

    it('answers 409 group_name_taken for a name taken in any case, and writes nothing', async () => {
      const { service, db } = setup();
      await service.create(caller, acme.id, { name: 'Engineering' });
      const p = await problemOf(service.create(caller, acme.id, { name: 'ENGINEERING' }));
      expect(p).toEqual(expect.objectContaining({ status: 409, code: 'group_name_taken', errors: [{ field: 'name', message: 'name is already taken' }] }));
      expect(db.groups.size).toBe(1);
      expect(db.events).toHaveLength(1);
    });

    it('lets another tenant use the same name', async () => {
      const { service } = setup();
      await service.create(caller, acme.id, { name: 'Engineering' });
      await expect(service.create(globexCaller, globex.id, { name: 'Engineering' })).resolves.toEqual(expect.objectContaining({ tenantId: globex.id }));
    });
  });

  describe('read', () => {
    it("answers another tenant's group, a missing one and a non-id alike: 404 group_not_found", async () => {
      const { service } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      expect((await service.get(acme.id, g.id.toUpperCase())).id).toBe(g.id);
      for (const [tenantId, id] of [
        [globex.id, g.id],
        [acme.id, newId()],
        [acme.id, 'not-an-id'],
      ]) {
        const p = await problemOf(service.get(tenantId, id));
        expect(p).toEqual(expect.objectContaining({ status: 404, code: 'group_not_found' }));
      }
    });

    it("pages through the tenant's groups only, in creation order", async () => {
      const { service } = setup();
      const names = ['a', 'b', 'c', 'd', 'e'];
      for (const name of names) await service.create(caller, acme.id, { name });
      await service.create(globexCaller, globex.id, { name: 'other' });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.list(acme.id, { limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((g) => g.name));
        cursor = page.nextCursor ?? undefined;
        if (cursor) expect(decodeCursor(cursor)).toBe(page.items[page.items.length - 1].id);
      } while (cursor);
      expect(seen).toEqual(names);
    });

    it('filters by a case-insensitive name prefix', async () => {
      const { service } = setup();
      for (const name of ['Engineering', 'eng-ops', 'Sales', 'Lengthy']) await service.create(caller, acme.id, { name });
      expect((await service.list(acme.id, { limit: 10, q: 'ENG' })).items.map((g) => g.name)).toEqual(['Engineering', 'eng-ops']);
      expect((await service.list(acme.id, { limit: 10, q: '' })).items).toHaveLength(4);
    });
  });

  describe('update', () => {
    it('applies a merge patch in one group.updated event naming the changes, and bumps the version', async () => {
      const { service, db, clock } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering', description: 'Old' });
      clock.advance(1000);
      const u = await service.update(caller, acme.id, g.id, { name: 'Platform', description: null });
      expect(u).toEqual(expect.objectContaining({ name: 'Platform', nameKey: 'platform', description: null, version: 2, updatedAt: clock.now(), createdAt: g.createdAt }));
      expect(db.groups.get(g.id)).toEqual(u);
      expect(db.events[1]).toEqual({
        type: 'group.updated',
        meta: expect.objectContaining({ subject: g.id, occurredAt: clock.now() }),
        data: { id: g.id, tenantId: acme.id, name: 'Platform', description: null, changes: ['name', 'description'] },
      });
    });

    it('writes nothing and emits nothing when nothing changes', async () => {
      const { service, db, clock } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering', description: 'Ships' });
      clock.advance(1000);
      expect(await service.update(caller, acme.id, g.id, { name: 'Engineering', description: ' Ships ' })).toEqual(g);
      expect(await service.update(caller, acme.id, g.id, {})).toEqual(g);
      expect(db.events).toHaveLength(1);
      expect(db.groups.get(g.id)?.version).toBe(1);
    });

    it('allows a change of case only, and refuses a name another group has', async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      await service.create(caller, acme.id, { name: 'Sales' });
      expect((await service.update(caller, acme.id, g.id, { name: 'ENGINEERING' })).name).toBe('ENGINEERING');
      const p = await problemOf(service.update(caller, acme.id, g.id, { name: 'sales' }));
      expect(p).toEqual(expect.objectContaining({ status: 409, code: 'group_name_taken' }));
      expect(db.groups.get(g.id)?.name).toBe('ENGINEERING');
      expect(db.eventsOf('group.updated')).toHaveLength(1);
    });

    it("answers 404 for another tenant's group and changes nothing", async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      expect((await problemOf(service.update(globexCaller, globex.id, g.id, { name: 'Mine' }))).code).toBe('group_not_found');
      expect(db.groups.get(g.id)?.name).toBe('Engineering');
    });
  });

  describe('delete', () => {
    it('deletes the group with its memberships and role assignments, emitting group.deleted', async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering', description: 'd' });
      const keep = await service.create(caller, acme.id, { name: 'Keep' });
      const u = db.addUser(acme.id);
      await service.addMembers(caller, acme.id, g.id, [u]);
      await service.addMembers(caller, acme.id, keep.id, [u]);
      const roleId = newId();
      db.assignments.set(`${roleId}:group:${g.id}`, { roleId, subjectType: 'group', subjectId: g.id, tenantId: acme.id, createdAt: new Date() });
      db.assignments.set(`${roleId}:group:${keep.id}`, { roleId, subjectType: 'group', subjectId: keep.id, tenantId: acme.id, createdAt: new Date() });

      await service.delete(caller, acme.id, g.id);
      expect(db.groups.has(g.id)).toBe(false);
      expect(db.groupMembers(g.id)).toEqual([]);
      expect(db.groupMembers(keep.id)).toHaveLength(1);
      expect([...db.assignments.values()].map((a) => a.subjectId)).toEqual([keep.id]);
      expect(db.eventsOf('group.deleted')).toEqual([
        { type: 'group.deleted', meta: expect.objectContaining({ subject: g.id }), data: { id: g.id, tenantId: acme.id, name: 'Engineering', description: 'd' } },
      ]);
      expect((await problemOf(service.delete(caller, acme.id, g.id))).code).toBe('group_not_found');
    });

    it("answers 404 for another tenant's group and keeps it", async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      expect((await problemOf(service.delete(globexCaller, globex.id, g.id))).status).toBe(404);
      expect(db.groups.has(g.id)).toBe(true);
      expect(db.events).toHaveLength(1);
    });
  });

  describe('members', () => {
    it('adds users once, bumping the version, and answers a repeat with nothing added and no event', async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      const [u1, u2, u3] = [db.addUser(acme.id), db.addUser(acme.id), db.addUser(acme.id, { status: 'suspended' })];
      const first = await service.addMembers(caller, acme.id, g.id, [u1, u2, u1.toUpperCase()]);
      expect(first.added).toEqual([u1, u2]);
      expect(first.group.version).toBe(2);
      const second = await service.addMembers(caller, acme.id, g.id, [u2, u3]);
      expect(second.added).toEqual([u3]);
      const repeat = await service.addMembers(caller, acme.id, g.id, [u1, u2, u3]);
      expect(repeat).toEqual({ group: expect.objectContaining({ version: 3 }), added: [] });
      expect(db.groups.get(g.id)?.version).toBe(3);
      expect(db.eventsOf('group.members-added').map((e) => e.data)).toEqual([
        { groupId: g.id, tenantId: acme.id, userIds: [u1, u2] },
        { groupId: g.id, tenantId: acme.id, userIds: [u3] },
      ]);
    });

    it('refuses unknown, deleted and other-tenant users with a field error each, adding no one', async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      const ok = db.addUser(acme.id);
      const deleted = db.addUser(acme.id, { status: 'deleted' });
      const foreign = db.addUser(globex.id);
      const missing = newId();
      const p = await problemOf(service.addMembers(caller, acme.id, g.id, [ok, deleted, foreign, missing]));
      expect(p).toEqual(
        expect.objectContaining({
          status: 400,
          code: 'validation_failed',
          errors: [
            { field: 'userIds[1]', message: `no user ${deleted}` },
            { field: 'userIds[2]', message: `no user ${foreign}` },
            { field: 'userIds[3]', message: `no user ${missing}` },
          ],
        }),
      );
      expect(db.members.size).toBe(0);
      expect(db.groups.get(g.id)?.version).toBe(1);
      expect(db.events).toHaveLength(1);
    });

    it("answers 404 for another tenant's group before looking at the users", async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      const p = await problemOf(service.addMembers(globexCaller, globex.id, g.id, [db.addUser(globex.id), newId()]));
      expect(p).toEqual(expect.objectContaining({ status: 404, code: 'group_not_found' }));
      expect(db.members.size).toBe(0);
    });

    it('removes a member once; removing a non-member or a non-id changes nothing', async () => {
      const { service, db, clock } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      const u = db.addUser(acme.id);
      await service.addMembers(caller, acme.id, g.id, [u]);
      clock.advance(5000);
      await service.removeMember(caller, acme.id, g.id, u.toUpperCase());
      await service.removeMember(caller, acme.id, g.id, u);
      await service.removeMember(caller, acme.id, g.id, 'nobody');
      expect(db.members.size).toBe(0);
      expect(db.groups.get(g.id)).toEqual(expect.objectContaining({ version: 3, updatedAt: clock.now() }));
      expect(db.eventsOf('group.members-removed').map((e) => e.data)).toEqual([{ groupId: g.id, tenantId: acme.id, userIds: [u] }]);
      expect((await problemOf(service.removeMember(globexCaller, globex.id, g.id, u))).code).toBe('group_not_found');
    });

    it('lists members with who they are, without deleted users, in pages', async () => {
      const { service, db, clock } = setup();
      const g = await service.create(caller, acme.id, { name: 'Engineering' });
      const users = [0, 1, 2].map((i) => db.addUser(acme.id, { email: `u${i}@acme.test`, displayName: `User ${i}` }));
      await service.addMembers(caller, acme.id, g.id, users);
      db.users.get(users[1])!.status = 'deleted';
      const first = await service.members(acme.id, g.id, { limit: 1 });
      expect(first.items).toEqual([{ userId: users[0], email: 'u0@acme.test', username: null, displayName: 'User 0', status: 'active', addedAt: clock.now() }]);
      const rest = await service.members(acme.id, g.id, { limit: 5, cursor: first.nextCursor! });
      expect(rest.items.map((m) => m.userId)).toEqual([users[2]]);
      expect(rest.nextCursor).toBeNull();
      expect((await problemOf(service.members(globex.id, g.id, { limit: 5 }))).code).toBe('group_not_found');
    });

    it("lists a user's groups; a deleted or foreign user is 404 user_not_found", async () => {
      const { service, db } = setup();
      const a = await service.create(caller, acme.id, { name: 'A' });
      await service.create(caller, acme.id, { name: 'B' });
      const c = await service.create(caller, acme.id, { name: 'C' });
      const u = db.addUser(acme.id);
      await service.addMembers(caller, acme.id, c.id, [u]);
      await service.addMembers(caller, acme.id, a.id, [u]);
      expect((await service.groupsOfUser(acme.id, u, { limit: 10 })).items.map((g) => g.id)).toEqual([a.id, c.id]);
      expect((await problemOf(service.groupsOfUser(globex.id, u, { limit: 10 }))).code).toBe('user_not_found');
      db.users.get(u)!.status = 'deleted';
      expect((await problemOf(service.groupsOfUser(acme.id, u, { limit: 10 }))).code).toBe('user_not_found');
    });
  });

  describe('replace (SCIM POST, PUT, PATCH)', () => {
    it('creates a group with externalId and members, emitting group.created then group.members-added', async () => {
      const { service, db } = setup();
      const [u1, u2] = [db.addUser(acme.id), db.addUser(acme.id)];
      const { group, created, changed } = await service.replace(caller, acme.id, undefined, { name: 'Sales', externalId: 'okta-1', memberIds: [u1, u2, u1.toUpperCase()] });
      expect({ created, changed }).toEqual({ created: true, changed: true });
      expect(group).toEqual(expect.objectContaining({ name: 'Sales', nameKey: 'sales', externalId: 'okta-1', description: null, version: 1 }));
      expect(db.groupMembers(group.id).map((m) => m.userId).sort()).toEqual([u1, u2].sort());
      expect(db.events.map((e) => e.type)).toEqual(['group.created', 'group.members-added']);
      expect(db.events[1].data).toEqual({ groupId: group.id, tenantId: acme.id, userIds: [u1, u2] });
    });

    it('refuses unknown, deleted, other-tenant and malformed member ids on create, writing nothing', async () => {
      const { service, db } = setup();
      const ok = db.addUser(acme.id);
      const deleted = db.addUser(acme.id, { status: 'deleted' });
      const foreign = db.addUser(globex.id);
      const p = await problemOf(service.replace(caller, acme.id, undefined, { name: 'Sales', externalId: null, memberIds: [ok, deleted, foreign, 'nope'] }));
      expect(p).toEqual(expect.objectContaining({ status: 400, code: 'validation_failed' }));
      expect(p.errors?.map((e) => e.message)).toEqual([`no user ${deleted}`, `no user ${foreign}`, 'no user nope']);
      expect(db.groups.size).toBe(0);
      expect(db.events).toEqual([]);
    });

    it('answers a name taken in any case with 409 group_name_taken', async () => {
      const { service } = setup();
      await service.create(caller, acme.id, { name: 'Sales' });
      const p = await problemOf(service.replace(caller, acme.id, undefined, { name: 'SALES', externalId: null, memberIds: [] }));
      expect(p).toEqual(expect.objectContaining({ status: 409, code: 'group_name_taken' }));
    });

    it('writes only the difference in one version step: name, externalId, members added and removed', async () => {
      const { service, db, clock } = setup();
      const [u1, u2, u3] = [db.addUser(acme.id), db.addUser(acme.id), db.addUser(acme.id)];
      const { group } = await service.replace(caller, acme.id, undefined, { name: 'Sales', externalId: null, memberIds: [u1, u2] });
      clock.advance(1000);
      const res = await service.replace(caller, acme.id, group.id, { name: 'Sales EMEA', externalId: 'x-1', memberIds: [u2, u3] });
      expect(res).toEqual({ group: expect.objectContaining({ name: 'Sales EMEA', externalId: 'x-1', version: 2, updatedAt: clock.now() }), created: false, changed: true });
      expect(db.groups.get(group.id)).toEqual(res.group);
      expect(db.groupMembers(group.id).map((m) => m.userId).sort()).toEqual([u2, u3].sort());
      expect(db.events.slice(2)).toEqual([
        expect.objectContaining({ type: 'group.updated', data: expect.objectContaining({ name: 'Sales EMEA', changes: ['name', 'externalId'] }) }),
        expect.objectContaining({ type: 'group.members-added', data: { groupId: group.id, tenantId: acme.id, userIds: [u3] } }),
        expect.objectContaining({ type: 'group.members-removed', data: { groupId: group.id, tenantId: acme.id, userIds: [u1] } }),
      ]);
    });

    it('bumps the version for a membership change alone, without group.updated', async () => {
      const { service, db } = setup();
      const u = db.addUser(acme.id);
      const { group } = await service.replace(caller, acme.id, undefined, { name: 'Sales', externalId: null, memberIds: [] });
      const res = await service.replace(caller, acme.id, group.id, { name: 'Sales', externalId: null, memberIds: [u] });
      expect(res.group.version).toBe(2);
      expect(db.events.map((e) => e.type)).toEqual(['group.created', 'group.members-added']);
    });

    it('writes and emits nothing when the group already is as asked, and keeps its description', async () => {
      const { service, db } = setup();
      const u = db.addUser(acme.id);
      const g = await service.create(caller, acme.id, { name: 'Sales', description: 'Sells' });
      await service.addMembers(caller, acme.id, g.id, [u]);
      const before = db.events.length;
      const res = await service.replace(caller, acme.id, g.id, { name: 'Sales', externalId: null, memberIds: [u.toUpperCase()] });
      expect(res).toEqual({ group: expect.objectContaining({ version: 2, description: 'Sells' }), created: false, changed: false });
      expect(db.events).toHaveLength(before);
      expect(db.groups.get(g.id)?.version).toBe(2);
    });

    it('answers a stale If-Match with 412 and a foreign or missing group with 404, writing nothing', async () => {
      const { service, db } = setup();
      const u = db.addUser(acme.id);
      const { group } = await service.replace(caller, acme.id, undefined, { name: 'Sales', externalId: null, memberIds: [] });
      const stale = await problemOf(service.replace(caller, acme.id, group.id, { name: 'X', externalId: null, memberIds: [u] }, 7));
      expect(stale).toEqual(expect.objectContaining({ status: 412, code: 'precondition_failed' }));
      expect((await problemOf(service.replace(globexCaller, globex.id, group.id, { name: 'X', externalId: null, memberIds: [] }))).status).toBe(404);
      expect((await problemOf(service.replace(caller, acme.id, 'not-an-id', { name: 'X', externalId: null, memberIds: [] }))).status).toBe(404);
      expect(db.groups.get(group.id)).toEqual(expect.objectContaining({ name: 'Sales', version: 1 }));
      expect(db.members.size).toBe(0);
      await expect(service.replace(caller, acme.id, group.id, { name: 'X', externalId: null, memberIds: [] }, 1)).resolves.toEqual(expect.objectContaining({ changed: true }));
    });

    it('refuses an unknown user on update, keeping the members it had', async () => {
      const { service, db } = setup();
      const u = db.addUser(acme.id);
      const { group } = await service.replace(caller, acme.id, undefined, { name: 'Sales', externalId: null, memberIds: [u] });
      const p = await problemOf(service.replace(caller, acme.id, group.id, { name: 'Sales', externalId: null, memberIds: [newId()] }));
      expect(p.status).toBe(400);
      expect(db.groupMembers(group.id).map((m) => m.userId)).toEqual([u]);
      expect(db.groups.get(group.id)?.version).toBe(1);
    });

    it('handles thousands of members as a difference', async () => {
      const { service, db } = setup();
      const users = Array.from({ length: 3000 }, () => db.addUser(acme.id));
      const { group } = await service.replace(caller, acme.id, undefined, { name: 'Everyone', externalId: null, memberIds: users });
      const extra = db.addUser(acme.id);
      const res = await service.replace(caller, acme.id, group.id, { name: 'Everyone', externalId: null, memberIds: [...users.slice(1), extra] });
      expect(res.group.version).toBe(2);
      expect(db.groupMembers(group.id)).toHaveLength(3000);
      expect(db.eventsOf('group.members-added').at(-1)?.data).toEqual({ groupId: group.id, tenantId: acme.id, userIds: [extra] });
      expect(db.eventsOf('group.members-removed').at(-1)?.data).toEqual({ groupId: group.id, tenantId: acme.id, userIds: [users[0]] });
    });

    it('deletes only at the version If-Match names', async () => {
      const { service, db } = setup();
      const g = await service.create(caller, acme.id, { name: 'Sales' });
      expect((await problemOf(service.delete(caller, acme.id, g.id, 2))).status).toBe(412);
      expect(db.groups.has(g.id)).toBe(true);
      await service.delete(caller, acme.id, g.id, 1);
      expect(db.groups.has(g.id)).toBe(false);
    });
  });
});
