export type SortOrder = 'asc' | 'desc';

/** Where a page ended: the last `seq` returned and the direction of travel. */
export interface AuditCursor {
  seq: string;
  order: SortOrder;
}

const SEQ = /^\d{1,19}$/;

/** Opaque to clients: base64url of a small JSON document. */
export function encodeCursor(c: AuditCursor): string {
  return Buffer.from(JSON.stringify({ s: c.seq, o: c.order })).toString('base64url');
}

/** The cursor, or undefined when the string is not one this service issued. */
export function decodeCursor(raw: string): AuditCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { s?: unknown; o?: unknown };
    if (typeof v?.s !== 'string' || !SEQ.test(v.s) || (v.o !== 'asc' && v.o !== 'desc')) return undefined;
    return { seq: v.s, order: v.o };
  } catch {
    return undefined;
  }
}
