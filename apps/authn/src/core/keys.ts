import { createHmac, hkdfSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from '../crypto/secret-box';

/**
 * authn's key material: the key ring that seals MFA secrets, and a MAC key derived from it for one-time
 * codes, recovery codes and CSRF tokens. Development generates a ring once into DATA_DIR; production
 * must configure AUTHN_ENCRYPTION_KEYS (so every instance shares it and nothing is lost on redeploy).
 */
export class AuthnKeys {
  readonly box: SecretBox;
  private readonly macKey: Buffer;

  constructor(spec: string) {
    this.box = SecretBox.fromConfig(spec);
    const first = spec.split(',')[0].trim();
    const material = Buffer.from(first.slice(first.indexOf(':') + 1), 'base64');
    this.macKey = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'keyline authn mac v1', 32));
  }

  static load(opts: { configured?: string; production: boolean; dataDir: string }): AuthnKeys {
    if (opts.configured) return new AuthnKeys(opts.configured);
    if (opts.production) throw new Error('AUTHN_ENCRYPTION_KEYS is required in production (KEYLINE_PRODUCTION=true)');
    const file = join(opts.dataDir, 'authn-encryption.keys');
    if (!existsSync(file)) {
      mkdirSync(opts.dataDir, { recursive: true });
      writeFileSync(file, SecretBox.generateKeySpec('dev1'), { mode: 0o600, flag: 'wx' });
    }
    return new AuthnKeys(readFileSync(file, 'utf8').trim());
  }

  /** A MAC of `value` in `purpose` (base64url), for values that are compared, never decrypted. */
  mac(purpose: string, value: string): string {
    return createHmac('sha256', this.macKey).update(`${purpose}\0${value}`).digest('base64url');
  }
}
