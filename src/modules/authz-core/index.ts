// httpd: modules/aaa/mod_authz_core.c (authz_core_module, register_hooks:
// access_checker_ex authorize_userless, auth_checker authorize_user; both AP_AUTH_INTERNAL_PER_CONF).

import type { ModuleDef } from '../module.js';
import { authzCoreConfig } from './config.js';
import type { AuthzCoreDirConf } from './config.js';
import { CORE_AUTHZ_PROVIDERS, makeAuthorizeUser, makeAuthorizeUserless } from './authorize.js';

/** mod_authz_core. */
export const authzCoreModule: ModuleDef<undefined, AuthzCoreDirConf> = {
  name: 'authz_core',
  ...authzCoreConfig,
  authzProviders: CORE_AUTHZ_PROVIDERS,
  hooks: {
    accessCheckerEx: { run: (r) => userless(r), order: 'last' },
    authChecker: { run: (r) => user(r), order: 'last' },
  },
};

const userless = makeAuthorizeUserless(authzCoreModule);
const user = makeAuthorizeUser(authzCoreModule);
