// httpd: modules/aaa/mod_access_compat.c (check_dir_access: access_checker MIDDLE,
// find_allowdeny, in_domain; access_compat_ap_satisfies), server/request.c (ap_satisfies).
//
// Order/Allow/Deny decide in the access phase, before mod_authz_core's Require. A denial
// is 403 with AH01797. Host names match the client's double-reverse-resolved name (the
// name its address resolves to, which must resolve back to the address), cached per
// connection as httpd keeps it in conn->remote_host.

import { promises as dns } from 'node:dns';
import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { inSubnets } from '../../util/ipsubnet.js';
import type { ModuleDef } from '../module.js';
import { limitAllows } from '../../config/method-limit.js';
import { accessCompatConfig, forMethod } from './config.js';
import type { AccessCompatDirConf, AllowDeny, Limited } from './config.js';

/** mod_access_compat. */
export const accessCompatModule: ModuleDef<undefined, AccessCompatDirConf> = {
  name: 'access_compat',
  ...accessCompatConfig,
  hooks: {
    accessChecker: { run: (r) => checkDirAccess(r), order: 'middle' },
  },
  satisfies: (r) => forMethod(r.dirConf(accessCompatModule).policy?.satisfy ?? [], r.method),
};

/** The client's double-reverse host name, or undefined (REMOTE_DOUBLE_REV). */
const remoteHosts = new WeakMap<object, Promise<string | undefined>>();

async function doubleReverse(addr: string): Promise<string | undefined> {
  try {
    const { hostname } = await dns.lookupService(addr, 0);
    const back = await dns.lookup(hostname, { all: true });
    const plain = addr.replace(/^::ffff:(?=\d+\.)/, '');
    return back.some((a) => a.address === addr || a.address === plain) ? hostname : undefined;
  } catch {
    return undefined;
  }
}

function remoteHost(r: RequestRecord): Promise<string | undefined> {
  let p = remoteHosts.get(r.connection);
  if (p === undefined) {
    p = doubleReverse(r.connection.remoteAddr);
    remoteHosts.set(r.connection, p);
  }
  return p;
}

/** in_domain: `domain` matches `host` on a whole label (`good.com` never `nogood.com`). */
export function inDomain(domain: string, host: string): boolean {
  const d = domain.toLowerCase();
  const h = host.toLowerCase();
  if (!h.endsWith(d)) return false;
  if (h.length === d.length) return true;
  return d.startsWith('.') || h[h.length - d.length - 1] === '.';
}

/** find_allowdeny: does any entry match this request? */
async function findAllowDeny(
  r: RequestRecord,
  list: readonly Limited<AllowDeny>[],
): Promise<boolean> {
  for (const { value: a, limit } of list) {
    if (!limitAllows(limit, r.method)) continue;
    switch (a.type) {
      case 'all':
        return true;
      case 'env':
        if (r.env.has(a.name)) return true;
        break;
      case 'nenv':
        if (!r.env.has(a.name)) return true;
        break;
      case 'ip':
        if (inSubnets(r.connection.remoteAddr, [a.subnet])) return true;
        break;
      case 'host': {
        const host = await remoteHost(r);
        if (host !== undefined && inDomain(a.domain, host)) return true;
        break;
      }
    }
  }
  return false;
}

/** check_dir_access. */
export async function checkDirAccess(r: RequestRecord): Promise<Outcome> {
  const p = r.dirConf(accessCompatModule).policy;
  if (p === undefined) return OK;
  let ret: Outcome = OK;
  const order = forMethod(p.order, r.method) ?? 'deny,allow';
  if (order === 'allow,deny') {
    ret = 403;
    if (await findAllowDeny(r, p.allows)) ret = OK;
    if (await findAllowDeny(r, p.denys)) ret = 403;
  } else if (order === 'deny,allow') {
    if (await findAllowDeny(r, p.denys)) ret = 403;
    if (await findAllowDeny(r, p.allows)) ret = OK;
  } else {
    ret = (await findAllowDeny(r, p.allows)) && !(await findAllowDeny(r, p.denys)) ? OK : 403;
  }
  if (ret === 403) {
    r.logError(
      'error',
      'access_compat',
      'AH01797',
      `client denied by server configuration: ${r.filename !== undefined ? r.filename : `uri ${r.uri}`}`,
    );
  }
  return ret;
}
