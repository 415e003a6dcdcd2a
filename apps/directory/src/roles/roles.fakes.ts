import { InMemoryDirectory, copyRole } from '../groups/groups.fakes';
import { nameKeyOf } from '../groups/names';
import { AlreadyExistsError, NameTakenError } from '../groups/store-support';
import type { RoleSubjectType } from './role.entity';
import { AssignmentKey, RoleSource, RoleStore, RolesTx } from './role.store';

const assignmentKey = (k: AssignmentKey) => `${k.roleId}:${k.subjectType}:${k.subjectId}`;
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** In-memory role persistence over the same tables as FakeGroupStore, for unit tests. */
export class FakeRoleStore extends RoleStore {
  /** Makes the next insertAssignment fail as if an identical assignment had just been committed. */
  raceNextAssignment = false;

  constructor(readonly db = new InMemoryDirectory()) {
    super();
  }

  transaction<T>(fn: (tx: RolesTx) => Promise<T>): Promise<T> {
    const db = this.db;
    const role = (tenantId: string, id: string) => {
      const r = db.roles.get(id);
      return r && r.tenantId === tenantId ? r : undefined;
    };
    const tx: RolesTx = {
      insertRole: async (r) => {
        if (db.nameTaken(db.roles, r)) throw new NameTakenError();
        db.roles.set(r.id, copyRole(r));
      },
      lockRole: async (tenantId, id) => {
        const r = role(tenantId, id);
        return r ? copyRole(r) : null;
      },
      updateRole: async (tenantId, id, changes) => {
        const r = role(tenantId, id);
        if (!r) return;
        if (db.nameTaken(db.roles, { ...r, ...changes })) throw new NameTakenError();
        Object.assign(r, changes);
      },
      deleteRole: async (tenantId, id) => {
        for (const [k, a] of db.assignments) if (a.tenantId === tenantId && a.roleId === id) db.assignments.delete(k);
        if (role(tenantId, id)) db.roles.delete(id);
      },
      lockSubject: async (tenantId, type, id) => this.exists(tenantId, type, id),
      hasAssignment: async (key) => db.assignments.get(assignmentKey(key))?.tenantId === key.tenantId,
      insertAssignment: async (row) => {
        if (this.raceNextAssignment) {
          this.raceNextAssignment = false;
          throw new AlreadyExistsError();
        }
        if (db.assignments.has(assignmentKey(row))) throw new AlreadyExistsError();
        db.assignments.set(assignmentKey(row), { ...row });
      },
      deleteAssignment: async (key) => db.assignments.get(assignmentKey(key))?.tenantId === key.tenantId && db.assignments.delete(assignmentKey(key)),
      append: async (event) => {
        db.events.push(event);
      },
    };
    return db.transaction(() => fn(tx));
  }

  async find(tenantId: string, id: string) {
    const r = this.db.roles.get(id);
    return r && r.tenantId === tenantId ? copyRole(r) : null;
  }

  async findMany(tenantId: string, ids: string[]) {
    return [...this.db.roles.values()].filter((r) => r.tenantId === tenantId && ids.includes(r.id)).sort(byId).map(copyRole);
  }

  async page(tenantId: string, q: { after?: string; take: number; namePrefix?: string }) {
    return [...this.db.roles.values()]
      .filter((r) => r.tenantId === tenantId && (!q.after || r.id > q.after) && (!q.namePrefix || r.nameKey.startsWith(nameKeyOf(q.namePrefix))))
      .sort(byId)
      .slice(0, q.take)
      .map(copyRole);
  }

  async pageOfSubject(tenantId: string, subjectType: RoleSubjectType, subjectId: string, after: string | undefined, take: number) {
    const ids = new Set(
      [...this.db.assignments.values()].filter((a) => a.tenantId === tenantId && a.subjectType === subjectType && a.subjectId === subjectId).map((a) => a.roleId),
    );
    return [...this.db.roles.values()]
      .filter((r) => r.tenantId === tenantId && ids.has(r.id) && (!after || r.id > after))
      .sort(byId)
      .slice(0, take)
      .map(copyRole);
  }

  async subjectExists(tenantId: string, subjectType: RoleSubjectType, subjectId: string) {
    return this.exists(tenantId, subjectType, subjectId);
  }

  async sourcesOfUser(tenantId: string, userId: string): Promise<{ roleId: string; source: RoleSource }[]> {
    const groups = new Set([...this.db.members.values()].filter((m) => m.tenantId === tenantId && m.userId === userId).map((m) => m.groupId));
    return [...this.db.assignments.values()].flatMap((a): { roleId: string; source: RoleSource }[] => {
      if (a.tenantId !== tenantId) return [];
      if (a.subjectType === 'user') return a.subjectId === userId ? [{ roleId: a.roleId, source: { type: 'direct' } }] : [];
      const g = this.db.group(tenantId, a.subjectId);
      return g && groups.has(g.id) ? [{ roleId: a.roleId, source: { type: 'group', groupId: g.id, groupName: g.name } }] : [];
    });
  }

  private exists(tenantId: string, type: RoleSubjectType, id: string): boolean {
    return type === 'user' ? this.db.activeUser(tenantId, id) : !!this.db.group(tenantId, id);
  }
}

