import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@keyline/platform-persistence';
import Redis from 'ioredis';
import { Clock } from '../core/clock';

const SESSION_KEY_PREFIX = 'ses:s:';
const USER_INDEX_PREFIX = 'ses:u:';
/** A session hash: `ses:s:{id}`. Looked up by id alone, so a token needs no tenant to resolve. */
export const sessionKey = (id: string) => `${SESSION_KEY_PREFIX}${id}`;
/** A user's sessions: sorted set of ids scored by absolute expiry. */
export const userIndexKey = (tenantId: string, userId: string) => `${USER_INDEX_PREFIX}${tenantId}:${userId}`;

/** A touch rewrites the session at most this often, so a busy session costs reads, not writes. */
export const TOUCH_WRITE_INTERVAL_MS = 5_000;

/** A session as stored; times are epoch milliseconds. */
export interface SessionRecord {
  id: string;
  tenantId: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  expiresAt: number;
  idleTtlMs: number;
  amr: string[];
  acr: string;
  ip: string | null;
  userAgent: string | null;
  lastIp: string | null;
  lastUserAgent: string | null;
  clients: string[];
}

export interface NewSession {
  tenantId: string;
  userId: string;
  amr: string[];
  acr: string;
  ip?: string;
  userAgent?: string;
  idleTtlMs: number;
  absoluteTtlMs: number;
  clientId?: string;
}

export interface SessionSeen {
  ip?: string;
  userAgent?: string;
  clientId?: string;
}

// Every script that reads a session first loads it and checks that it exists and has not expired by
// our clock (Redis may not have reaped it yet): a revoked session is gone, and nothing recreates it.
const LOAD = `
local f = redis.call('HGETALL', KEYS[1])
if #f == 0 then return nil end
local h = {}
for i = 1, #f, 2 do h[f[i]] = f[i + 1] end
local now = tonumber(ARGV[1])
if tonumber(h['ia']) <= now or tonumber(h['aa']) <= now then return nil end
local function flat()
  local out = {}
  for k, v in pairs(h) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end
`;

/** KEYS: session, index. ARGV: id, now, session expire-at, absolute expiry, field/value pairs... */
const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], top[2])
return 1
`;

/** KEYS: session. ARGV: now, ip, user agent, client id ('' = none), write interval. */
const TOUCH = `${LOAD}
local set = {}
if ARGV[2] ~= '' and ARGV[2] ~= h['lip'] then
  h['lip'] = ARGV[2]
  set[#set + 1] = 'lip'
  set[#set + 1] = ARGV[2]
end
if ARGV[3] ~= '' and ARGV[3] ~= h['lua'] then
  h['lua'] = ARGV[3]
  set[#set + 1] = 'lua'
  set[#set + 1] = ARGV[3]
end
if ARGV[4] ~= '' then
  local joined = false
  for c in string.gmatch(h['ap'], '[^,]+') do
    if c == ARGV[4] then joined = true end
  end
  if not joined then
    if h['ap'] == '' then h['ap'] = ARGV[4] else h['ap'] = h['ap'] .. ',' .. ARGV[4] end
    set[#set + 1] = 'ap'
    set[#set + 1] = h['ap']
  end
end
local idle = tonumber(h['idle'])
if #set > 0 or now - tonumber(h['l']) >= math.min(tonumber(ARGV[5]), math.floor(idle / 10)) then
  local ia = math.min(math.max(now + idle, tonumber(h['ia'])), tonumber(h['aa']))
  h['l'] = ARGV[1]
  h['ia'] = string.format('%.0f', ia)
  set[#set + 1] = 'l'
  set[#set + 1] = h['l']
  set[#set + 1] = 'ia'
  set[#set + 1] = h['ia']
  redis.call('HSET', KEYS[1], unpack(set))
  redis.call('PEXPIREAT', KEYS[1], h['ia'])
end
return flat()
`;

/** KEYS: session. ARGV: now, acr, amr values... */
const ELEVATE = `${LOAD}
local seen = {}
local amr = {}
local function add(m)
  if not seen[m] then
    seen[m] = true
    amr[#amr + 1] = m
  end
end
for m in string.gmatch(h['amr'], '[^,]+') do add(m) end
for i = 3, #ARGV do add(ARGV[i]) end
h['amr'] = table.concat(amr, ',')
h['acr'] = ARGV[2]
redis.call('HSET', KEYS[1], 'amr', h['amr'], 'acr', h['acr'])
return flat()
`;

// The index key is derived from the session's own fields, which only the script can read in the
// same atomic step; this (like REVOKE_USER and LIST) assumes a single Redis, not Cluster.
/** KEYS: session. ARGV: id, tenant that must own it ('' = any), index key prefix. */
const REVOKE = `
local tu = redis.call('HMGET', KEYS[1], 't', 'u')
if not tu[1] then return 0 end
if ARGV[2] ~= '' and tu[1] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[3] .. tu[1] .. ':' .. tu[2], ARGV[1])
return 1
`;

/** KEYS: index. ARGV: id to keep ('' = none), session key prefix. */
const REVOKE_USER = `
local n = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if id ~= ARGV[1] then
    n = n + redis.call('DEL', ARGV[2] .. id)
    redis.call('ZREM', KEYS[1], id)
  end
end
return n
`;

/** KEYS: index. ARGV: now, session key prefix. Answers id, fields, id, fields... */
const LIST = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local f = redis.call('HGETALL', ARGV[2] .. id)
  if #f == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    out[#out + 1] = id
    out[#out + 1] = f
  end
end
return out
`;

/** KEYS: session. ARGV: now. */
const FIND = `${LOAD}
return flat()
`;

interface SessionCommands {
  sesCreate(session: string, index: string, id: string, now: number, expireAt: number, absolute: number, ...fields: (string | number)[]): Promise<number>;
  sesTouch(session: string, now: number, ip: string, userAgent: string, clientId: string, interval: number): Promise<string[] | null>;
  sesElevate(session: string, now: number, acr: string, ...amr: string[]): Promise<string[] | null>;
  sesRevoke(session: string, id: string, tenantId: string, indexPrefix: string): Promise<number>;
  sesRevokeUser(index: string, exceptId: string, sessionPrefix: string): Promise<number>;
  sesList(index: string, now: number, sessionPrefix: string): Promise<(string | string[])[]>;
  sesFind(session: string, now: number): Promise<string[] | null>;
}

const SCRIPTS: Record<keyof SessionCommands, { lua: string; numberOfKeys: number }> = {
  sesCreate: { lua: CREATE, numberOfKeys: 2 },
  sesTouch: { lua: TOUCH, numberOfKeys: 1 },
  sesElevate: { lua: ELEVATE, numberOfKeys: 1 },
  sesRevoke: { lua: REVOKE, numberOfKeys: 1 },
  sesRevokeUser: { lua: REVOKE_USER, numberOfKeys: 1 },
  sesList: { lua: LIST, numberOfKeys: 1 },
  sesFind: { lua: FIND, numberOfKeys: 1 },
};

const list = (csv: string | undefined) => (csv ? csv.split(',') : []);
const orNull = (s: string | undefined) => (s ? s : null);

function toRecord(id: string, flat: string[]): SessionRecord {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return {
    id,
    tenantId: h.t,
    userId: h.u,
    createdAt: Number(h.c),
    lastSeenAt: Number(h.l),
    idleExpiresAt: Number(h.ia),
    expiresAt: Number(h.aa),
    idleTtlMs: Number(h.idle),
    amr: list(h.amr),
    acr: h.acr,
    ip: orNull(h.ip),
    userAgent: orNull(h.ua),
    lastIp: orNull(h.lip),
    lastUserAgent: orNull(h.lua),
    clients: list(h.ap),
  };
}

/**
 * SSO sessions in Redis (the sessions service's own database). Each operation is one script, so it
 * is one round trip and atomic: a touch or elevation racing a revocation either lands before the
 * revocation or finds nothing.
 */
@Injectable()
export class SessionsStore {
  private readonly redis: Redis & SessionCommands;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly clock: Clock,
  ) {
    for (const [name, def] of Object.entries(SCRIPTS)) redis.defineCommand(name, def);
    this.redis = redis as Redis & SessionCommands;
  }

  /** Stores a new session under `id` (the hash of its token). */
  async create(id: string, s: NewSession): Promise<SessionRecord> {
    const now = this.clock.now();
    const expiresAt = now + s.absoluteTtlMs;
    const idleExpiresAt = Math.min(now + s.idleTtlMs, expiresAt);
    const record: SessionRecord = {
      id,
      tenantId: s.tenantId,
      userId: s.userId,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt,
      expiresAt,
      idleTtlMs: s.idleTtlMs,
      amr: s.amr,
      acr: s.acr,
      ip: s.ip ?? null,
      userAgent: s.userAgent ?? null,
      lastIp: s.ip ?? null,
      lastUserAgent: s.userAgent ?? null,
      clients: s.clientId ? [s.clientId] : [],
    };
    const fields = {
      t: s.tenantId,
      u: s.userId,
      c: now,
      l: now,
      ia: idleExpiresAt,
      aa: expiresAt,
      idle: s.idleTtlMs,
      amr: s.amr.join(','),
      acr: s.acr,
      ip: s.ip ?? '',
      ua: s.userAgent ?? '',
      lip: s.ip ?? '',
      lua: s.userAgent ?? '',
      ap: s.clientId ?? '',
    };
    await this.redis.sesCreate(sessionKey(id), userIndexKey(s.tenantId, s.userId), id, now, idleExpiresAt, expiresAt, ...Object.entries(fields).flat());
    return record;
  }

  /** Records use of a live session and slides its idle expiry (never past the absolute one). */
  async touch(id: string, seen: SessionSeen = {}): Promise<SessionRecord | null> {
    const flat = await this.redis.sesTouch(sessionKey(id), this.clock.now(), seen.ip ?? '', seen.userAgent ?? '', seen.clientId ?? '', TOUCH_WRITE_INTERVAL_MS);
    return flat ? toRecord(id, flat) : null;
  }

  /** Adds methods to a live session's amr and sets its acr (after a step-up). */
  async elevate(id: string, amr: string[], acr: string): Promise<SessionRecord | null> {
    const flat = await this.redis.sesElevate(sessionKey(id), this.clock.now(), acr, ...amr);
    return flat ? toRecord(id, flat) : null;
  }

  /** A live session, without touching it. */
  async find(id: string): Promise<SessionRecord | null> {
    const flat = await this.redis.sesFind(sessionKey(id), this.clock.now());
    return flat ? toRecord(id, flat) : null;
  }

  /** Revokes a session; with `tenantId`, only if it belongs to that tenant. True when one was removed. */
  async revoke(id: string, tenantId?: string): Promise<boolean> {
    return (await this.redis.sesRevoke(sessionKey(id), id, tenantId ?? '', USER_INDEX_PREFIX)) === 1;
  }

  /** Revokes every session of a user but `exceptId`; answers how many live ones were removed. */
  revokeUser(tenantId: string, userId: string, exceptId?: string): Promise<number> {
    return this.redis.sesRevokeUser(userIndexKey(tenantId, userId), exceptId ?? '', SESSION_KEY_PREFIX);
  }

  /** A user's live sessions, newest first; drops index entries of sessions that are gone. */
  async listByUser(tenantId: string, userId: string): Promise<SessionRecord[]> {
    const now = this.clock.now();
    const flat = await this.redis.sesList(userIndexKey(tenantId, userId), now, SESSION_KEY_PREFIX);
    const out: SessionRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const r = toRecord(flat[i] as string, flat[i + 1] as string[]);
      if (r.idleExpiresAt > now && r.expiresAt > now) out.push(r);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }
}
