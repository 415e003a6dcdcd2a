/** Injection tokens of the platform runtime. */
export const METRICS = Symbol('keyline:metrics');
export const LOGGER = Symbol('keyline:logger');
export const SERVICE_NAME = Symbol('keyline:service-name');
