export * from './infra';
export * from './postgres';
export * from './processes';
export * from './wait';
export * from './kafka';
export * from './service-baseline';
export * from './http-client';
export * from './smtp-sink';
