import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and outgoing message of one request or one consumed event carries. */
export interface RequestContext {
  traceId: string;
  tenantId?: string;
  actor?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const TRACE_HEADER = 'x-request-id';

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

/** Accepts a caller's id if it looks sane (no header injection, bounded), otherwise makes one. */
export function traceIdFrom(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(value)) return value;
  return randomUUID();
}
