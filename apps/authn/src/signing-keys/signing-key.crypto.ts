import { generateKeyPair, type KeyObject, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** The JWS algorithms a tenant signs with: ES256 by default, RS256 and EdDSA for clients that ask. */
export const SIGNING_ALGS = ['ES256', 'RS256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** A public signing key as published in a JWKS (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2). */
export interface PublicSigningJwk {
  kty: 'EC' | 'RSA' | 'OKP';
  kid: string;
  alg: SigningAlg;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/** A private signing key: what the OIDC provider gets in-process as its `jwks` configuration. */
export interface PrivateSigningJwk extends PublicSigningJwk {
  d: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
}

export interface GeneratedSigningKey {
  kid: string;
  publicJwk: PublicSigningJwk;
  privateJwk: PrivateSigningJwk;
}

/** The public members of each key type; everything else (d, p, q, dp, dq, qi, oth, ...) stays private. */
const PUBLIC_MEMBERS: Record<PublicSigningJwk['kty'], readonly string[]> = { EC: ['crv', 'x', 'y'], RSA: ['n', 'e'], OKP: ['crv', 'x'] };

/**
 * Only the public members of a JWK, by allow-list rather than by stripping known private ones, so that
 * a member nobody thought of cannot reach a JWKS.
 */
export function publicJwkOf(jwk: PublicSigningJwk): PublicSigningJwk {
  const out: Record<string, unknown> = { kty: jwk.kty, kid: jwk.kid, alg: jwk.alg, use: 'sig' };
  for (const member of PUBLIC_MEMBERS[jwk.kty] ?? []) {
    const value = (jwk as unknown as Record<string, unknown>)[member];
    if (typeof value === 'string') out[member] = value;
  }
  return out as unknown as PublicSigningJwk;
}

type Pair = { publicKey: KeyObject; privateKey: KeyObject };

function keyPair(alg: SigningAlg): Promise<Pair> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => (err ? reject(err) : resolve({ publicKey, privateKey }));
    switch (alg) {
      case 'ES256':
        return generateKeyPair('ec', { namedCurve: 'P-256' }, done);
      case 'RS256':
        return generateKeyPair('rsa', { modulusLength: 2048 }, done);
      case 'EdDSA':
        return generateKeyPair('ed25519', {}, done);
      default:
        return reject(new Error(`unsupported signing algorithm ${String(alg)}`));
    }
  });
}

/**
 * New signing key pairs (node:crypto, off the event loop: RSA generation takes tens of milliseconds) and
 * their JWKs. A kid is 16 random bytes, base64url: unique across tenants without coordination.
 */
@Injectable()
export class SigningKeyGenerator {
  async generate(alg: SigningAlg): Promise<GeneratedSigningKey> {
    const { publicKey, privateKey } = await keyPair(alg);
    const kid = randomBytes(16).toString('base64url');
    const common = { kid, alg, use: 'sig' as const };
    const publicJwk = publicJwkOf({ ...(publicKey.export({ format: 'jwk' }) as Omit<PublicSigningJwk, keyof typeof common>), ...common });
    const privateJwk: PrivateSigningJwk = { ...(privateKey.export({ format: 'jwk' }) as Omit<PrivateSigningJwk, keyof typeof common>), ...common };
    return { kid, publicJwk, privateJwk };
  }
}
