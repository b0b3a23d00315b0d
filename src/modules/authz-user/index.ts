// httpd: modules/aaa/mod_authz_user.c (the user and valid-user authz providers).
//
// Both need an authenticated user: without one they answer AUTHZ_DENIED_NO_USER, which
// makes mod_authz_core run authentication first.

import type { AuthzProvider, ModuleDef } from '../module.js';

const PROVIDERS: Readonly<Record<string, AuthzProvider>> = {
  user: {
    check: (r, words) => {
      if (r.user === undefined) return 'deniedNoUser';
      if (words.includes(r.user)) return 'granted';
      r.logError(
        'debug',
        'authz_user',
        'AH01663',
        `access to ${r.uri} failed, reason: user '${r.user}' does not meet 'require'ments for user to be allowed access`,
      );
      return 'denied';
    },
  },
  'valid-user': { check: (r) => (r.user === undefined ? 'deniedNoUser' : 'granted') },
};

/** mod_authz_user: no directives, two authz providers. */
export const authzUserModule: ModuleDef = {
  name: 'authz_user',
  authzProviders: PROVIDERS,
};
