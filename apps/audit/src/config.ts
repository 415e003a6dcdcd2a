import { databaseFields, int, kafkaFields, serviceFields } from '@keyline/platform-config';

export const auditConfig = {
  ...serviceFields,
  ...kafkaFields,
  ...databaseFields('audit'),
  port: int('PORT', 'HTTP port of the audit service', { default: 8085, min: 0, max: 65535 }),
};
