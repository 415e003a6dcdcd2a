import { API_KEY_RESOLVE_PATH, ApiKeyRecord } from '@keyline/directory-contracts';
import { INTERNAL_TOKEN_HEADER } from '@keyline/platform-http';
import { TRACE_HEADER } from '@keyline/platform-observability';
import { Upstream, classifyUpstreamError } from '../proxy/upstream';
import { parseApiKeyRecord } from './api-key.principal';
import { KeyDirectory } from './api-key.resolver';

const RESOLVE_TIMEOUT_MS = 2000;

/** Asks the directory (POST API_KEY_RESOLVE_PATH) about a key Redis does not know; it refills Redis. */
export class DirectoryKeyClient implements KeyDirectory {
  constructor(
    private readonly directory: Upstream,
    private readonly internalToken: string,
  ) {}

  async resolve(hash: string, requestId: string): Promise<ApiKeyRecord> {
    if (this.directory.isOpen()) throw new Error('directory is marked down');
    let res;
    try {
      res = await this.directory.pool.request({
        method: 'POST',
        path: `${this.directory.basePath}${API_KEY_RESOLVE_PATH}`,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [INTERNAL_TOKEN_HEADER]: this.internalToken,
          [TRACE_HEADER]: requestId,
        },
        body: JSON.stringify({ hash }),
        headersTimeout: RESOLVE_TIMEOUT_MS,
        bodyTimeout: RESOLVE_TIMEOUT_MS,
      });
    } catch (err) {
      this.directory.failed(classifyUpstreamError(err));
      throw err;
    }
    this.directory.succeeded();
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`directory answered ${res.statusCode} to a key resolution`);
    }
    const record = parseApiKeyRecord(await res.body.json());
    if (!record) throw new Error('directory answered a malformed key record');
    return record;
  }
}
