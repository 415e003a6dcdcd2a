/** An audit record as `GET /v1/audit/events` returns it. */
export interface AuditEventDto {
  id: string;
  type: string;
  tenantId: string;
  actor: string;
  subject: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** A page of audit records; `nextCursor` is null on the last page. */
export interface AuditEventPageDto {
  items: AuditEventDto[];
  nextCursor: string | null;
}

/** Consumer group of the audit log (one group consumes every context's events). */
export const AUDIT_CONSUMER_GROUP = 'audit-log';

/** Dead-letter topic of the audit log: events it could never store, with the reason in headers. */
export const AUDIT_DEAD_LETTER_TOPIC = `keyline.dlt.${AUDIT_CONSUMER_GROUP}.v1`;

/** Scope a tenant key needs to read its audit log (`admin` implies it). */
export const AUDIT_READ_SCOPE = 'audit:read';
