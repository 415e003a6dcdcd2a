import { Injectable } from '@nestjs/common';
import type { AuditEventDto, AuditEventPageDto } from '@keyline/audit-contracts';
import { EventEnvelope, PermanentError } from '@keyline/platform-messaging';
import { EntityManager } from 'typeorm';
import { Clock } from '../clock';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventStore } from './audit-events.store';
import { AUDIT_PAGE_DEFAULT, AuditEventQueryDto } from './dto/audit-event-query.dto';
import { decodeCursor, encodeCursor } from './events.cursor';
import { AuditErrorCode, AuditException } from './events.exception';
import { redactSecrets } from './events.redaction';
import { parseTypeFilter } from './events.type-filter';

/** Column sizes of audit_events; longer values could never be stored, so they are poison. */
const LIMITS = { tenantId: 100, type: 200, actor: 200, subject: 200 } as const;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

@Injectable()
export class EventsService {
  constructor(
    private readonly store: AuditEventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores one event inside the consumer's transaction. Events that can never be stored throw a
   * PermanentError, which sends them to the dead-letter topic instead of blocking their partition.
   */
  async record(event: EventEnvelope, manager: EntityManager): Promise<void> {
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = event[field];
      if (value.length > max) throw new PermanentError(`envelope ${field} is longer than ${max} characters`);
      if (CONTROL_CHARS.test(value)) throw new PermanentError(`envelope ${field} contains control characters`);
    }
    if (!event.tenantId) throw new PermanentError('envelope tenantId is empty');
    const occurredAt = Date.parse(event.occurredAt);
    if (Number.isNaN(occurredAt)) throw new PermanentError('envelope occurredAt is not a date');
    const data = (event.data ?? {}) as unknown;
    if (typeof data !== 'object' || Array.isArray(data)) throw new PermanentError('envelope data is not an object');
    const schemaVersion = event.schemaVersion ?? 1;
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1) throw new PermanentError('envelope schemaVersion is not a positive integer');

    await this.store.append(manager, {
      eventId: event.id.toLowerCase(),
      tenantId: event.tenantId,
      type: event.type,
      actor: event.actor,
      subject: event.subject,
      occurredAt: String(occurredAt),
      receivedAt: String(this.clock.now().getTime()),
      schemaVersion,
      data: JSON.stringify(redactSecrets(data as Record<string, unknown>)),
    });
  }

  /** One page of the tenant's audit log, newest first unless asked otherwise. */
  async list(tenantId: string, q: AuditEventQueryDto): Promise<AuditEventPageDto> {
    const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && !cursor) {
      throw AuditException.invalidQuery('cursor', 'cursor must be a nextCursor returned by this API');
    }
    if (cursor && q.order && q.order !== cursor.order) {
      throw AuditException.invalidQuery('order', `order must be ${cursor.order}, the order of the cursor`);
    }
    const since = q.since === undefined ? undefined : Date.parse(q.since);
    const until = q.until === undefined ? undefined : Date.parse(q.until);
    if (since !== undefined && until !== undefined && since >= until) {
      throw AuditException.invalidQuery('until', 'until must be later than since');
    }
    const order = q.order ?? cursor?.order ?? 'desc';
    const limit = q.limit ?? AUDIT_PAGE_DEFAULT;
    const rows = await this.store.find({
      tenantId,
      type: parseTypeFilter(q.type),
      subject: q.subject,
      actor: q.actor,
      since,
      until,
      afterSeq: cursor?.seq,
      order,
      // One more than asked tells whether another page exists without a count query.
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toDto),
      nextCursor: rows.length > limit && last ? encodeCursor({ seq: String(last.seq), order }) : null,
    };
  }

  /** One event of the tenant; another tenant's event is indistinguishable from a missing one. */
  async get(tenantId: string, id: string): Promise<AuditEventDto> {
    const row = await this.store.findOne(tenantId, id.toLowerCase());
    if (!row) throw new AuditException(AuditErrorCode.EventNotFound, `No audit event ${id}`);
    return toDto(row);
  }
}

function toDto(row: AuditEventEntity): AuditEventDto {
  return {
    id: row.eventId,
    type: row.type,
    tenantId: row.tenantId,
    actor: row.actor,
    subject: row.subject,
    occurredAt: new Date(Number(row.occurredAt)).toISOString(),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
