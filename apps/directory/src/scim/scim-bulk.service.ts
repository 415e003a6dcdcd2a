import { Injectable } from '@nestjs/common';
import { Principal, actorOf } from '@keyline/platform-http';
import { ifMatchVersion } from '@keyline/platform-http';
import { ScimException, ScimType, isPlainObject, toScimError } from './protocol';
import { ScimGroupsService } from './scim-groups.service';
import { ScimUsersService } from './scim-users.service';
import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, SCIM_BULK_MAX_OPERATIONS } from './scim.constants';

type Json = Record<string, unknown>;

interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const BULK_ID_REF = /^bulkId:(.+)$/;

/** Client-chosen ids of POSTed resources, replaced in later operations' data by the ids given out. */
class BulkIds {
  private readonly ids = new Map<string, string>();

  set(bulkId: string, id: string): void {
    this.ids.set(bulkId, id);
  }

  /** `data` with every `"bulkId:<x>"` string resolved; an unknown reference is an error of that operation. */
  resolve(value: unknown): unknown {
    if (typeof value === 'string') {
      const m = BULK_ID_REF.exec(value);
      if (!m) return value;
      const id = this.ids.get(m[1]);
      if (!id) throw new ScimException(409, `bulkId ${m[1]} does not name a resource created earlier in this request`, ScimType.invalidValue);
      return id;
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }
}

function parse(body: unknown): { operations: BulkOperation[]; failOnErrors: number } {
  const bad = (detail: string) => new ScimException(400, detail, ScimType.invalidSyntax);
  if (!isPlainObject(body) || !Array.isArray(body.schemas) || !body.schemas.includes(BULK_REQUEST_SCHEMA)) {
    throw bad(`A bulk request needs schemas [${BULK_REQUEST_SCHEMA}]`);
  }
  const ops = body.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw bad('Operations must be a non-empty list');
  if (ops.length > SCIM_BULK_MAX_OPERATIONS) throw new ScimException(413, `At most ${SCIM_BULK_MAX_OPERATIONS} operations per bulk request`);
  const failOnErrors = body.failOnErrors;
  if (failOnErrors !== undefined && (!Number.isInteger(failOnErrors) || (failOnErrors as number) < 1)) throw bad('failOnErrors must be a positive integer');
  const seen = new Set<string>();
  const operations = ops.map((op, i): BulkOperation => {
    if (!isPlainObject(op)) throw bad(`Operations[${i}] must be an object`);
    const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
    if (!METHODS.includes(method)) throw bad(`Operations[${i}].method must be one of ${METHODS.join(', ')}`);
    if (typeof op.path !== 'string' || !op.path.startsWith('/')) throw bad(`Operations[${i}].path must be a path such as /Users`);
    if (op.bulkId !== undefined && (typeof op.bulkId !== 'string' || !op.bulkId)) throw bad(`Operations[${i}].bulkId must be a string`);
    if (method === 'POST' && op.bulkId === undefined) throw bad(`Operations[${i}] is a POST and needs a bulkId (RFC 7644 §3.7)`);
    if (typeof op.bulkId === 'string') {
      if (seen.has(op.bulkId)) throw bad(`bulkId ${op.bulkId} is used twice`);
      seen.add(op.bulkId);
    }
    if (op.version !== undefined && typeof op.version !== 'string') throw bad(`Operations[${i}].version must be an ETag string`);
    return { method: method as BulkOperation['method'], path: op.path, bulkId: op.bulkId as string | undefined, version: op.version as string | undefined, data: op.data };
  });
  return { operations, failOnErrors: (failOnErrors as number | undefined) ?? Number.POSITIVE_INFINITY };
}

/**
 * RFC 7644 §3.7 Bulk: operations run in order, each on its own (a failure does not undo earlier ones,
 * as the RFC allows), until `failOnErrors` of them have failed. Later operations may refer to
 * resources POSTed earlier through `bulkId:<id>`.
 */
@Injectable()
export class ScimBulkService {
  constructor(
    private readonly users: ScimUsersService,
    private readonly groups: ScimGroupsService,
  ) {}

  async run(caller: Principal, tenantId: string, body: unknown): Promise<Json> {
    const { operations, failOnErrors } = parse(body);
    const ids = new BulkIds();
    const results: Json[] = [];
    let errors = 0;
    for (const op of operations) {
      if (errors >= failOnErrors) break;
      const result: Json = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}) };
      try {
        const { status, resource, location } = await this.one(caller, tenantId, op, ids);
        const meta = resource?.meta as { version?: string; location?: string } | undefined;
        Object.assign(result, { location: location ?? meta?.location, ...(meta?.version ? { version: meta.version } : {}), status: String(status) });
        if (op.method === 'POST' && op.bulkId && resource && typeof resource.id === 'string') ids.set(op.bulkId, resource.id);
      } catch (err) {
        errors++;
        const { status, body: error } = toScimError(err);
        Object.assign(result, { status: String(status), response: error });
      }
      results.push(result);
    }
    return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results };
  }

  private async one(caller: Principal, tenantId: string, op: BulkOperation, ids: BulkIds): Promise<{ status: number; resource?: Json; location?: string }> {
    const m = /^\/(Users|Groups)(?:\/([^/?#]+))?$/.exec(op.path);
    if (!m) throw new ScimException(400, `${op.path} is not a resource path this bulk endpoint serves (/Users, /Groups, /Users/{id}, /Groups/{id})`, ScimType.invalidPath);
    const [, type, rawId] = m;
    const id = rawId === undefined ? undefined : String(ids.resolve(decodeURIComponent(rawId)));
    if ((op.method === 'POST') !== (id === undefined)) throw new ScimException(400, `${op.method} ${op.path}: POST goes to the collection, the others to one resource`, ScimType.invalidPath);
    const data = ids.resolve(op.data);
    const ifMatch = ifMatchVersion(op.version);
    const at = { tenantId, actor: actorOf(caller) };
    if (type === 'Users') {
      switch (op.method) {
        case 'POST':
          return { status: 201, resource: await this.users.create(at, data) };
        case 'PUT':
          return { status: 200, resource: await this.users.replace(at, id!, data, ifMatch) };
        case 'PATCH':
          return { status: 200, resource: await this.users.patch(at, id!, data, ifMatch) };
        case 'DELETE':
          await this.users.delete(at, id!, ifMatch);
          return { status: 204, location: `${this.users.baseUrl}/Users/${id}` };
      }
    }
    switch (op.method) {
      case 'POST':
        return { status: 201, resource: await this.groups.create(caller, tenantId, data) };
      case 'PUT':
        return { status: 200, resource: await this.groups.replace(caller, tenantId, id!, data, ifMatch) };
      case 'PATCH':
        return { status: 200, resource: await this.groups.patch(caller, tenantId, id!, data, ifMatch) };
      case 'DELETE':
        await this.groups.delete(caller, tenantId, id!, ifMatch);
        return { status: 204, location: `${this.users.baseUrl}/Groups/${id}` };
    }
  }
}
