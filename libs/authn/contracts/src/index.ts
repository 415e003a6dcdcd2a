/** Consumer group of authn's identity read model (directory user and credential events). */
export const AUTHN_IDENTITIES_CONSUMER_GROUP = 'authn-identities';

/** Kafka topics of the authn context. Events arrive with the issues that build this context. */
export const AuthnTopics = {} as const;

/** authn events by type (event envelope `data`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled as the context gains events
export interface AuthnEvents {}
