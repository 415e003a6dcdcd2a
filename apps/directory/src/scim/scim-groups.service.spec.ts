import { ProblemException } from '@keyline/platform-http';
import { newId } from '../core/ids';
import { FakeGroupStore, InMemoryDirectory } from '../groups/groups.fakes';
import { GroupsService } from '../groups/groups.service';
import { FixedClock, tenantCaller } from '../testing/directory.fakes';
import { GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, PATCH_OP_SCHEMA, ScimException, ScimType } from './protocol';
import { ScimGroupsService } from './scim-groups.service';

const BASE = 'https://id.example.com';
const acme = { id: newId(), slug: 'acme' };
const globex = { id: newId(), slug: 'globex' };
const caller = tenantCaller(acme, ['scim']);

type Json = Record<string, unknown>;
type Member = { value: string; display: string; $ref: string; type: string };

function setup() {
  const db = new InMemoryDirectory();
  const store = new FakeGroupStore(db);
  const clock = new FixedClock();
  const groups = new GroupsService(store, clock);
  const scim = new ScimGroupsService(groups, { publicUrl: BASE });
  const users = [0, 1, 2].map((i) => db.addUser(acme.id, { displayName: `User ${i}` }));
  return { db, store, clock, groups, scim, users };
}

const patch = (...Operations: Json[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const memberIds = (resource: Json) => ((resource.members as Member[] | undefined) ?? []).map((m) => m.value).sort();

async function failure(p: Promise<unknown>): Promise<{ status: number; scimType?: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ScimException) return { status: err.getStatus(), scimType: err.scimType };
  if (err instanceof ProblemException) return { status: err.getStatus() };
  throw new Error(`expected a SCIM or problem exception, got ${String(err)}`);
}

describe('ScimGroupsService', () => {
  it('creates a group with members and answers the SCIM resource', async () => {
    const { scim, users } = setup();
    const res = await scim.create(caller, acme.id, { schemas: [GROUP_SCHEMA], displayName: 'Sales', externalId: 'e-1', members: [{ value: users[0] }] });
    expect(res).toEqual({
      schemas: [GROUP_SCHEMA],
      id: expect.any(String),
      externalId: 'e-1',
      displayName: 'Sales',
      members: [{ value: users[0], display: 'User 0', $ref: `${BASE}/scim/v2/Users/${users[0]}`, type: 'User' }],
      meta: expect.objectContaining({ resourceType: 'Group', location: `${BASE}/scim/v2/Groups/${res.id as string}`, version: 'W/"1"' }),
    });
  });

  describe('PATCH in the forms Entra ID and Okta send', () => {
    async function withGroup() {
      const ctx = setup();
      const created = await ctx.scim.create(caller, acme.id, { displayName: 'Sales', members: [{ value: ctx.users[0] }] });
      return { ...ctx, id: created.id as string };
    }

    it('adds members with {op: add, path: members}', async () => {
      const { scim, id, users, db } = await withGroup();
      const res = await scim.patch(caller, acme.id, id, patch({ op: 'Add', path: 'members', value: [{ value: users[1] }, { value: users[2] }] }));
      expect(memberIds(res)).toEqual([...users].sort());
      expect((res.meta as Json).version).toBe('W/"2"');
      expect(db.eventsOf('group.members-added').at(-1)?.data).toEqual(expect.objectContaining({ userIds: [users[1], users[2]] }));
    });

    it('removes a member with a value filter path, and with a value list', async () => {
      const { scim, id, users } = await withGroup();
      await scim.patch(caller, acme.id, id, patch({ op: 'add', path: 'members', value: [{ value: users[1] }, { value: users[2] }] }));
      const filtered = await scim.patch(caller, acme.id, id, patch({ op: 'remove', path: `members[value eq "${users[0]}"]` }));
      expect(memberIds(filtered)).toEqual([users[1], users[2]].sort());
      const listed = await scim.patch(caller, acme.id, id, patch({ op: 'Remove', path: 'members', value: [{ value: users[1].toUpperCase() }] }));
      expect(memberIds(listed)).toEqual([users[2]]);
    });

    it('renames with a path and without one', async () => {
      const { scim, id, db } = await withGroup();
      expect((await scim.patch(caller, acme.id, id, patch({ op: 'replace', path: 'displayName', value: 'Sales EMEA' }))).displayName).toBe('Sales EMEA');
      const res = await scim.patch(caller, acme.id, id, patch({ op: 'replace', value: { id, displayName: 'Sales APAC', externalId: 'x' } }));
      expect(res).toEqual(expect.objectContaining({ displayName: 'Sales APAC', externalId: 'x' }));
      expect(db.eventsOf('group.updated').map((e) => (e.data as { changes?: string[] }).changes)).toEqual([['name'], ['name', 'externalId']]);
    });

    it('writes nothing for a PATCH that changes nothing', async () => {
      const { scim, id, users, db } = await withGroup();
      const before = db.events.length;
      await scim.patch(caller, acme.id, id, patch({ op: 'remove', path: `members[value eq "${users[2]}"]` }));
      await scim.patch(caller, acme.id, id, patch({ op: 'add', path: 'members', value: [{ value: users[0], display: 'Someone' }] }));
      const res = await scim.patch(caller, acme.id, id, patch({ op: 'replace', path: 'displayName', value: 'Sales' }));
      expect(db.events).toHaveLength(before);
      expect((res.meta as Json).version).toBe('W/"1"');
    });

    it('refuses changes to id and meta (mutability) and unknown users (invalidValue), writing nothing', async () => {
      const { scim, id, db } = await withGroup();
      const before = db.events.length;
      expect(await failure(scim.patch(caller, acme.id, id, patch({ op: 'replace', path: 'id', value: newId() })))).toEqual({ status: 400, scimType: ScimType.mutability });
      expect(await failure(scim.patch(caller, acme.id, id, patch({ op: 'add', path: 'members', value: [{ value: newId() }] })))).toEqual({ status: 400 });
      expect(db.events).toHaveLength(before);
    });

    it('answers a stale If-Match with 412 and retries by itself when the client sent none', async () => {
      const { scim, id, users, groups, db } = await withGroup();
      expect((await failure(scim.patch(caller, acme.id, id, patch({ op: 'replace', path: 'displayName', value: 'X' }), 9))).status).toBe(412);

      // Another writer moves the group on between this PATCH's read and its write.
      const replace = groups.replace.bind(groups);
      let interfered = false;
      jest.spyOn(groups, 'replace').mockImplementation(async (...args) => {
        if (!interfered) {
          interfered = true;
          await groups.addMembers(caller, acme.id, id, [users[2]]);
        }
        return replace(...args);
      });
      const res = await scim.patch(caller, acme.id, id, patch({ op: 'add', path: 'members', value: [{ value: users[1] }] }));
      expect(memberIds(res)).toEqual([...users].sort());
      expect(db.groups.get(id)?.version).toBe(3);
    });

    it("answers another tenant's group with 404", async () => {
      const { scim, id } = await withGroup();
      expect((await failure(scim.patch(tenantCaller(globex, ['scim']), globex.id, id, patch({ op: 'replace', path: 'displayName', value: 'Mine' })))).status).toBe(404);
    });
  });

  it('PUT replaces displayName, externalId and members', async () => {
    const { scim, users } = setup();
    const created = await scim.create(caller, acme.id, { displayName: 'Sales', externalId: 'old', members: [{ value: users[0] }, { value: users[1] }] });
    const res = await scim.replace(caller, acme.id, created.id as string, { schemas: [GROUP_SCHEMA], displayName: 'Marketing', members: [{ value: users[2] }] }, 1);
    expect(res).toEqual(expect.objectContaining({ displayName: 'Marketing', members: [expect.objectContaining({ value: users[2] })] }));
    expect(res).not.toHaveProperty('externalId');
    expect((await failure(scim.replace(caller, acme.id, created.id as string, { displayName: 'Again' }, 1))).status).toBe(412);
  });

  it('lists groups in pages with totals, leaving members unread when excluded', async () => {
    const { scim, store, users, clock } = setup();
    for (const name of ['A', 'B', 'C']) {
      await scim.create(caller, acme.id, { displayName: name, members: [{ value: users[0] }] });
      clock.advance(1000);
    }
    const spy = jest.spyOn(store, 'membersOfGroups');
    const page = await scim.list(acme.id, { startIndex: '2', count: '1', excludedAttributes: 'members' });
    expect(page).toEqual({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 3, startIndex: 2, itemsPerPage: 1, Resources: [expect.objectContaining({ displayName: 'B' })] });
    expect((page.Resources as Json[])[0]).not.toHaveProperty('members');
    expect(spy).not.toHaveBeenCalled();
    const sorted = await scim.list(acme.id, { sortBy: 'displayName', sortOrder: 'descending', attributes: 'displayName' });
    expect((sorted.Resources as Json[]).map((r) => Object.keys(r).sort())).toEqual([['displayName', 'id', 'schemas'], ['displayName', 'id', 'schemas'], ['displayName', 'id', 'schemas']]);
    expect((sorted.Resources as Json[]).map((r) => r.displayName)).toEqual(['C', 'B', 'A']);
    const withMembers = await scim.list(acme.id, {});
    expect((withMembers.Resources as Json[]).every((r) => memberIds(r).join() === users[0])).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
