import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ValidationError } from '../errors.js';

/**
 * Where webhooks may not go unless the operator allows it (TDS_WEBHOOK_ALLOW_PRIVATE): loopback,
 * private, shared (carrier-grade NAT), link-local (the cloud metadata address 169.254.169.254 among
 * them), unspecified, multicast and reserved addresses, in IPv4 and IPv6 (IPv4-mapped and NAT64
 * addresses are checked as the IPv4 address they hold). Checked at registration, and again on
 * every delivery on the address the connection is about to use, so a name that resolves elsewhere
 * later (DNS rebinding) cannot reach them either.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`), if any. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(
    address,
  );
  if (!match) return undefined;
  if (match[1]) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether webhooks may not be sent to this IP address without the operator's leave. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    return v4 !== undefined ? BLOCKED.check(v4, 'ipv4') : BLOCKED.check(address, 'ipv6');
  }
  return true;
}

/** A webhook URL refused: `message` says why, in words a person can act on. */
export class RefusedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedAddressError';
  }
}

/**
 * Checks a URL a user gives for webhooks: http or https, no user name or password in it, and (unless
 * private addresses are allowed) a host whose every address is public. Throws ValidationError
 * naming `field`.
 */
export async function checkWebhookUrl(raw: string, field: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`${field} must be an absolute http or https URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(`${field} must be an http or https URL, got one with ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new ValidationError(
      `${field} must not hold a user name or password: use the signature to authenticate`,
    );
  }
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new ValidationError(`${field}: the host "${host}" could not be resolved`);
    }
  }
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined) {
    throw new ValidationError(
      `${field}: "${host}" resolves to ${refused}, a loopback, private, link-local or otherwise reserved address; webhooks go only to public addresses unless the operator sets TDS_WEBHOOK_ALLOW_PRIVATE`,
    );
  }
  return url;
}

/**
 * A DNS lookup for the connection that sends a delivery: resolves as usual, then refuses (with
 * RefusedAddressError) when any address found is not public, unless `allowPrivate`.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : found.find((a) => isPrivateAddress(a.address));
      if (refused) {
        return callback(
          new RefusedAddressError(
            `${hostname} resolves to ${refused.address}, which is not a public address (TDS_WEBHOOK_ALLOW_PRIVATE is not set)`,
          ),
          '',
          0,
        );
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, found);
      const first = found[0]!;
      return callback(null, first.address, first.family);
    });
  };
}
