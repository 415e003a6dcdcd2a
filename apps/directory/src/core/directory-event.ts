import type { DirectoryEvents } from '@keyline/directory-contracts';
import type { EventMeta } from '@keyline/platform-messaging';
import type { EntityManager } from 'typeorm';
import type { DirectoryOutbox } from './core.tokens';

/** An event that a store writes together with the state change it announces. */
export type DirectoryEvent = {
  [K in keyof DirectoryEvents]: { type: K; meta: EventMeta; data: DirectoryEvents[K] };
}[keyof DirectoryEvents];

export function appendEvent(outbox: DirectoryOutbox, m: EntityManager, e: DirectoryEvent): Promise<unknown> {
  return outbox.append(m, e.type, e.meta, e.data);
}
