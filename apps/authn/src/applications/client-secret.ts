import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuthnKeys } from '../core/keys';
import type { ApplicationEntity } from './application.entity';

/** Keyline client secrets start with this, so that secret scanners and people recognise them. */
export const CLIENT_SECRET_PREFIX = 'klcs_';
/** MAC purpose of client secrets (`AuthnKeys.mac`). */
export const CLIENT_SECRET_PURPOSE = 'client-secret';
/** Longer input is never a secret of ours; refused before any hashing. */
const MAX_SECRET_LENGTH = 256;

/**
 * The keyed hash a client secret is stored as. Secrets carry 256 random bits, so a fast MAC is enough
 * (no password hashing: there is nothing to guess) and keeps client authentication cheap.
 */
export const hashClientSecret = (keys: AuthnKeys, secret: string): string => keys.mac(CLIENT_SECRET_PURPOSE, secret);

/**
 * Whether `presented` is the application's client secret: the current one, or the one before the last
 * rotation while its grace period lasts. Constant-time; a deleted or public application has none.
 */
export function verifyClientSecret(keys: AuthnKeys, presented: string, app: ApplicationEntity, now: Date): boolean {
  if (typeof presented !== 'string' || !presented || presented.length > MAX_SECRET_LENGTH || app.deletedAt || !app.secretHash) return false;
  const mac = Buffer.from(hashClientSecret(keys, presented));
  const current = sameMac(mac, app.secretHash);
  const inGrace = !!app.previousSecretHash && !!app.previousSecretExpiresAt && now.getTime() < app.previousSecretExpiresAt.getTime();
  // Both comparisons always run, so timing does not tell which secret matched.
  const previous = sameMac(mac, app.previousSecretHash ?? '');
  return current || (inGrace && previous);
}

function sameMac(mac: Buffer, stored: string): boolean {
  const b = Buffer.from(stored);
  return b.length === mac.length && timingSafeEqual(mac, b);
}

/** New client ids and secrets: randomness and hashing behind one injectable, so tests can pin them. */
@Injectable()
export class ClientCredentials {
  constructor(private readonly keys: AuthnKeys) {}

  /** A public OAuth client id: 24 random bytes, base64url (32 characters). */
  newClientId(): string {
    return randomBytes(24).toString('base64url');
  }

  /** A new secret (shown once) and the hash to store. */
  newSecret(): { secret: string; hash: string } {
    const secret = CLIENT_SECRET_PREFIX + randomBytes(32).toString('base64url');
    return { secret, hash: hashClientSecret(this.keys, secret) };
  }
}
