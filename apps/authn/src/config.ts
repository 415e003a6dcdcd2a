import type { ConfigOf, FieldSpec } from '@keyline/platform-config';
import { bool, databaseFields, int, kafkaFields, optional, redisFields, serviceFields, str, url } from '@keyline/platform-config';
import { passwordHashFields } from '@keyline/platform-passwords';
import { SecretBox } from './crypto/secret-box';

const encryptionKeys: FieldSpec<string> = {
  env: 'AUTHN_ENCRYPTION_KEYS',
  doc:
    'Keys that encrypt MFA secrets at rest: comma-separated kid:base64 (32 bytes), the first encrypts, the others still decrypt (rotation); ' +
    'unset: generated once into DATA_DIR (refused in production)',
  secret: true,
  parse: (raw) => {
    SecretBox.fromConfig(raw.trim());
    return raw.trim();
  },
};

export const authnConfig = {
  ...serviceFields,
  ...kafkaFields,
  ...databaseFields('authn'),
  ...redisFields,
  ...passwordHashFields,
  port: int('PORT', 'HTTP port of the authn service', { default: 8082, min: 0, max: 65535 }),
  production: bool('KEYLINE_PRODUCTION', 'Production mode: no development mailbox, no generated keys, Secure cookies', { default: false }),
  directoryUrl: url(['http', 'https'])('DIRECTORY_URL', 'Base URL of the directory service (internal API)', { default: 'http://127.0.0.1:8081' }),
  sessionsUrl: url(['http', 'https'])('SESSIONS_URL', 'Base URL of the sessions service (internal API)', { default: 'http://127.0.0.1:8084' }),
  smtpUrl: optional(url(['smtp', 'smtps'])('SMTP_URL', 'SMTP server for sign-in mail (smtp[s]://user:pass@host:port); unset: development mailbox at /dev/mailbox')),
  mailFrom: str('MAIL_FROM', 'Sender of sign-in mail unless a tenant sets its own', { default: 'Keyline <no-reply@keyline.localhost>' }),
  encryptionKeys: optional(encryptionKeys),
};

export type AuthnConfig = ConfigOf<typeof authnConfig>;
