// httpd: modules/aaa/mod_authz_host.c (the ip, host, local and forward-dns authz
// providers: ip_parse_config, ip_check_authorization, local_check_authorization).
//
// `Require ip` takes addresses, IPv4 prefixes ("10.1"), CIDR (IPv4 and IPv6) and IPv4
// netmasks, parsed at startup by APR's rules (util/ipsubnet.ts) and matched against the
// client address; an IPv4-mapped IPv6 peer matches IPv4 subnets. `Require local` is the
// loopback networks or a peer whose address is the server's own. `Require host` matches
// the client's double-reverse name against domains; `Require forward-dns` resolves each
// listed name and compares its addresses with the client's.

import { ipSubnetCreate, ipSubnetWord, inSubnets, SUBNET_ERROR_TEXT } from '../../util/ipsubnet.js';
import type { Subnet } from '../../util/ipsubnet.js';
import type { RequestRecord } from '../../request/record.js';
import { inDomain, remoteHostDoubleRev, resolvesToClient } from '../../request/remote-host.js';
import type { AuthzProvider, AuthzStatus, ModuleDef } from '../module.js';

const LOCALHOST: readonly Subnet[] = [
  ipSubnetCreate('127.0.0.0', '8'),
  ipSubnetCreate('::1'),
].filter((s): s is Subnet => typeof s !== 'string');

/** ip_parse_config: every word must be an address or subnet. */
function parseIp(words: readonly string[]): { error: string } | { parsed: Subnet[] } {
  if (words.length === 0) return { error: "'require ip' requires an argument" };
  const subnets: Subnet[] = [];
  for (const w of words) {
    const net = ipSubnetWord(w);
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
      inSubnets(r.useragentIp, subnetsOf(parsed)) ? 'granted' : 'denied',
  },
  local: {
    check: (r) =>
      r.useragentIp === r.connection.localAddr || inSubnets(r.useragentIp, LOCALHOST)
        ? 'granted'
        : 'denied',
  },
  host: { check: (r, words) => checkHost(r, words) },
  'forward-dns': { check: (r, words) => checkForwardDns(r, words) },
};

/** The Require line's text up to a `#` comment, with httpd's two log lines about it. */
function uncommented(r: RequestRecord, words: readonly string[]): string[] | undefined {
  const line = words.join(' ');
  const hash = line.indexOf('#');
  if (hash < 0) return [...words];
  if (hash === 0) {
    r.logError(
      'error',
      'authz_host',
      'AH10120',
      `authz_host authorize: dubious empty 'Require host ${line}' with only comment`,
    );
    return undefined;
  }
  r.logError(
    'warn',
    'authz_host',
    'AH10121',
    `authz_host authorize: ignoring comment in 'Require host ${line}'`,
  );
  return line
    .slice(0, hash)
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** host_check_authorization: the client's double-reverse name within a listed domain. */
async function checkHost(r: RequestRecord, words: readonly string[]): Promise<AuthzStatus> {
  const host = await remoteHostDoubleRev(r);
  if (host === undefined) {
    r.logError(
      'error',
      'authz_host',
      'AH01753',
      `access check of '${words.join(' ')}' to ${r.uri} failed, reason: unable to get the remote host name`,
    );
    return 'denied';
  }
  const names = uncommented(r, words);
  if (names === undefined) return 'denied';
  return names.some((d) => inDomain(d, host)) ? 'granted' : 'denied';
}

/** forward_dns_check_authorization: a listed name resolves to the client's address. */
async function checkForwardDns(r: RequestRecord, words: readonly string[]): Promise<AuthzStatus> {
  for (const w of words) {
    const hash = w.indexOf('#');
    if (hash === 0) break;
    const name = hash < 0 ? w : w.slice(0, hash);
    const hit = await resolvesToClient(r, name);
    if (hit === true) return 'granted';
    if (hit === undefined)
      r.logError('warn', 'authz_host', 'AH03356', `No sockaddr info for "${name}"`);
    if (hash > 0) break;
  }
  return 'denied';
}

/** mod_authz_host: no directives, four authz providers. */
export const authzHostModule: ModuleDef = {
  name: 'authz_host',
  authzProviders: PROVIDERS,
};
