import { Injectable } from '@nestjs/common';
import { PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import type { EntityManager } from 'typeorm';
import { Clock } from '../core/clock';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { ProfileSchemaEntity } from './profile-schema.entity';
import { ProfileSchemaStore } from './profile-schema.store';
import type { AttributeDefinition, ProfileSchema } from './profile-schema.types';
import { validateDefinitions } from './profile-schema.validator';

const EMPTY: ProfileSchema = { attributes: [], version: 0, updatedAt: null };

/** A definition as stored: optional members that are absent stay absent. */
function normalize(d: AttributeDefinition): AttributeDefinition {
  const out: AttributeDefinition = {
    name: d.name,
    type: d.type,
    required: d.required ?? false,
    unique: d.unique ?? false,
    sensitivity: d.sensitivity ?? 'personal',
    userEditable: d.userEditable ?? false,
  };
  if (d.description !== undefined) out.description = d.description;
  if (d.pattern !== undefined) out.pattern = d.pattern;
  if (d.maxLength !== undefined) out.maxLength = d.maxLength;
  if (d.allowedValues !== undefined) out.allowedValues = d.allowedValues;
  if (d.registration) out.registration = true;
  return out;
}

/** What makes an existing unique index invalid: a value that was unique under other rules. */
const uniqueIdentity = (d: AttributeDefinition) => `${d.type}`;

/** How long reads (filters, search) may use a schema read earlier; writes always read it afresh. */
const READ_CACHE_MS = 2000;
const READ_CACHE_MAX = 10_000;

@Injectable()
export class ProfileSchemaService {
  private readonly readCache = new Map<string, { schema: ProfileSchema; at: number }>();

  constructor(
    private readonly store: ProfileSchemaStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The schema for interpreting queries (which attributes exist, their types): up to 2 s old, so a
   * lookup does not pay a second query. A change shows in queries on every replica within that time.
   */
  async getForReads(tenantId: string): Promise<ProfileSchema> {
    const hit = this.readCache.get(tenantId);
    const now = Date.now();
    if (hit && now - hit.at < READ_CACHE_MS) return hit.schema;
    const schema = await this.get(tenantId);
    if (this.readCache.size >= READ_CACHE_MAX) this.readCache.clear();
    this.readCache.set(tenantId, { schema, at: now });
    return schema;
  }

  async get(tenantId: string, m?: EntityManager): Promise<ProfileSchema> {
    const row = await this.store.get(tenantId, m);
    return row ? { attributes: row.attributes, version: row.version, updatedAt: row.updatedAt } : EMPTY;
  }

  /**
   * Replaces the tenant's schema. Existing users are not rewritten: new rules apply to new writes,
   * except `unique`, which is indexed at once (and refused while existing users share a value).
   */
  async put(tenantId: string, actor: string, defs: AttributeDefinition[], ifMatch?: number): Promise<ProfileSchema> {
    const attributes = defs.map(normalize);
    const errors = validateDefinitions(attributes);
    if (errors.length) throw new PlatformException(PlatformErrorCode.ValidationFailed, 'The profile schema is invalid', errors);

    const current = await this.get(tenantId);
    if (ifMatch !== undefined && ifMatch !== current.version) {
      throw new DirectoryException(DirectoryErrorCode.PreconditionFailed, `The profile schema is at version ${current.version}, not ${ifMatch}`);
    }
    const before = new Map(current.attributes.filter((d) => d.unique).map((d) => [d.name, d]));
    const after = new Map(attributes.filter((d) => d.unique).map((d) => [d.name, d]));
    const added = [...after.values()].filter((d) => !before.has(d.name) || uniqueIdentity(before.get(d.name)!) !== uniqueIdentity(d));
    const removed = [...before.keys()].filter((name) => !after.has(name));

    const now = this.clock.now();
    const row = Object.assign(new ProfileSchemaEntity(), { tenantId: tenantId, attributes, version: current.version + 1, updatedAt: now });
    const result = await this.store.save(row, current.version, { added, removed }, {
      type: 'profile-schema.updated',
      meta: { tenantId: tenantId, actor: actor, subject: tenantId, occurredAt: now },
      data: { tenantId: tenantId, version: row.version, attributes: attributes.map((d) => d.name) },
    });
    if (!result.ok && result.reason === 'stale') {
      throw new DirectoryException(DirectoryErrorCode.PreconditionFailed, 'The profile schema was changed meanwhile; read it and try again');
    }
    if (!result.ok) {
      throw new DirectoryException(DirectoryErrorCode.SchemaConflict, `Existing users share values of ${result.attribute}, so it cannot be unique`, [
        { field: `attributes.${result.attribute}`, message: 'existing users share values of this attribute' },
      ]);
    }
    this.readCache.delete(tenantId);
    return { attributes, version: row.version, updatedAt: now };
  }
}
