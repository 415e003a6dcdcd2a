import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_STATUSES, ImportStatus, MAX_KEPT_ERRORS, ON_CONFLICT, OnConflict, UserImportJobEntity } from '../user-import-job.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export class ImportLineErrorDto {
  @ApiProperty({ description: '1-based line number in the uploaded file', example: 42 })
  line: number;

  @ApiPropertyOptional({ example: 'email' })
  field?: string;

  @ApiProperty({ example: 'email must be an email address' })
  message: string;
}

/** A bulk import as `GET /v1/users/imports/{id}` shows it. */
export class UserImportJobResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: IMPORT_STATUSES })
  status: ImportStatus;

  @ApiProperty({ enum: ON_CONFLICT })
  onConflict: OnConflict;

  @ApiProperty({ description: 'Bytes received' })
  bytes: number;

  @ApiProperty({ description: 'Non-blank lines of the upload' })
  totalLines: number;

  @ApiProperty({ description: 'Lines handled so far: created + skipped + failed' })
  processed: number;

  @ApiProperty()
  created: number;

  @ApiProperty()
  skipped: number;

  @ApiProperty()
  failed: number;

  @ApiProperty({ type: [ImportLineErrorDto], description: `The first ${MAX_KEPT_ERRORS} line errors` })
  errors: ImportLineErrorDto[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why the job failed as a whole (e.g. interrupted)' })
  failureReason: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  static from(j: UserImportJobEntity): UserImportJobResponseDto {
    return {
      id: j.id,
      status: j.status,
      onConflict: j.onConflict,
      bytes: j.bytes,
      totalLines: j.totalLines,
      processed: j.processed,
      created: j.created,
      skipped: j.skipped,
      failed: j.failed,
      errors: j.errors,
      failureReason: j.failureReason,
      createdAt: j.createdAt.toISOString(),
      startedAt: iso(j.startedAt),
      finishedAt: iso(j.finishedAt),
    };
  }
}

/** `GET /v1/users/imports`: jobs without their line errors (read one job for those). */
export class UserImportJobSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: IMPORT_STATUSES })
  status: ImportStatus;

  @ApiProperty({ enum: ON_CONFLICT })
  onConflict: OnConflict;

  @ApiProperty()
  bytes: number;

  @ApiProperty()
  totalLines: number;

  @ApiProperty()
  processed: number;

  @ApiProperty()
  created: number;

  @ApiProperty()
  skipped: number;

  @ApiProperty()
  failed: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  failureReason: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  static from(j: UserImportJobEntity): UserImportJobSummaryDto {
    const { errors: _errors, ...summary } = UserImportJobResponseDto.from(j);
    return summary;
  }
}

export class UserImportJobPageDto {
  @ApiProperty({ type: [UserImportJobSummaryDto] })
  items: UserImportJobSummaryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
