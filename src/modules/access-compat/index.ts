// httpd: modules/aaa/mod_access_compat.c (check_dir_access: access_checker MIDDLE,
// find_allowdeny, in_domain; access_compat_ap_satisfies), server/request.c (ap_satisfies).
//
// Order/Allow/Deny decide in the access phase, before mod_authz_core's Require. A denial
// is 403 with AH01797. Host names match the client's double-reverse-resolved name (the
// name its address resolves to, which must resolve back to the address), cached per
// connection as httpd keeps it in conn->remote_host.

import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { inDomain, remoteHostDoubleRev } from '../../request/remote-host.js';
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
        if (inSubnets(r.useragentIp, [a.subnet])) return true;
        break;
      case 'host': {
        const host = await remoteHostDoubleRev(r);
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
