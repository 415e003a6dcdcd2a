import type { ConfigOf, FieldSpec } from '@keyline/platform-config';
import { databaseFields, int, kafkaFields, optional, redisFields, serviceFields } from '@keyline/platform-config';

/** At least this long, so a configured platform admin key cannot be a guessable word. */
export const PLATFORM_ADMIN_KEY_MIN_LENGTH = 20;

const platformAdminApiKey: FieldSpec<string> = {
  env: 'PLATFORM_ADMIN_API_KEY',
  doc: 'Platform admin API key (e.g. kl_admin_<random>); unset: one is generated at first start and printed once',
  secret: true,
  parse: (raw) => {
    const key = raw.trim();
    if (key.length < PLATFORM_ADMIN_KEY_MIN_LENGTH) throw new Error(`must be at least ${PLATFORM_ADMIN_KEY_MIN_LENGTH} characters`);
    if (!/^[\x21-\x7e]+$/.test(key)) throw new Error('must be printable ASCII without spaces');
    return key;
  },
};

export const directoryConfig = {
  ...serviceFields,
  ...databaseFields('directory'),
  ...redisFields,
  ...kafkaFields,
  port: int('PORT', 'HTTP port of the directory service', { default: 8081, min: 0, max: 65535 }),
  platformAdminApiKey: optional(platformAdminApiKey),
};

export type DirectoryConfig = ConfigOf<typeof directoryConfig>;
