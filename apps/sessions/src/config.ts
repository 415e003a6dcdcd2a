import { int, redisFields, serviceFields } from '@keyline/platform-config';

export const sessionsConfig = {
  ...serviceFields,
  ...redisFields,
  port: int('PORT', 'HTTP port of the sessions service', { default: 8084, min: 0, max: 65535 }),
};
