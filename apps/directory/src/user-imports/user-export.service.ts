import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { UserStatus } from '@keyline/directory-contracts';
import { UserResponseDto } from '../users/dto/user-response.dto';
import type { UserEntity } from '../users/user.entity';
import { UserImportStore } from './user-import.store';

/** Users read per query of an export. */
export const EXPORT_BATCH = 1000;
/** Bytes buffered ahead of a slow client: about one batch, so memory stays flat for any tenant size. */
const EXPORT_HIGH_WATER = 64 * 1024;

const ndjson = (rows: UserEntity[]) => rows.map((u) => JSON.stringify(UserResponseDto.from(u))).join('\n') + '\n';

/**
 * `GET /v1/users/export`: a tenant's users as NDJSON, one UserResponseDto per line, read in id order
 * (keyset pagination) one batch at a time, and only as fast as the client takes them.
 */
@Injectable()
export class UserExportService {
  constructor(private readonly store: UserImportStore) {}

  /** The first batch is read before answering, so that a failing database is a 5xx problem, not a cut stream. */
  async export(tenantId: string, status: UserStatus | undefined): Promise<Readable> {
    const first = await this.store.exportPage(tenantId, status, undefined, EXPORT_BATCH);
    const store = this.store;
    async function* batches(): AsyncGenerator<string> {
      let rows = first;
      while (rows.length) {
        yield ndjson(rows);
        if (rows.length < EXPORT_BATCH) return;
        rows = await store.exportPage(tenantId, status, rows[rows.length - 1].id, EXPORT_BATCH);
      }
    }
    return Readable.from(batches(), { objectMode: false, highWaterMark: EXPORT_HIGH_WATER });
  }
}
