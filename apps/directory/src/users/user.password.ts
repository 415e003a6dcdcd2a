import { Injectable } from '@nestjs/common';
import { argon2, randomBytes } from 'node:crypto';

/** Turns a password into a hash for authn, so no plain password ever leaves the request that carried it. */
export abstract class PasswordHashing {
  /** A PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`). */
  abstract hash(password: string): Promise<string>;
}

/** Argon2id with OWASP's minimum parameters (m=19 MiB, t=2, p=1), on libuv's thread pool. */
@Injectable()
export class Argon2idPasswordHashing extends PasswordHashing {
  constructor(private readonly params = { memory: 19_456, passes: 2, parallelism: 1 }) {
    super();
  }

  hash(password: string): Promise<string> {
    const nonce = randomBytes(16);
    const { memory, passes, parallelism } = this.params;
    return new Promise((resolve, reject) => {
      argon2('argon2id', { message: password, nonce, memory, passes, parallelism, tagLength: 32 }, (err, tag) => {
        if (err) return reject(err);
        const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
        resolve(`$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(nonce)}$${b64(tag)}`);
      });
    });
  }
}
