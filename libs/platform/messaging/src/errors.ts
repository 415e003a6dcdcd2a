/** A message that can never succeed (bad shape, unknown reference): dead-letter it at once. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}
