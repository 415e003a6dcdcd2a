import { Inject, Injectable } from '@nestjs/common';
import { Principal, ProblemException } from '@keyline/platform-http';
import type { DirectoryConfig } from '../config';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import { DirectoryErrorCode } from '../core/directory.exception';
import type { GroupEntity } from '../groups/group.entity';
import { GroupsService } from '../groups/groups.service';
import { PatchOptions, ScimException, applyPatch, compileFilter, parseFilter, projectAttributes } from './protocol';
import { fromScimGroup, groupFilterResolver, groupSortKey, toScimGroup, wantsMembers } from './scim-group.mapper';
import { ScimListQuery, listResponse, scimPage } from './scim-list';

type Json = Record<string, unknown>;
/** The `attributes` / `excludedAttributes` parameters of a single-resource request. */
export type ScimProjection = Pick<ScimListQuery, 'attributes' | 'excludedAttributes'>;

export const GROUP_PATCH_OPTIONS: PatchOptions = {
  readOnly: ['id', 'meta'],
  multiValued: ['members'],
  canonical: ['displayName', 'externalId', 'members'],
  extensions: [],
};

/** A PATCH computed on a version that changed meanwhile is recomputed this often before answering 412. */
const STALE_RETRIES = 3;

const stale = (group: GroupEntity) => new ScimException(412, `The group is at version W/"${group.version}"`);

const isStale = (err: unknown) => err instanceof ProblemException && err.code === DirectoryErrorCode.PreconditionFailed;

/** SCIM Groups (RFC 7643 §4.2, RFC 7644 §3) on top of the directory's groups: the same rules, events and locks. */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly groups: GroupsService,
    @Inject(DIRECTORY_CONFIG) private readonly config: Pick<DirectoryConfig, 'publicUrl'>,
  ) {}

  get baseUrl(): string {
    return `${this.config.publicUrl}/scim/v2`;
  }

  /** RFC 7644 §3.4.2: filter, sort, offset page; members are read only when the answer shows them. */
  async list(tenantId: string, q: ScimListQuery): Promise<Json> {
    const page = scimPage(q);
    const withMembers = wantsMembers(q);
    const sortBy = groupSortKey(q.sortBy);
    const filter = q.filter !== undefined && q.filter.trim() !== '' ? parseFilter(q.filter) : undefined;
    const { total, items } = await this.groups.search(tenantId, {
      ...(filter ? { where: (dialect) => compileFilter(filter, groupFilterResolver(dialect), dialect) } : {}),
      sortBy,
      descending: page.descending,
      offset: page.startIndex - 1,
      limit: page.count,
    });
    const members = withMembers ? await this.groups.membersOfGroups(tenantId, items.map((g) => g.id)) : undefined;
    const resources = items.map((g) => projectAttributes(toScimGroup(g, members ? (members.get(g.id) ?? []) : undefined, this.baseUrl), q));
    return listResponse(resources, total, page);
  }

  async get(tenantId: string, id: string, q: ScimProjection = {}): Promise<Json> {
    const group = await this.groups.get(tenantId, id);
    return this.resource(group, wantsMembers(q));
  }

  async create(caller: Principal, tenantId: string, body: unknown): Promise<Json> {
    const { group } = await this.groups.replace(caller, tenantId, undefined, fromScimGroup(body));
    return this.resource(group);
  }

  /** PUT: displayName, externalId and members become exactly what the body says. */
  async replace(caller: Principal, tenantId: string, id: string, body: unknown, ifMatch?: number): Promise<Json> {
    const desired = fromScimGroup(body);
    const { group } = await this.groups.replace(caller, tenantId, id, desired, ifMatch);
    return this.resource(group);
  }

  /**
   * PATCH: the operations apply to the current resource, and the result is written as one difference
   * (name, externalId, members added and removed). Without If-Match, a group changed between the read
   * and the write is read again and the operations reapplied, so that no concurrent change is lost.
   */
  async patch(caller: Principal, tenantId: string, id: string, body: unknown, ifMatch?: number): Promise<Json> {
    for (let attempt = 0; ; attempt++) {
      const group = await this.groups.get(tenantId, id);
      if (ifMatch !== undefined && ifMatch !== group.version) throw stale(group);
      const current = await this.resource(group);
      const { resource, touched } = applyPatch(current, body, GROUP_PATCH_OPTIONS);
      if (!touched.length) return current;
      try {
        const result = await this.groups.replace(caller, tenantId, group.id, fromScimGroup(resource), group.version);
        return result.changed ? await this.resource(result.group) : current;
      } catch (err) {
        if (isStale(err) && ifMatch === undefined && attempt < STALE_RETRIES) continue;
        throw err;
      }
    }
  }

  delete(caller: Principal, tenantId: string, id: string, ifMatch?: number): Promise<void> {
    return this.groups.delete(caller, tenantId, id, ifMatch);
  }

  private async resource(group: GroupEntity, withMembers = true): Promise<Json> {
    const members = withMembers ? ((await this.groups.membersOfGroups(group.tenantId, [group.id])).get(group.id) ?? []) : undefined;
    return toScimGroup(group, members, this.baseUrl);
  }
}
