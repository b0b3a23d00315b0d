// httpd: modules/aaa/mod_allowmethods.c (am_check_access: access_checker REALLY_FIRST).
//
// `AllowMethods GET POST OPTIONS` in a directory-type section: any other method is 405 with
// AH01623, before any other access check. HEAD is GET's method number in httpd, so the one
// allows the other; `AllowMethods reset` lifts an inherited list.

import { DECLINED } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { ModuleDef } from '../module.js';
import { allowMethodsConfig } from './config.js';
import type { AllowMethodsDirConf } from './config.js';

/** mod_allowmethods. */
export const allowMethodsModule: ModuleDef<undefined, AllowMethodsDirConf> = {
  name: 'allowmethods',
  ...allowMethodsConfig,
  hooks: {
    accessChecker: { run: (r) => amCheckAccess(r), order: 'reallyFirst' },
  },
};

/** am_check_access. */
export function amCheckAccess(r: RequestRecord): Outcome {
  const allowed = r.dirConf(allowMethodsModule).allowed;
  if (allowed === undefined || allowed.length === 0) return DECLINED;
  if (allowed.includes(r.method === 'HEAD' ? 'GET' : r.method)) return DECLINED;
  r.logError(
    'error',
    'allowmethods',
    'AH01623',
    `client method denied by server configuration: '${r.method}' to ${r.filename === undefined ? `uri ${r.uri}` : r.filename}`,
  );
  return 405;
}
