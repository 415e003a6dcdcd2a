/** Epoch milliseconds in a bigint column, the same on Postgres and SQLite. */
export const epochMs = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? null : new Date(Number(value))),
};
