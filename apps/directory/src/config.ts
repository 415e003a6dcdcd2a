import type { ConfigOf, FieldSpec } from '@keyline/platform-config';
import { databaseFields, int, kafkaFields, optional, redisFields, serviceFields } from '@keyline/platform-config';
import { PLATFORM_KEY_PREFIX } from '@keyline/directory-contracts';
import { passwordHashFields } from '@keyline/platform-passwords';
import { userImportFields } from './user-imports/user-imports.config';

/** Characters after `kl_admin_`, so a configured key cannot be a guessable word. */
export const PLATFORM_ADMIN_KEY_MIN_SECRET = 16;
/** The gateway does not accept longer keys. */
const MAX_KEY_LENGTH = 512;

const platformAdminApiKey: FieldSpec<string> = {
  env: 'PLATFORM_ADMIN_API_KEY',
  doc: 'Platform admin API key (kl_admin_<random>); unset: one is generated at first start and printed once',
  secret: true,
  parse: (raw) => {
    const key = raw.trim();
    if (!key.startsWith(PLATFORM_KEY_PREFIX)) throw new Error(`must start with ${PLATFORM_KEY_PREFIX}`);
    if (key.length - PLATFORM_KEY_PREFIX.length < PLATFORM_ADMIN_KEY_MIN_SECRET) {
      throw new Error(`needs at least ${PLATFORM_ADMIN_KEY_MIN_SECRET} characters after ${PLATFORM_KEY_PREFIX}`);
    }
    if (key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) throw new Error(`must be printable ASCII without spaces, at most ${MAX_KEY_LENGTH} characters`);
    return key;
  },
};

export const directoryConfig = {
  ...serviceFields,
  ...databaseFields('directory'),
  ...redisFields,
  ...kafkaFields,
  ...passwordHashFields,
  port: int('PORT', 'HTTP port of the directory service', { default: 8081, min: 0, max: 65535 }),
  platformAdminApiKey: optional(platformAdminApiKey),
  ...userImportFields,
};

export type DirectoryConfig = ConfigOf<typeof directoryConfig>;
