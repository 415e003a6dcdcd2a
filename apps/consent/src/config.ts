import { databaseFields, int, kafkaFields, serviceFields } from '@keyline/platform-config';

export const consentConfig = {
  ...serviceFields,
  ...kafkaFields,
  ...databaseFields('consent'),
  port: int('PORT', 'HTTP port of the consent service', { default: 8083, min: 0, max: 65535 }),
};
