import { InvalidPasswordHash, PASSWORD_HASH_FORMATS, type PasswordHashFormat, normalisePasswordHash } from '@keyline/platform-passwords';

/** A password hash from another system, as an import line carries it (see the DTO). */
export interface ImportedHashInput {
  format: string;
  hash: string;
  salt?: string;
  saltEncoding?: string;
  saltPosition?: string;
}

export type ImportedHashResult = { ok: true; format: PasswordHashFormat; hash: string } | { ok: false; message: string };

const isFormat = (f: string): f is PasswordHashFormat => (PASSWORD_HASH_FORMATS as readonly string[]).includes(f);

/**
 * The canonical form of an imported hash, parsed with the same library authn verifies it with, so an
 * import accepts exactly the hashes a sign-in can check (and refuses parameters that would make each
 * sign-in a denial of service). Messages never repeat the hash or the salt.
 */
export function importedHash(input: ImportedHashInput): ImportedHashResult {
  if (!isFormat(input.format)) return { ok: false, message: `passwordHash.format must be one of ${PASSWORD_HASH_FORMATS.join(', ')}` };
  if (input.saltEncoding !== undefined && !['utf8', 'hex', 'base64'].includes(input.saltEncoding)) {
    return { ok: false, message: 'passwordHash.saltEncoding must be utf8, hex or base64' };
  }
  if (input.saltPosition !== undefined && !['prefix', 'suffix'].includes(input.saltPosition)) {
    return { ok: false, message: 'passwordHash.saltPosition must be prefix or suffix' };
  }
  try {
    const hash = normalisePasswordHash({
      format: input.format,
      hash: input.hash,
      ...(input.salt !== undefined ? { salt: input.salt } : {}),
      ...(input.saltEncoding !== undefined ? { saltEncoding: input.saltEncoding as 'utf8' | 'hex' | 'base64' } : {}),
      ...(input.saltPosition !== undefined ? { saltPosition: input.saltPosition as 'prefix' | 'suffix' } : {}),
    });
    return { ok: true, format: input.format, hash };
  } catch (err) {
    if (err instanceof InvalidPasswordHash) return { ok: false, message: `passwordHash: ${err.message}` };
    throw err;
  }
}
