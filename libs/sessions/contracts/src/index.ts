/** Kafka topics of the sessions context. Events arrive with the issues that build this context. */
export const SessionsTopics = {} as const;

/** sessions events by type (event envelope `data`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled as the context gains events
export interface SessionsEvents {}

export * from './internal';
