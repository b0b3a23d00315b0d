// httpd: modules/metadata/mod_remoteip.c (remoteip_cmds: header_name_set,
// proxies_header_name_set, proxies_set, proxylist_read, remoteip_enable_proxy_protocol,
// remoteip_disable_networks; create/merge_remoteip_server_config).

import { readFileSync } from 'node:fs';
import {
  RSRC_CONF,
  type AnyDirective,
  type Cmd,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordConf } from '../../util/getword.js';
import {
  SUBNET_ERROR_TEXT,
  ipSubnetCreate,
  ipSubnetWord,
  type Subnet,
} from '../../util/ipsubnet.js';
import { aprStatus } from '../../util/apr-status.js';

/** One RemoteIPTrustedProxy / RemoteIPInternalProxy entry. */
export interface ProxyMatch {
  readonly subnet: Subnet;
  /** RemoteIPInternalProxy: may present private addresses. */
  readonly internal: boolean;
}

export interface RemoteIpServerConf {
  /** RemoteIPHeader: the header holding the client (and proxies) chain. */
  headerName: string | undefined;
  /** RemoteIPProxiesHeader: where the proxies passed through are recorded. */
  proxiesHeaderName: string | undefined;
  /** Trusted and internal proxies; undefined: any peer may present the header. */
  proxies: readonly ProxyMatch[] | undefined;
}

const create = (): RemoteIpServerConf => ({
  headerName: undefined,
  proxiesHeaderName: undefined,
  proxies: undefined,
});

/** merge_remoteip_server_config: a virtual host's setting, else the main server's. */
const pick = <T>(base: T | undefined, over: T | undefined): T | undefined => over ?? base;
const merge: MergeSpec<RemoteIpServerConf> = {
  headerName: pick,
  proxiesHeaderName: pick,
  proxies: pick,
};

/** looks_like_ip (mod_remoteip's own: a ':' or only digits and dots). */
const looksLikeIp = (s: string): boolean => s.includes(':') || /^[0-9.]*$/.test(s);

/** proxies_set: one address, subnet or host name; the error text httpd gives, if any. */
function addProxy(
  c: Cmd<RemoteIpServerConf, undefined>,
  name: string,
  arg: string,
  internal: boolean,
): string | undefined {
  const slash = arg.indexOf('/');
  const ip = slash < 0 ? arg : arg.slice(0, slash);
  const mask = slash < 0 ? undefined : arg.slice(slash + 1);
  if (!looksLikeIp(ip)) {
    if (mask !== undefined)
      return `RemoteIP: Error parsing IP ${arg} the subnet /${mask} is invalid for ${name}`;
    // httpd resolves a host name here (apr_sockaddr_info_get); tswsgi does no lookups
    // while it reads its configuration.
    return `RemoteIP: Error parsing IP ${arg}: host names are not supported by tswsgi for ${name}; give its addresses`;
  }
  const subnet = ipSubnetCreate(ip, mask);
  if (typeof subnet === 'string') {
    const text = subnet === 'EINVAL' ? 'Invalid argument' : SUBNET_ERROR_TEXT[subnet];
    return `RemoteIP: Error parsing IP ${arg} (${text} error) for ${name}`;
  }
  c.server.proxies = [...(c.server.proxies ?? []), { subnet, internal }];
  return undefined;
}

/** proxylist_read: the words of a file, `#` to the end of a line a comment. */
function readList(
  c: Cmd<RemoteIpServerConf, undefined>,
  name: string,
  file: string,
  internal: boolean,
): void {
  const path = c.serverRootRelative(file);
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    const status = aprStatus(e)?.replace(/^\(\d+\)/, '') ?? String(e);
    throw c.fail(`${name}: Could not open file ${path}: ${status}`);
  }
  text.split('\n').forEach((raw, i) => {
    let rest = raw.replace(/\r$/, '').trim();
    for (;;) {
      const [word, next] = getwordConf(rest);
      rest = next;
      if (word === '' || word.startsWith('#')) break;
      const err = addProxy(c, name, word, internal);
      if (err !== undefined) throw c.fail(`${err} at line ${i + 1} of ${path}`);
    }
  });
}

/** mod_remoteip's directive table. */
export function remoteIpDirectives(
  d: DirectiveBuilder<RemoteIpServerConf, undefined>,
): AnyDirective<RemoteIpServerConf, undefined>[] {
  const proxies = (name: string, internal: boolean, help: string) =>
    d.iterate(name, RSRC_CONF, help, (c, arg) => {
      const err = addProxy(c, name, arg, internal);
      if (err !== undefined) throw c.fail(err);
    });
  const list = (name: string, internal: boolean, help: string) =>
    d.take1(name, RSRC_CONF, help, (c, file) => readList(c, name, file, internal));
  return [
    d.take1(
      'RemoteIPHeader',
      RSRC_CONF,
      'Specifies a request header to trust as the client IP, e.g. X-Forwarded-For',
      (c, v) => {
        c.server.headerName = v;
      },
    ),
    d.take1(
      'RemoteIPProxiesHeader',
      RSRC_CONF,
      "Specifies a request header to record proxy IP's, e.g. X-Forwarded-By; if not given then do not record",
      (c, v) => {
        c.server.proxiesHeaderName = v;
      },
    ),
    proxies(
      'RemoteIPTrustedProxy',
      false,
      'Specifies one or more proxies which are trusted to present IP headers',
    ),
    proxies(
      'RemoteIPInternalProxy',
      true,
      'Specifies one or more internal (transparent) proxies which are trusted to present IP headers',
    ),
    list(
      'RemoteIPTrustedProxyList',
      false,
      'The filename to read the list of trusted proxies, see the RemoteIPTrustedProxy directive',
    ),
    list(
      'RemoteIPInternalProxyList',
      true,
      'The filename to read the list of internal proxies, see the RemoteIPInternalProxy directive',
    ),
    d.flag(
      'RemoteIPProxyProtocol',
      RSRC_CONF,
      "Enable PROXY protocol handling ('on', 'off')",
      (c, on) => {
        // The PROXY protocol header comes before HTTP on the connection; node's HTTP server
        // reads the socket itself, so tswsgi cannot take it off first.
        if (on)
          throw c.fail(
            "RemoteIPProxyProtocol On is not supported by tswsgi (the PROXY protocol header would have to be read before HTTP); use RemoteIPHeader with the proxy's X-Forwarded-For",
          );
      },
    ),
    d.takeArgv(
      'RemoteIPProxyProtocolExceptions',
      RSRC_CONF,
      'Disable PROXY protocol handling for this list of networks in CIDR format',
      (c, args) => {
        if (args.length === 0) throw c.fail('RemoteIPProxyProtocolExceptions requires an argument');
        for (const arg of args) {
          const addr = arg.split('/')[0] ?? '';
          const subnet = ipSubnetWord(arg);
          if (subnet === 'EINVAL') throw c.fail(`ip address '${addr}' appears to be invalid`);
          if (typeof subnet === 'string')
            throw c.fail(
              `ip address '${addr}' appears to be invalid: ${SUBNET_ERROR_TEXT[subnet]}`,
            );
        }
      },
    ),
  ];
}

/** mod_remoteip's config pieces, to spread into its ModuleDef. */
export const remoteIpConfig = {
  server: { create, merge },
  directives: remoteIpDirectives,
} as const;
