import { BlockList, isIP } from 'node:net';

/** Which peers in front of the gateway are trusted to report the client address (X-Forwarded-*). */
export type TrustProxy =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'hops'; hops: number }
  | { kind: 'list'; list: BlockList; entries: string[] };

/** Shown as written (README configuration table, logs) rather than as an object. */
const as = <T extends TrustProxy>(value: T, text: string): T => Object.defineProperty(value, 'toString', { value: () => text });

export function parseTrustProxy(raw: string): TrustProxy {
  const v = raw.trim().toLowerCase();
  if (['false', 'no', 'off', '0', 'none'].includes(v)) return as({ kind: 'none' }, 'false');
  if (['true', 'yes', 'on', 'all'].includes(v)) return as({ kind: 'all' }, 'true');
  if (/^\d+$/.test(v)) return as({ kind: 'hops', hops: Number(v) }, v);
  const list = new BlockList();
  const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr);
    if (!family || extra !== undefined) throw new Error(`expected true, false, a hop count or IPs/CIDRs; got "${entry}"`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`invalid prefix length in "${entry}"`);
    list.addSubnet(addr, prefix, type);
  }
  if (!entries.length) throw new Error('expected true, false, a hop count or IPs/CIDRs');
  return as({ kind: 'list', list, entries }, entries.join(','));
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`, so one client has one address whatever the socket family. */
function unmap(addr: string): string {
  return addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

function trusted(trust: TrustProxy, addr: string, hop: number): boolean {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'hops':
      return hop < trust.hops;
    case 'list':
      return trust.list.check(addr, isIP(addr) === 6 ? 'ipv6' : 'ipv4');
  }
}

export interface ClientAddress {
  /** The client as far as trusted proxies vouch for it. */
  ip: string;
  /** Scheme and host the client used (from trusted X-Forwarded-Proto/-Host, else the connection). */
  proto: string;
  host: string | undefined;
}

const first = (value: string | string[] | undefined): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const comma = v.indexOf(',');
  return (comma === -1 ? v : v.slice(0, comma)).trim() || undefined;
};

/**
 * Walks X-Forwarded-For from the nearest hop outwards while the hop is trusted (like proxy-addr), so a
 * client cannot pick its own address for rate limiting by sending the header itself.
 */
export function clientAddress(
  socketAddress: string | undefined,
  encrypted: boolean,
  headers: Record<string, string | string[] | undefined>,
  trust: TrustProxy,
): ClientAddress {
  let ip = unmap(socketAddress ?? '');
  const own = { proto: encrypted ? 'https' : 'http', host: first(headers.host) };
  if (trust.kind === 'none' || !ip || !trusted(trust, ip, 0)) return { ip, ...own };
  const xff = headers['x-forwarded-for'];
  const chain = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',');
  let hop = 1;
  for (let i = chain.length - 1; i >= 0; i--) {
    const candidate = unmap(chain[i].trim());
    if (!isIP(candidate)) break;
    ip = candidate;
    if (!trusted(trust, candidate, hop++)) break;
  }
  const proto = first(headers['x-forwarded-proto']);
  return {
    ip,
    proto: proto === 'https' || proto === 'http' ? proto : own.proto,
    host: first(headers['x-forwarded-host']) ?? own.host,
  };
}

/**
 * Rate-limit identity of an address: IPv6 clients usually hold a whole /64, so they are limited per
 * /64 rather than per address.
 */
export function rateLimitAddress(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
