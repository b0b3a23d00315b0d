// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_set_trusted_proxy_headers,
// wsgi_set_trusted_proxies (wsgi_looks_like_ip + apr_ipsubnet_create), wsgi_http2env,
// wsgi_process_proxy_headers, wsgi_process_forwarded_for; APR: network_io/unix/sockaddr.c
// (apr_ipsubnet_create/test: parse_ip, parse_network).
//
// WSGITrustedProxyHeaders / WSGITrustedProxies (reference mod_wsgi.md §4.5): headers a front
// proxy sets (X-Forwarded-For, -Host, -Proto, X-Script-Name, ...) rewrite REMOTE_ADDR,
// HTTP_HOST, HTTPS, SCRIPT_NAME, ... in the environ, but only the listed ones and only when
// the peer is a trusted proxy; the other headers of a listed header's category are removed so
// an application cannot read a spoofed one by mistake.

import {
  inSubnets,
  ipBytes,
  ipSubnetCreate,
  SUBNET_ERROR_TEXT,
  type Subnet,
} from '../util/ipsubnet.js';

export type { Subnet } from '../util/ipsubnet.js';
export { inSubnets, ipBytes } from '../util/ipsubnet.js';

const IPV4_CHARS = /^[0-9./]+$/;
const IPV6_CHARS = /^[0-9a-f:/]+$/; // lower-case only, as wsgi_looks_like_ip

/** wsgi_http2env: `X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`; undefined for other characters. */
export function http2env(name: string): string | undefined {
  if (!/^[A-Za-z0-9-]*$/.test(name)) return undefined;
  return `HTTP_${name.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Parse one WSGITrustedProxies word as mod_wsgi does (wsgi_looks_like_ip, then
 * apr_ipsubnet_create). Returns the subnet or the configuration error message mod_wsgi gives.
 */
export function parseTrustedProxy(word: string): Subnet | string {
  const prefix = `Unable to parse trusted proxy IP address/subnet of "${word}".`;
  if (word === '' || !(word.includes(':') ? IPV6_CHARS : IPV4_CHARS).test(word)) return prefix;
  const slash = word.indexOf('/');
  const net = ipSubnetCreate(
    slash < 0 ? word : word.slice(0, slash),
    slash < 0 ? undefined : word.slice(slash + 1),
  );
  if (typeof net !== 'string') return net;
  return `${prefix} ${SUBNET_ERROR_TEXT[net === 'EINVAL' ? 'EBADIP' : net]}`;
}

const CLIENT = ['HTTP_X_FORWARDED_FOR', 'HTTP_X_CLIENT_IP', 'HTTP_X_REAL_IP'];
const SCHEME = [
  'HTTP_X_FORWARDED_HTTPS',
  'HTTP_X_FORWARDED_PROTO',
  'HTTP_X_FORWARDED_SCHEME',
  'HTTP_X_FORWARDED_SSL',
  'HTTP_X_HTTPS',
  'HTTP_X_SCHEME',
];
const HOST = ['HTTP_X_FORWARDED_HOST', 'HTTP_X_HOST'];
const SCRIPT_NAME = ['HTTP_X_SCRIPT_NAME', 'HTTP_X_FORWARDED_SCRIPT_NAME'];
const CATEGORIES = [CLIENT, SCHEME, HOST, SCRIPT_NAME] as const;

/** wsgi_process_forwarded_for: REMOTE_ADDR (and with a proxies list, X-Forwarded-For) from XFF. */
function forwardedFor(
  env: Map<string, string>,
  value: string,
  proxies: readonly Subnet[] | undefined,
): void {
  if (proxies === undefined) {
    // The first element, trimmed; X-Forwarded-For itself is left as sent.
    const first = value.replace(/^\s+/, '').split(',')[0]?.replace(/\s+$/, '') ?? '';
    if (value.trim() !== '') env.set('REMOTE_ADDR', first);
    return;
  }
  // Elements as mod_wsgi splits them: leading/trailing blanks trimmed, an element between
  // two commas is '' (not a valid IP), nothing after a trailing comma or blanks.
  const items: string[] = [];
  for (let rest = value; ;) {
    rest = rest.replace(/^\s+/, '');
    if (rest === '') break;
    const comma = rest.indexOf(',');
    items.push((comma < 0 ? rest : rest.slice(0, comma)).replace(/\s+$/, ''));
    if (comma < 0) break;
    rest = rest.slice(comma + 1);
  }
  if (items.length === 0) return;
  // Walk from the end past trusted proxies; stop at the first untrusted or invalid entry.
  let first = -1;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] ?? '';
    if (ipBytes(item) === undefined || !inSubnets(item, proxies)) break;
    first = i;
  }
  const from = first >= 0 ? Math.max(0, first - 1) : items.length - 1;
  env.set('REMOTE_ADDR', items[from] ?? '');
  env.set('HTTP_X_FORWARDED_FOR', items.slice(from).join(', '));
}

const compiled = new WeakMap<readonly string[], readonly Subnet[]>();

/** The subnets of a WSGITrustedProxies list (validated when the config was read). */
export function subnetsOf(words: readonly string[]): readonly Subnet[] {
  let s = compiled.get(words);
  if (s === undefined) {
    s = words.map(parseTrustedProxy).filter((x): x is Subnet => typeof x !== 'string');
    compiled.set(words, s);
  }
  return s;
}

/**
 * wsgi_process_proxy_headers on an environ (after mod_wsgi.script_name/path_info are saved,
 * before HTTPS becomes wsgi.url_scheme). `headers` are the WSGITrustedProxyHeaders as environ
 * names; `proxies` the WSGITrustedProxies words (undefined: every peer is trusted).
 */
export function applyTrustedProxyHeaders(
  env: Map<string, string>,
  headers: readonly string[],
  proxies: readonly string[] | undefined,
): void {
  const subnets = proxies === undefined ? undefined : subnetsOf(proxies);
  const peer = env.get('REMOTE_ADDR');
  const trusted = subnets === undefined || (peer !== undefined && inSubnets(peer, subnets));
  const matched = new Set<readonly string[]>();
  // Per category, the listed header whose value was used: the last listed one present.
  const chosen = new Map<readonly string[], string>();
  for (const name of headers) {
    const cat = CATEGORIES.find((c) => c.includes(name));
    if (cat) matched.add(cat);
    if (!trusted) continue;
    const value = env.get(name);
    if (value === undefined) continue;
    if (cat) chosen.set(cat, name);
    if (name === 'HTTP_X_FORWARDED_FOR') forwardedFor(env, value, subnets);
    else if (cat === CLIENT) env.set('REMOTE_ADDR', value);
    else if (cat === HOST)
      env.set('HTTP_HOST', value); // as is, port included
    else if (cat === SCRIPT_NAME) {
      env.set('mod_wsgi.mount_point', value);
      env.set('SCRIPT_NAME', value);
    } else if (cat === SCHEME) {
      const v = value.toLowerCase();
      const word = /_(PROTO|SCHEME)$/.test(name); // http/https; the others are flags
      if (word ? v === 'https' : v === 'on' || v === 'true' || v === '1') env.set('HTTPS', '1');
      else if (word ? v === 'http' : v === 'off' || v === 'false' || v === '0') env.delete('HTTPS');
    } else if (name === 'HTTP_X_FORWARDED_SERVER') env.set('SERVER_NAME', value);
    else if (name === 'HTTP_X_FORWARDED_PORT') env.set('SERVER_PORT', value);
  }
  for (const cat of matched) {
    const keep = chosen.get(cat);
    for (const name of cat) if (name !== keep) env.delete(name);
  }
}
