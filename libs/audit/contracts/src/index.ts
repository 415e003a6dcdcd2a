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

/** Consumer group of the audit log (one group consumes every context's events). */
export const AUDIT_CONSUMER_GROUP = 'audit-log';
