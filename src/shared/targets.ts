import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Where the hub may send requests of its own (feed pulls, webhook deliveries). Bureaus live on
 * government intranets, so private addresses (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed;
 * loopback, link-local (cloud metadata at 169.254.169.254), unspecified addresses and the hub's own
 * port on this machine are not, unless HUB_ALLOW_LOOPBACK_TARGETS=true (tests, the simulator, demos).
 */
export interface TargetPolicy {
  allowLoopback: boolean;
  /** the port the hub listens on (PORT): this machine's addresses on it are the hub itself */
  hubPort: number;
}

export const targetPolicy = (config: { allowLoopbackTargets: boolean; port: number }): TargetPolicy => ({
  allowLoopback: config.allowLoopbackTargets,
  hubPort: config.port,
});

const blocked = new Map<string, BlockList>();
const subnets: [string, string, number, 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['broadcast', '255.255.255.255', 32, 'ipv4'],
];
for (const [kind, network, prefix, family] of subnets) {
  const list = blocked.get(kind) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  blocked.set(kind, list);
}

/** An IPv4 address written as IPv6 (::ffff:127.0.0.1, or ::ffff:7f00:1 as URL writes it) as IPv4. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!mapped) return address;
  if (mapped[1]) return mapped[1];
  const high = parseInt(mapped[2], 16);
  const low = parseInt(mapped[3], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** What kind of address the hub must not call ('loopback', 'link-local', …), or undefined. */
export function forbiddenKind(address: string): string | undefined {
  const plain = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  const family = isIP(plain);
  if (family === 0) return undefined;
  for (const [kind, list] of blocked) if (list.check(plain, family === 4 ? 'ipv4' : 'ipv6')) return kind;
  return undefined;
}

function ownAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((i) => (i ? [i.address.toLowerCase()] : [])),
  );
}

const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

function addressProblem(address: string, url: URL, policy: TargetPolicy, resolvedFrom?: string): string | undefined {
  const kind = forbiddenKind(address);
  const shown = resolvedFrom ? `${resolvedFrom} resolves to ${address}, ` : `${address} is `;
  const allow = 'set HUB_ALLOW_LOOPBACK_TARGETS=true to allow it';
  if (kind) return `${shown}a ${kind} address; the hub does not call it (${allow})`;
  const plain = unmapped(address.replace(/^\[|\]$/g, '')).toLowerCase();
  if (portOf(url) === policy.hubPort && ownAddresses().has(plain)) {
    return `${shown}this machine, and port ${policy.hubPort} is the hub itself; the hub does not call itself (${allow})`;
  }
  return undefined;
}

/**
 * Checks a target as written, before anything is stored: a literal address, or a name that is
 * loopback by definition (localhost, *.localhost). Names are resolved when the hub calls them.
 */
export function targetProblem(url: URL, policy: TargetPolicy): string | undefined {
  if (policy.allowLoopback) return undefined;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return `${host} is a loopback name; the hub does not call it (set HUB_ALLOW_LOOPBACK_TARGETS=true to allow it)`;
  }
  return addressProblem(host, url, policy);
}

/** A target the policy refuses, found when the hub was about to call it. */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

/**
 * Checks a target again just before the hub calls it, after resolving its name: a name that now
 * resolves to loopback (or a row written before the rule) is refused without a request.
 */
export async function assertTargetAllowed(target: string | URL, policy: TargetPolicy): Promise<void> {
  if (policy.allowLoopback) return;
  const url = typeof target === 'string' ? new URL(target) : target;
  const written = targetProblem(url, policy);
  if (written) throw new TargetRefusedError(written);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return;
  // a name that does not resolve fails in fetch, with its own message
  const addresses = await lookup(host, { all: true, verbatim: true }).catch(() => []);
  for (const { address } of addresses) {
    const problem = addressProblem(address, url, policy, host);
    if (problem) throw new TargetRefusedError(problem);
  }
}
