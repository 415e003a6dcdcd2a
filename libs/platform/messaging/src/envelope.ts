import { randomUUID } from 'node:crypto';

/** The envelope every Keyline event travels in (CONVENTIONS.md). `id` is the idempotency key. */
export interface EventEnvelope<T = unknown, K extends string = string> {
  id: string;
  type: K;
  tenantId: string;
  occurredAt: string;
  actor: string;
  subject: string;
  schemaVersion: number;
  data: T;
}

/** A context's event map: event type -> payload. */
export type EventMap = Record<string, unknown>;
/** Which topic each event type of a map goes to. */
export type TopicsOf<E extends EventMap> = { readonly [K in keyof E]: string };

export interface EventMeta {
  tenantId: string;
  actor: string;
  subject: string;
  occurredAt?: Date;
  schemaVersion?: number;
}

export function envelope<T, K extends string>(type: K, meta: EventMeta, data: T): EventEnvelope<T, K> {
  return {
    id: randomUUID(),
    type,
    tenantId: meta.tenantId,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    actor: meta.actor,
    subject: meta.subject,
    schemaVersion: meta.schemaVersion ?? 1,
    data,
  };
}

/** Kafka header names carried by every message. */
export const Headers = {
  traceId: 'x-request-id',
  eventType: 'keyline-event-type',
  tenantId: 'keyline-tenant-id',
  dltReason: 'keyline-dlt-reason',
  dltError: 'keyline-dlt-error',
  dltTopic: 'keyline-dlt-original-topic',
  dltPartition: 'keyline-dlt-original-partition',
  dltOffset: 'keyline-dlt-original-offset',
  dltGroup: 'keyline-dlt-consumer-group',
  dltAttempts: 'keyline-dlt-attempts',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses and checks an envelope; throws a PermanentError-worthy message when it is not one. */
export function parseEnvelope(value: Buffer | null): EventEnvelope {
  if (!value) throw new Error('empty message');
  let e: EventEnvelope;
  try {
    e = JSON.parse(value.toString('utf8')) as EventEnvelope;
  } catch {
    throw new Error('message is not JSON');
  }
  const missing = (['id', 'type', 'tenantId', 'occurredAt', 'actor', 'subject'] as const).filter(
    (k) => typeof e?.[k] !== 'string',
  );
  if (missing.length) throw new Error(`envelope lacks ${missing.join(', ')}`);
  if (!UUID.test(e.id)) throw new Error('envelope id is not a UUID');
  return e;
}
