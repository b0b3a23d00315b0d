// httpd: modules/aaa/mod_authz_host.c (the ip, host, local and forward-dns authz
// providers: ip_parse_config, ip_check_authorization, local_check_authorization).
//
// `Require ip` takes addresses, IPv4 prefixes ("10.1"), CIDR (IPv4 and IPv6) and IPv4
// netmasks, parsed at startup by APR's rules (util/ipsubnet.ts) and matched against the
// client address; an IPv4-mapped IPv6 peer matches IPv4 subnets. `Require local` is the
// loopback networks or a peer whose address is the server's own.

import { ipSubnetCreate, inSubnets, SUBNET_ERROR_TEXT } from '../../util/ipsubnet.js';
import type { Subnet } from '../../util/ipsubnet.js';
import type { AuthzProvider, ModuleDef } from '../module.js';

const LOCALHOST: readonly Subnet[] = [
  ipSubnetCreate('127.0.0.0', '8'),
  ipSubnetCreate('::1'),
].filter((s): s is Subnet => typeof s !== 'string');

/** ip_parse_config: every word must be an address or subnet. */
function parseIp(words: readonly string[]): { error: string } | { parsed: Subnet[] } {
  if (words.length === 0) return { error: "'require ip' requires an argument" };
  const subnets: Subnet[] = [];
  for (const w of words) {
    const slash = w.indexOf('/');
    const net =
      slash < 0 ? ipSubnetCreate(w) : ipSubnetCreate(w.slice(0, slash), w.slice(slash + 1));
    if (net === 'EINVAL') return { error: `ip address '${w}' appears to be invalid` };
    if (typeof net === 'string')
      return { error: `ip address '${w}' appears to be invalid: ${SUBNET_ERROR_TEXT[net]}` };
    subnets.push(net);
  }
  return { parsed: subnets };
}

/** The subnets parseIp kept (RequireEntry.parsed of an `ip` line). */
function subnetsOf(parsed: unknown): readonly Subnet[] {
  return Array.isArray(parsed) ? (parsed as Subnet[]) : [];
}

const PROVIDERS: Readonly<Record<string, AuthzProvider>> = {
  ip: {
    parse: parseIp,
    check: (r, _words, parsed) =>
      inSubnets(r.connection.remoteAddr, subnetsOf(parsed)) ? 'granted' : 'denied',
  },
  local: {
    check: (r) =>
      r.connection.remoteAddr === r.connection.localAddr ||
      inSubnets(r.connection.remoteAddr, LOCALHOST)
        ? 'granted'
        : 'denied',
  },
  // Name-based lines need DNS on the request path, which tswsgi does not do: they never
  // grant (docs/differences.md).
  host: { check: () => 'denied' },
  'forward-dns': { check: () => 'denied' },
};

/** mod_authz_host: no directives, four authz providers. */
export const authzHostModule: ModuleDef = {
  name: 'authz_host',
  authzProviders: PROVIDERS,
};
