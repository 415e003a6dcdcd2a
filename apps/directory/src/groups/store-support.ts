import { isUniqueViolation } from '@keyline/platform-persistence';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** A write collided with a unique name (the unique index decided); the transaction rolled back. */
export class NameTakenError extends Error {
  constructor() {
    super('name taken');
  }
}

/** A row with this key appeared concurrently; the transaction rolled back. */
export class AlreadyExistsError extends Error {
  constructor() {
    super('already exists');
  }
}

/** Runs `write`, turning a unique violation into `error()` so that services never see driver errors. */
export async function uniqueAs<T>(write: Promise<T>, error: () => Error): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw error();
    throw err;
  }
}

/**
 * Row locks where the database has them: `share` (FOR SHARE) keeps a row from being changed or deleted
 * until commit, `update` (FOR UPDATE) also serialises writers. SQLite runs one writer at a time anyway.
 */
export function locked<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, mode: 'share' | 'update'): SelectQueryBuilder<T> {
  if (qb.connection.options.type !== 'postgres') return qb;
  return qb.setLock(mode === 'share' ? 'pessimistic_read' : 'pessimistic_write');
}
