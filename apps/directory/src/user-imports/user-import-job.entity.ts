import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const ON_CONFLICT = ['fail', 'skip'] as const;
/** `fail`: a line whose identifier is taken is a per-line error; `skip`: it is counted as skipped. */
export type OnConflict = (typeof ON_CONFLICT)[number];

/** A per-line problem of an import; `line` is the 1-based line number in the uploaded file. */
export interface ImportLineError {
  line: number;
  field?: string;
  message: string;
}

/** At most this many line errors are kept per job; the `failed` counter counts them all. */
export const MAX_KEPT_ERRORS = 1000;

/**
 * A bulk user import. The upload waits in a spool file of the replica that accepted it (`worker`)
 * until that replica has processed it; the counters are written with every batch, in the batch's
 * transaction, so they always match what was committed.
 */
@Entity('user_import_jobs')
export class UserImportJobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 16 })
  status: ImportStatus;

  @Column({ type: 'varchar', length: 8 })
  onConflict: OnConflict;

  /** Who started the import: the actor of the events it publishes. */
  @Column({ type: 'varchar', length: 200 })
  actor: string;

  /** The replica (process) holding the spool file and running the job. */
  @Column({ type: 'varchar', length: 64 })
  worker: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  bytes: number;

  /** Non-blank lines of the upload, counted while it was received. */
  @Column({ type: 'int' })
  totalLines: number;

  @Column({ type: 'int' })
  processed: number;

  @Column({ type: 'int' })
  created: number;

  @Column({ type: 'int' })
  skipped: number;

  @Column({ type: 'int' })
  failed: number;

  /** The first `MAX_KEPT_ERRORS` line errors. */
  @Column({ type: 'simple-json' })
  errors: ImportLineError[];

  /** Why a job failed as a whole (`interrupted`, ...); null otherwise. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  failureReason: string | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  startedAt: Date | null;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  finishedAt: Date | null;

  /** Last sign of life of the worker; a queued or running job whose worker went quiet was interrupted. */
  @Column({ type: 'bigint', transformer: epochMs })
  heartbeatAt: Date;
}
