import { createPublicKey } from 'node:crypto';
import {
  APPLICATION_GRANT_TYPES,
  APPLICATION_TYPES,
  ID_TOKEN_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type ApplicationGrantType,
  type ApplicationType,
  type IdTokenSigningAlg,
  type TokenEndpointAuthMethod,
} from '@keyline/authn-contracts';
import type { FieldError } from '@keyline/platform-http';

/** A JWK member value: strings, numbers, booleans and string lists (`key_ops`, `x5c`). */
export type JwkMember = string | number | boolean | string[];

/** A JWK Set of public keys (RFC 7517 §5). */
export interface PublicJwks {
  keys: Record<string, JwkMember>[];
}

/** Everything about an application a tenant sets: what the provider reads, never a secret. */
export interface ApplicationSettings {
  name: string;
  type: ApplicationType;
  firstParty: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: ApplicationGrantType[];
  scopes: string[];
  corsOrigins: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  jwks: PublicJwks | null;
  jwksUri: string | null;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  backchannelLogoutUri: string | null;
  idTokenSignedResponseAlg: IdTokenSigningAlg;
  claims: { attributes: string[] };
}

/** What a create body or a merge patch may hold: absent keeps (or defaults), `null` resets to the default. */
export type ApplicationInput = { [K in keyof ApplicationSettings]?: unknown };

/** `create`: a new application; `{ current }`: a merge patch over this application (its type is fixed). */
export type ValidationMode = 'create' | { current: ApplicationSettings };

export interface ValidationResult {
  /** The complete settings after defaults and the patch; null when there are errors. */
  value: ApplicationSettings | null;
  errors: FieldError[];
  /** Fields whose value differs from `current` (update only). */
  changes: string[];
}

export const CONFIDENTIAL_TYPES: readonly ApplicationType[] = ['web', 'machine'];
export const isConfidential = (type: ApplicationType): boolean => CONFIDENTIAL_TYPES.includes(type);

export const TTL_LIMITS = {
  accessTokenTtlSeconds: { min: 60, max: 86_400, default: 900 },
  idTokenTtlSeconds: { min: 60, max: 86_400, default: 3600 },
  refreshTokenTtlSeconds: { min: 300, max: 31_536_000, default: 2_592_000 },
} as const;

export const LIMITS = { name: 100, uris: 50, uri: 2048, scopes: 100, scope: 128, attributes: 100, jwksKeys: 10, jwksBytes: 16_384 } as const;

const INTERACTIVE_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Names of custom profile attributes, as the directory's profile schema allows them. */
const ATTRIBUTE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
/** Names are shown on consent screens: no control characters. */
const CONTROL = /[\u0000-\u001f\u007f]/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** RFC 8252 §7.1: a private-use scheme is a reverse domain name (`com.example.app`). */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(?:\.[a-z0-9+-]+)+$/;
/** JWK members that only private or symmetric keys have (RFC 7518 §6). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const JWK_CURVES: Record<string, string[]> = { EC: ['P-256', 'P-384', 'P-521'], OKP: ['Ed25519', 'Ed448'] };

/** What a new application of this type gets for every field it leaves out (`name` has no default). */
export function defaultsFor(type: ApplicationType): Omit<ApplicationSettings, 'name' | 'type'> {
  const machine = type === 'machine';
  return {
    firstParty: true,
    redirectUris: [],
    postLogoutRedirectUris: [],
    grantTypes: machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
    scopes: machine ? [] : [...INTERACTIVE_SCOPES],
    corsOrigins: [],
    tokenEndpointAuthMethod: isConfidential(type) ? 'client_secret_basic' : 'none',
    jwks: null,
    jwksUri: null,
    accessTokenTtlSeconds: TTL_LIMITS.accessTokenTtlSeconds.default,
    idTokenTtlSeconds: TTL_LIMITS.idTokenTtlSeconds.default,
    refreshTokenTtlSeconds: TTL_LIMITS.refreshTokenTtlSeconds.default,
    backchannelLogoutUri: null,
    idTokenSignedResponseAlg: 'ES256',
    claims: { attributes: [] },
  };
}

const FIELDS: readonly (keyof ApplicationSettings)[] = [
  'name',
  'type',
  'firstParty',
  'redirectUris',
  'postLogoutRedirectUris',
  'grantTypes',
  'scopes',
  'corsOrigins',
  'tokenEndpointAuthMethod',
  'jwks',
  'jwksUri',
  'accessTokenTtlSeconds',
  'idTokenTtlSeconds',
  'refreshTokenTtlSeconds',
  'backchannelLogoutUri',
  'idTokenSignedResponseAlg',
  'claims',
];

/** The settings part of an application (entity or event): what `validateApplication` merges a patch over. */
export function settingsOf(a: ApplicationSettings): ApplicationSettings {
  return Object.fromEntries(FIELDS.map((f) => [f, a[f]])) as unknown as ApplicationSettings;
}

/**
 * The rules of an OAuth client, as one pure function: defaults per type, then every field and every
 * rule between fields. On update the input is a JSON merge patch (RFC 7396) over `current`: an absent
 * field keeps its value, `null` resets it to the type's default, and the type cannot change.
 */
export function validateApplication(input: ApplicationInput, mode: ValidationMode): ValidationResult {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  const current = mode === 'create' ? null : mode.current;

  let type: ApplicationType;
  if (current) {
    type = current.type;
    if (input.type !== undefined && input.type !== null && input.type !== current.type) fail('type', 'type cannot be changed; create a new application');
  } else if (typeof input.type === 'string' && (APPLICATION_TYPES as readonly string[]).includes(input.type)) {
    type = input.type as ApplicationType;
  } else {
    fail('type', `type must be one of ${APPLICATION_TYPES.join(', ')}`);
    return { value: null, errors, changes: [] };
  }

  const defaults = defaultsFor(type);
  const raw: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const given = input[field];
    if (given === undefined) raw[field] = current ? current[field] : field in defaults ? defaults[field as keyof typeof defaults] : undefined;
    else if (given === null) raw[field] = field in defaults ? defaults[field as keyof typeof defaults] : null;
    else raw[field] = given;
  }
  raw.type = type;

  const name = checkName(raw.name, fail);
  const firstParty = raw.firstParty;
  if (typeof firstParty !== 'boolean') fail('firstParty', 'firstParty must be true or false');
  const grantTypes = checkGrantTypes(raw.grantTypes, type, fail);
  const redirectUris = checkUriList('redirectUris', raw.redirectUris, type, fail);
  const postLogoutRedirectUris = checkUriList('postLogoutRedirectUris', raw.postLogoutRedirectUris, type, fail);
  if (type === 'machine') {
    if (redirectUris.length) fail('redirectUris', 'machine applications have no redirect URIs (they use client_credentials only)');
    if (postLogoutRedirectUris.length) fail('postLogoutRedirectUris', 'machine applications have no post-logout redirect URIs');
  } else if (grantTypes.includes('authorization_code') && !redirectUris.length && !errors.some((e) => e.field.startsWith('redirectUris'))) {
    fail('redirectUris', 'give at least one redirect URI (the authorization_code grant needs one)');
  }
  const scopes = checkScopes(raw.scopes, type, fail);
  const corsOrigins = checkCorsOrigins(raw.corsOrigins, type, fail);
  const tokenEndpointAuthMethod = checkAuthMethod(raw.tokenEndpointAuthMethod, type, fail);
  const jwks = checkJwks(raw.jwks, fail);
  const jwksUri = checkServerUri('jwksUri', raw.jwksUri, fail);
  if (jwks && jwksUri) fail('jwksUri', 'give jwks or jwksUri, not both');
  if (tokenEndpointAuthMethod === 'private_key_jwt' && !jwks && !jwksUri && !errors.some((e) => e.field.startsWith('jwks'))) {
    fail('jwks', 'private_key_jwt needs the public keys: give jwks or jwksUri');
  }
  if (tokenEndpointAuthMethod !== 'private_key_jwt') {
    if (jwks) fail('jwks', 'jwks is used only with tokenEndpointAuthMethod private_key_jwt');
    if (jwksUri) fail('jwksUri', 'jwksUri is used only with tokenEndpointAuthMethod private_key_jwt');
  }
  const ttl = (field: keyof typeof TTL_LIMITS): number => {
    const v = raw[field];
    const { min, max } = TTL_LIMITS[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `${field} must be a whole number from ${min} to ${max}`);
    return v as number;
  };
  const accessTokenTtlSeconds = ttl('accessTokenTtlSeconds');
  const idTokenTtlSeconds = ttl('idTokenTtlSeconds');
  const refreshTokenTtlSeconds = ttl('refreshTokenTtlSeconds');
  const backchannelLogoutUri = checkServerUri('backchannelLogoutUri', raw.backchannelLogoutUri, fail);
  if (backchannelLogoutUri && type !== 'web') fail('backchannelLogoutUri', 'only web applications have a server to receive back-channel logout');
  const alg = raw.idTokenSignedResponseAlg;
  if (!(ID_TOKEN_SIGNING_ALGS as readonly unknown[]).includes(alg)) fail('idTokenSignedResponseAlg', `idTokenSignedResponseAlg must be one of ${ID_TOKEN_SIGNING_ALGS.join(', ')}`);
  const claims = checkClaims(raw.claims, fail);

  if (errors.length) return { value: null, errors, changes: [] };
  const value: ApplicationSettings = {
    name,
    type,
    firstParty: firstParty as boolean,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    scopes,
    corsOrigins,
    tokenEndpointAuthMethod,
    jwks,
    jwksUri,
    accessTokenTtlSeconds,
    idTokenTtlSeconds,
    refreshTokenTtlSeconds,
    backchannelLogoutUri,
    idTokenSignedResponseAlg: alg as IdTokenSigningAlg,
    claims,
  };
  const changes = current ? FIELDS.filter((f) => JSON.stringify(value[f]) !== JSON.stringify(current[f])) : [];
  return { value, errors, changes };
}

type Fail = (field: string, message: string) => void;

function checkName(v: unknown, fail: Fail): string {
  const name = typeof v === 'string' ? v.trim() : '';
  if (typeof v !== 'string' || !name) fail('name', 'name is required');
  else if (name.length > LIMITS.name) fail('name', `name must be at most ${LIMITS.name} characters`);
  else if (CONTROL.test(name)) fail('name', 'name must not contain control characters');
  return name;
}

/** An array of distinct strings, else a field error (and an empty list, so later rules stay quiet). */
function stringList(field: string, v: unknown, max: number, fail: Fail): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    fail(field, `${field} must be a list of strings`);
    return [];
  }
  if (v.length > max) fail(field, `${field} may hold at most ${max} entries`);
  if (new Set(v).size !== v.length) fail(field, `${field} must not repeat an entry`);
  return v as string[];
}

function checkGrantTypes(v: unknown, type: ApplicationType, fail: Fail): ApplicationGrantType[] {
  const list = stringList('grantTypes', v, APPLICATION_GRANT_TYPES.length, fail);
  const unknown = list.filter((g) => !(APPLICATION_GRANT_TYPES as readonly string[]).includes(g));
  if (unknown.length) {
    fail('grantTypes', `unknown grant type ${unknown[0]}; use ${APPLICATION_GRANT_TYPES.join(', ')}`);
    return [];
  }
  const grants = list as ApplicationGrantType[];
  if (Array.isArray(v) && !grants.length) fail('grantTypes', 'give at least one grant type');
  const has = (g: ApplicationGrantType) => grants.includes(g);
  if (type === 'machine') {
    if (grants.some((g) => g !== 'client_credentials')) fail('grantTypes', 'machine applications use client_credentials only');
  } else {
    if (has('client_credentials') && !isConfidential(type)) fail('grantTypes', `client_credentials needs a confidential client; a ${type} application has no secret`);
    if (has('urn:ietf:params:oauth:grant-type:device_code') && type === 'spa') fail('grantTypes', 'the device flow is for native and web applications, not SPAs');
    if (has('refresh_token') && !has('authorization_code') && !has('urn:ietf:params:oauth:grant-type:device_code')) {
      fail('grantTypes', 'refresh_token needs authorization_code or the device flow to obtain a first refresh token');
    }
  }
  return grants;
}

export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname.toLowerCase());

/**
 * Why a redirect URI cannot be registered, or null. Exact values only (OAuth 2.0 Security BCP §4.1):
 * no wildcards, no fragments (RFC 6749 §3.1.2), https, http only on a loopback host (RFC 8252 §7.3),
 * and for native applications a reverse-domain private-use scheme (RFC 8252 §7.1).
 */
export function redirectUriProblem(uri: string, type: ApplicationType): string | null {
  if (uri.length > LIMITS.uri) return `must be at most ${LIMITS.uri} characters`;
  if (uri.includes('*')) return 'wildcards are not allowed: register every redirect URI exactly';
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (/\s/.test(uri)) return 'must not contain whitespace';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI such as https://app.example.com/callback';
  }
  if (url.username || url.password) return 'must not contain user credentials';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') {
    if (!url.hostname) return 'must name a host';
    return type === 'native' && isLoopbackHost(url.hostname) ? 'a native app redirects to a loopback host over http, not https (RFC 8252 §7.3)' : null;
  }
  if (scheme === 'http') return isLoopbackHost(url.hostname) ? null : 'http is allowed only on a loopback host (localhost, 127.0.0.1, [::1]); use https';
  if (type !== 'native') return 'must use https (or http on a loopback host)';
  if (!PRIVATE_USE_SCHEME.test(scheme)) return 'a native app scheme must be a reverse domain name such as com.example.app:/callback';
  return null;
}

function checkUriList(field: 'redirectUris' | 'postLogoutRedirectUris', v: unknown, type: ApplicationType, fail: Fail): string[] {
  const list = stringList(field, v, LIMITS.uris, fail);
  list.forEach((uri, i) => {
    const problem = redirectUriProblem(uri, type);
    if (problem) fail(`${field}[${i}]`, `${field}[${i}] ${problem}`);
  });
  return list;
}

function checkScopes(v: unknown, type: ApplicationType, fail: Fail): string[] {
  const list = stringList('scopes', v, LIMITS.scopes, fail);
  list.forEach((s, i) => {
    if (!s || s.length > LIMITS.scope || !SCOPE_TOKEN.test(s)) fail(`scopes[${i}]`, `scopes[${i}] must be a scope token (printable, no spaces, at most ${LIMITS.scope} characters)`);
  });
  if (type === 'machine') {
    for (const s of ['openid', 'offline_access']) if (list.includes(s)) fail('scopes', `machine applications act for no user: ${s} is not available`);
  }
  return list;
}

function checkCorsOrigins(v: unknown, type: ApplicationType, fail: Fail): string[] {
  const list = stringList('corsOrigins', v, LIMITS.uris, fail);
  if (list.length && type !== 'spa') {
    fail('corsOrigins', 'only SPAs call the token endpoint from a browser: corsOrigins is for spa applications');
    return list;
  }
  list.forEach((origin, i) => {
    const problem = originProblem(origin);
    if (problem) fail(`corsOrigins[${i}]`, `corsOrigins[${i}] ${problem}`);
  });
  return list;
}

function originProblem(origin: string): string | null {
  if (origin.includes('*')) return 'wildcards are not allowed: list every origin exactly';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'must be an origin such as https://app.example.com';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return 'must use https (or http on a loopback host)';
  if (url.origin !== origin) return `must be an origin only (scheme, host and port), such as ${url.origin}`;
  return null;
}

function checkAuthMethod(v: unknown, type: ApplicationType, fail: Fail): TokenEndpointAuthMethod {
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly unknown[]).includes(v)) {
    fail('tokenEndpointAuthMethod', `tokenEndpointAuthMethod must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`);
    return 'none';
  }
  const method = v as TokenEndpointAuthMethod;
  if (!isConfidential(type) && method !== 'none') fail('tokenEndpointAuthMethod', `a ${type} application is a public client (PKCE, no secret): tokenEndpointAuthMethod must be none`);
  if (isConfidential(type) && method === 'none') fail('tokenEndpointAuthMethod', `a ${type} application is a confidential client: it must authenticate at the token endpoint`);
  return method;
}

/** Server endpoints of the application (JWKS, back-channel logout): https, or http on a loopback host. */
function checkServerUri(field: string, v: unknown, fail: Fail): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') {
    fail(field, `${field} must be a URL`);
    return null;
  }
  if (v.length > LIMITS.uri) fail(field, `${field} must be at most ${LIMITS.uri} characters`);
  let url: URL | null = null;
  try {
    url = new URL(v);
  } catch {
    fail(field, `${field} must be an absolute https URL`);
    return v;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) fail(field, `${field} must use https (or http on a loopback host)`);
  else if (v.includes('#')) fail(field, `${field} must not contain a fragment (#)`);
  else if (url.username || url.password) fail(field, `${field} must not contain user credentials`);
  return v;
}

/** A JWK Set of public signing keys that Node can load; private and symmetric keys are refused. */
function checkJwks(v: unknown, fail: Fail): PublicJwks | null {
  if (v === null || v === undefined) return null;
  const keys = (v as { keys?: unknown }).keys;
  if (typeof v !== 'object' || Array.isArray(v) || !Array.isArray(keys)) {
    fail('jwks', 'jwks must be a JWK Set: { "keys": [ ... ] }');
    return null;
  }
  if (JSON.stringify(v).length > LIMITS.jwksBytes) fail('jwks', `jwks must be at most ${LIMITS.jwksBytes} bytes`);
  if (!keys.length || keys.length > LIMITS.jwksKeys) fail('jwks.keys', `jwks must hold 1 to ${LIMITS.jwksKeys} keys`);
  const kids = new Set<string>();
  keys.forEach((key: unknown, i) => {
    const at = `jwks.keys[${i}]`;
    if (!key || typeof key !== 'object' || Array.isArray(key)) return fail(at, `${at} must be a JWK object`);
    const jwk = key as Record<string, unknown>;
    const secret = PRIVATE_JWK_MEMBERS.find((m) => m in jwk);
    if (secret) return fail(at, `${at} holds private key material ("${secret}"): give public keys only`);
    if (!(typeof jwk.kty === 'string' && ['EC', 'RSA', 'OKP'].includes(jwk.kty))) return fail(at, `${at}.kty must be EC, RSA or OKP`);
    const curves = JWK_CURVES[jwk.kty];
    if (curves && !curves.includes(jwk.crv as string)) return fail(at, `${at}.crv must be one of ${curves.join(', ')}`);
    if (jwk.use !== undefined && jwk.use !== 'sig') return fail(at, `${at}.use must be sig`);
    if (jwk.kid !== undefined) {
      if (typeof jwk.kid !== 'string') return fail(at, `${at}.kid must be a string`);
      if (kids.has(jwk.kid)) return fail(at, `${at}.kid repeats another key's kid`);
      kids.add(jwk.kid);
    }
    try {
      createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      fail(at, `${at} is not a valid public key`);
    }
  });
  return { keys: keys as Record<string, JwkMember>[] };
}

function checkClaims(v: unknown, fail: Fail): { attributes: string[] } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    fail('claims', 'claims must be an object { "attributes": [ ... ] }');
    return { attributes: [] };
  }
  const extra = Object.keys(v).filter((k) => k !== 'attributes');
  if (extra.length) fail(`claims.${extra[0]}`, 'unknown field');
  const raw = (v as { attributes?: unknown }).attributes ?? [];
  const attributes = stringList('claims.attributes', raw, LIMITS.attributes, fail);
  attributes.forEach((a, i) => {
    if (!ATTRIBUTE_NAME.test(a)) fail(`claims.attributes[${i}]`, `claims.attributes[${i}] must be a profile attribute name (${ATTRIBUTE_NAME.source})`);
  });
  return { attributes };
}
