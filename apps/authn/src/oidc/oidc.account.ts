import type { IdentityEntity } from '../identities/identity.entity';

/** Standard OIDC claims by scope (OpenID Connect Core §5.4). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'locale', 'picture', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

/**
 * The claims of an identity from authn's read model (never a call to the directory): standard claims,
 * and the custom attributes the application may receive (`attributes` of its release policy).
 */
export function claimsOf(identity: IdentityEntity, releasedAttributes: readonly string[]): Record<string, unknown> {
  const c = identity.claims as Record<string, unknown>;
  const out: Record<string, unknown> = {
    sub: identity.userId,
    email: identity.email ?? undefined,
    email_verified: identity.email ? identity.emailVerified : undefined,
    phone_number: identity.phoneNumber ?? undefined,
    phone_number_verified: identity.phoneNumber ? identity.phoneNumberVerified : undefined,
    preferred_username: identity.username ?? undefined,
    name: c.name,
    given_name: c.given_name,
    family_name: c.family_name,
    locale: c.locale,
    picture: c.picture,
    updated_at: Math.floor(identity.updatedAt.getTime() / 1000),
  };
  const attributes = (c.attributes ?? {}) as Record<string, unknown>;
  const released = Object.fromEntries(releasedAttributes.filter((a) => a in attributes).map((a) => [a, attributes[a]]));
  if (Object.keys(released).length) out.attributes = released;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== null));
}
