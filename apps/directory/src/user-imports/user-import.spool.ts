import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LineCounter } from './user-import.lines';

/** The upload was larger than allowed; nothing of it is kept. */
export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`upload larger than ${limit} bytes`);
  }
}

/** The client went away (or the connection broke) before the upload was complete. */
export class UploadAborted extends Error {}

export interface Received {
  bytes: number;
  /** Non-blank lines. */
  lines: number;
}

const FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.ndjson$/;
const READ_CHUNK = 256 * 1024;

/**
 * Uploads wait here, one file per job, until they are processed; then they are removed. Files are
 * private to the service (0600): they may hold password hashes.
 */
export class ImportSpool {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir || join(tmpdir(), 'keyline-directory-imports');
  }

  path(id: string): string {
    return join(this.dir, `${id}.ndjson`);
  }

  /**
   * Writes `body` to the job's file with backpressure, counting bytes and lines. Over `maxBytes` it
   * stops reading (the request is not destroyed, so the caller can still answer 413) and removes the
   * file. Rejects with UploadTooLarge or UploadAborted.
   */
  async receive(id: string, body: Readable, maxBytes: number): Promise<Received> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.path(id);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    const counter = new LineCounter();
    let bytes = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const stop = (err?: Error) => {
          if (settled) return;
          settled = true;
          body.off('data', onData);
          body.off('end', onEnd);
          body.off('error', onError);
          body.off('close', onClose);
          if (err) {
            body.pause();
            out.destroy();
            reject(err);
          } else {
            out.end((e?: Error | null) => (e ? reject(e) : resolve()));
          }
        };
        const onData = (data: Buffer | string) => {
          const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
          bytes += chunk.length;
          if (bytes > maxBytes) return stop(new UploadTooLarge(maxBytes));
          counter.push(chunk);
          if (!out.write(chunk)) {
            body.pause();
            out.once('drain', () => !settled && body.resume());
          }
        };
        const onEnd = () => stop();
        const onError = () => stop(new UploadAborted('the upload broke off'));
        const onClose = () => !body.readableEnded && stop(new UploadAborted('the upload broke off'));
        out.on('error', (err) => stop(err));
        body.on('data', onData);
        body.on('end', onEnd);
        body.on('error', onError);
        body.on('close', onClose);
        body.resume();
      });
    } catch (err) {
      await this.remove(id);
      throw err;
    }
    return { bytes, lines: counter.total() };
  }

  /** The job's file as a byte stream. */
  open(id: string): Readable {
    return createReadStream(this.path(id), { highWaterMark: READ_CHUNK });
  }

  async remove(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /** Job ids of files not modified for `idleMs` (an upload in progress keeps its file fresh). */
  async idleFiles(idleMs: number, now = Date.now()): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const name of names) {
      const m = FILE.exec(name);
      if (!m) continue;
      const s = await stat(join(this.dir, name)).catch(() => undefined);
      if (s && now - s.mtimeMs >= idleMs) ids.push(m[1]);
    }
    return ids;
  }
}
