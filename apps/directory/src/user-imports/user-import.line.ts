import type { PasswordHashFormat } from '@keyline/platform-passwords';
import { PlatformException, validationPipe } from '@keyline/platform-http';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { UserEntity, UserUniqueValueEntity } from '../users/user.entity';
import { applyProfile, blankUser } from '../users/user.profile';
import { UserImportLineDto } from './dto/user-import-line.dto';
import { importedHash } from './imported-hash';
import type { ImportLineError } from './user-import-job.entity';
import type { RawLine } from './user-import.lines';

/** Longest accepted line: a user with 16 KiB of appMetadata and a large attribute set fits easily. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Why imports refuse plain passwords: hashing is deliberately slow (argon2id, ~50 ms of CPU and 19 MiB
 * each), so 100,000 passwords would keep the directory's CPUs busy for over an hour, and a file of
 * plain passwords should not exist in the first place. Imports carry the hashes of the old system.
 */
export const PLAIN_PASSWORD_REFUSED =
  'password is not accepted in imports: send passwordHash, the hash from the previous system (hashing every imported password here would cost about 50 ms of CPU each, over an hour for 100,000 users)';

/** A valid line, ready to be written: the user, its unique attribute values and an imported hash. */
export interface ImportCandidate {
  line: number;
  user: UserEntity;
  unique: UserUniqueValueEntity[];
  credential?: { format: PasswordHashFormat; hash: string };
}

export type LineOutcome = { ok: true; candidate: ImportCandidate } | { ok: false; errors: ImportLineError[] };

export interface LineContext {
  tenantId: string;
  /** The tenant's attribute definitions, read once per job. */
  defs: AttributeDefinition[];
  now: () => Date;
  newId: () => string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks one line exactly as `POST /v1/users` checks its body: the same DTO through the service's
 * global ValidationPipe, then `applyProfile` against the tenant's profile schema; plus the imported
 * password hash's shape.
 */
export class ImportLineValidator {
  private readonly pipe = validationPipe();

  constructor(private readonly ctx: LineContext) {}

  async validate(raw: RawLine): Promise<LineOutcome> {
    const line = raw.number;
    const fail = (errors: { field?: string; message: string }[]): LineOutcome => ({
      ok: false,
      errors: errors.map((e) => (e.field === undefined ? { line, message: e.message } : { line, field: e.field, message: e.message })),
    });
    if (raw.text === null) return fail([{ message: `the line is longer than ${MAX_LINE_BYTES} bytes` }]);
    let value: unknown;
    try {
      value = JSON.parse(raw.text);
    } catch {
      return fail([{ message: 'the line is not valid JSON' }]);
    }
    if (!isPlainObject(value)) return fail([{ message: 'each line must be a JSON object (one user)' }]);

    const errors: { field?: string; message: string }[] = [];
    const { password, ...rest } = value;
    if (password !== undefined) errors.push({ field: 'password', message: PLAIN_PASSWORD_REFUSED });
    let dto: UserImportLineDto | undefined;
    try {
      dto = (await this.pipe.transform(rest, { type: 'body', metatype: UserImportLineDto })) as UserImportLineDto;
    } catch (err) {
      if (!(err instanceof PlatformException)) throw err;
      errors.push(...(err.errors ?? [{ message: err.detail }]));
    }
    if (!dto) return fail(errors);

    const now = this.ctx.now();
    const blank = blankUser(this.ctx.newId(), this.ctx.tenantId, now, dto.status ?? 'active');
    const { passwordHash, ...profile } = dto;
    const applied = applyProfile(blank, profile, this.ctx.defs, 'create');
    errors.push(...applied.errors);
    let credential: ImportCandidate['credential'];
    if (passwordHash) {
      const parsed = importedHash(passwordHash);
      if (!parsed.ok) errors.push({ field: 'passwordHash', message: parsed.message });
      else credential = { format: parsed.format, hash: parsed.hash };
    }
    if (errors.length) return fail(errors);
    return { ok: true, candidate: { line, user: applied.next, unique: applied.unique.add, credential } };
  }
}
