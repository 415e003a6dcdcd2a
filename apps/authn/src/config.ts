import { databaseFields, int, kafkaFields, redisFields, serviceFields } from '@keyline/platform-config';

export const authnConfig = {
  ...serviceFields,
  ...kafkaFields,
  ...databaseFields('authn'),
  ...redisFields,
  port: int('PORT', 'HTTP port of the authn service', { default: 8082, min: 0, max: 65535 }),
};
