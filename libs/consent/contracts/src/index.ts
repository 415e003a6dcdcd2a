/** Kafka topics of the consent context. Events arrive with the issues that build this context. */
export const ConsentTopics = {} as const;

/** consent events by type (event envelope `data`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled as the context gains events
export interface ConsentEvents {}
