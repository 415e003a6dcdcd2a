import type { KeyCheck } from './api-key.principal';

interface Entry {
  check: KeyCheck;
  expiresAt: number;
}

/**
 * In-process LRU of resolved keys by SHA-256. Entries live at most `ttlMs` (<= 1 s), so a revocation
 * reaches every gateway within that bound even if its pub/sub message is lost.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(hash: string, now: number): KeyCheck | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    // Re-inserting moves the key to the young end of the Map's insertion order.
    this.entries.delete(hash);
    this.entries.set(hash, entry);
    return entry.check;
  }

  set(hash: string, check: KeyCheck, now: number): void {
    if (this.maxEntries <= 0 || this.ttlMs <= 0) return;
    this.entries.delete(hash);
    this.entries.set(hash, { check, expiresAt: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(hash: string): void {
    this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
