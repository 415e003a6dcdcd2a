import { ConfigOf, int, optional, redisFields, serviceFields, str } from '@keyline/platform-config';

export const stubConfig = {
  ...serviceFields,
  ...redisFields,
  port: int('PORT', 'HTTP port of the stand-in upstream', { default: 8189, min: 0, max: 65535 }),
  platformAdminApiKey: optional(str('PLATFORM_ADMIN_API_KEY', 'Platform admin key the stand-in accepts', { secret: true })),
};

export type StubConfig = ConfigOf<typeof stubConfig>;
