import type { AuthnEvents } from '@keyline/authn-contracts';
import type { Outbox } from '@keyline/platform-messaging';

/** The validated authn configuration (`AuthnConfig`). */
export const AUTHN_CONFIG = Symbol('authn:config');
/** The typed transactional outbox of authn events (`AuthnOutbox`). */
export const AUTHN_OUTBOX = Symbol('authn:outbox');

export type AuthnOutbox = Outbox<AuthnEvents>;
