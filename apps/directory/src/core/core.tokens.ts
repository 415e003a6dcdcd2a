import type { DirectoryEvents } from '@keyline/directory-contracts';
import type { Outbox } from '@keyline/platform-messaging';

/** The validated directory configuration (`DirectoryConfig`). */
export const DIRECTORY_CONFIG = Symbol('directory:config');
/** The typed transactional outbox of directory events (`DirectoryOutbox`). */
export const DIRECTORY_OUTBOX = Symbol('directory:outbox');

export type DirectoryOutbox = Outbox<DirectoryEvents>;
