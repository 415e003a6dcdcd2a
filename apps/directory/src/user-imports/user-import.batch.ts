import type { ImportLineError } from './user-import-job.entity';
import { MAX_KEPT_ERRORS } from './user-import-job.entity';
import type { ImportCandidate } from './user-import.line';

/** Something unique a user claims: an identifier key or a unique attribute value, and its field name. */
export interface Claim {
  key: string;
  field: string;
}

const SEP = '\u0000';

/** Every unique thing a new user claims, keyed the way the database compares them. */
export function claimsOf(c: ImportCandidate): Claim[] {
  const u = c.user;
  const claims: Claim[] = [];
  if (u.emailKey !== null) claims.push({ key: emailClaim(u.emailKey), field: 'email' });
  if (u.phoneKey !== null) claims.push({ key: phoneClaim(u.phoneKey), field: 'phoneNumber' });
  if (u.usernameKey !== null) claims.push({ key: usernameClaim(u.usernameKey), field: 'username' });
  for (const v of c.unique) claims.push({ key: attributeClaim(v.attribute, v.valueKey), field: `attributes.${v.attribute}` });
  return claims;
}

export const emailClaim = (emailKey: string) => `email${SEP}${emailKey}`;
export const phoneClaim = (phoneKey: string) => `phone${SEP}${phoneKey}`;
export const usernameClaim = (usernameKey: string) => `username${SEP}${usernameKey}`;
export const attributeClaim = (attribute: string, valueKey: string) => `attr${SEP}${attribute}${SEP}${valueKey}`;

/** A line that cannot be created because something it claims is taken (in the tenant or earlier in the batch). */
export interface Collision {
  candidate: ImportCandidate;
  field: string;
  message: string;
}

export interface BatchPlan {
  insert: ImportCandidate[];
  collisions: Collision[];
}

/**
 * Splits a batch into the lines to insert and those that collide: with a value already `taken` in the
 * tenant, or with an earlier line of the same batch (the earlier line wins), so that the batch's
 * multi-row insert only fails on a race with a concurrent write.
 */
export function planBatch(candidates: readonly ImportCandidate[], taken: ReadonlySet<string>): BatchPlan {
  const seen = new Map<string, number>();
  const insert: ImportCandidate[] = [];
  const collisions: Collision[] = [];
  for (const c of candidates) {
    const claims = claimsOf(c);
    const takenClaim = claims.find((cl) => taken.has(cl.key));
    if (takenClaim) {
      collisions.push({ candidate: c, field: takenClaim.field, message: `${takenClaim.field} is already taken` });
      continue;
    }
    const dup = claims.find((cl) => seen.has(cl.key));
    if (dup) {
      collisions.push({ candidate: c, field: dup.field, message: `${dup.field} duplicates line ${seen.get(dup.key)}` });
      continue;
    }
    for (const cl of claims) seen.set(cl.key, c.line);
    insert.push(c);
  }
  return { insert, collisions };
}

/** A job's counters as the runner keeps them; written to the job row with every batch. */
export class ImportProgress {
  processed = 0;
  created = 0;
  skipped = 0;
  failed = 0;
  /** Kept errors, in line order (`settle` sorts each batch's before keeping them). */
  readonly errors: ImportLineError[] = [];
  /** Errors of the current batch, in the order they were found. */
  private pending: ImportLineError[] = [];
  /** Whether `errors` changed since the last save (the column is rewritten only then). */
  private errorsChanged = false;

  /** A line that failed, with its errors. */
  fail(errors: ImportLineError[]): void {
    this.processed++;
    this.failed++;
    this.pending.push(...errors);
  }

  skip(): void {
    this.processed++;
    this.skipped++;
  }

  create(n = 1): void {
    this.processed += n;
    this.created += n;
  }

  /** Ends a batch: its errors join the kept ones in line order, up to MAX_KEPT_ERRORS per job. */
  settle(): void {
    if (!this.pending.length) return;
    const room = MAX_KEPT_ERRORS - this.errors.length;
    if (room > 0) {
      // Stable: a line's own errors keep their order.
      this.errors.push(...this.pending.sort((a, b) => a.line - b.line).slice(0, room));
      this.errorsChanged = true;
    }
    this.pending = [];
  }

  /** The counters as saved (errors only when they changed); call `saved()` once they are. */
  snapshot(): ProgressSnapshot {
    const snap: ProgressSnapshot = { processed: this.processed, created: this.created, skipped: this.skipped, failed: this.failed };
    if (this.errorsChanged) snap.errors = [...this.errors];
    return snap;
  }

  saved(): void {
    this.errorsChanged = false;
  }

  copy(): ImportProgress {
    const c = new ImportProgress();
    c.restore(this);
    return c;
  }

  /** Takes over the state of `other` (undoing what happened since it was copied). */
  restore(other: ImportProgress): void {
    this.processed = other.processed;
    this.created = other.created;
    this.skipped = other.skipped;
    this.failed = other.failed;
    this.errors.splice(0, this.errors.length, ...other.errors);
    this.pending = [...other.pending];
    this.errorsChanged = other.errorsChanged;
  }
}

export interface ProgressSnapshot {
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  errors?: ImportLineError[];
}
