import type { QueryRunner, TableColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Instants are stored as epoch milliseconds in a bigint column: the same type, precision and ordering
 * on Postgres and SQLite, and no session time zone involved.
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? null : new Date(Number(value))),
};

/** A uuid column in a migration: native `uuid` on Postgres, text on SQLite. */
export function uuidColumn(q: QueryRunner, name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
  const postgres = q.connection.options.type === 'postgres';
  return { name, type: postgres ? 'uuid' : 'varchar', ...(postgres ? {} : { length: '36' }), ...opts };
}
