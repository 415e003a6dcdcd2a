import { int, str } from '@keyline/platform-config';

const MiB = 1024 * 1024;

/** Configuration of bulk user imports (spread into the directory's schema in config.ts). */
export const userImportFields = {
  importMaxBytes: int('IMPORT_MAX_BYTES', 'Largest accepted user import (NDJSON body) in bytes (413 above)', {
    default: 512 * MiB,
    min: 1024,
  }),
  importSpoolDir: str('IMPORT_SPOOL_DIR', 'Folder where uploaded imports wait to be processed; empty: the system temp folder', {
    default: '',
  }),
  importBatchSize: int('IMPORT_BATCH_SIZE', 'Users written per transaction by an import', { default: 500, min: 1, max: 1000 }),
  importHeartbeatMs: int(
    'IMPORT_HEARTBEAT_MS',
    'How often a replica marks its import jobs alive; a queued or running job unmarked for 3 periods is failed as interrupted',
    { default: 10_000, min: 50 },
  ),
};

/** What the import feature reads of the directory's configuration. */
export interface UserImportConfig {
  importMaxBytes: number;
  importSpoolDir: string;
  importBatchSize: number;
  importHeartbeatMs: number;
}
