import pino, { type Logger } from 'pino';
import { currentContext } from './context';

/** Keys whose values are never logged, wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-internal-token"]',
  '*.totpSecret',
];

/** Structured JSON logger; every line carries service, traceId and tenantId of the current context. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const ctx = currentContext();
      return ctx ? { traceId: ctx.traceId, tenantId: ctx.tenantId } : {};
    },
  });
}

export type { Logger };
