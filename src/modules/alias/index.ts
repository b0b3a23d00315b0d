// httpd: modules/mappers/mod_alias.c (alias_module, register_hooks: translate_name MIDDLE
// with mod_userdir/mod_vhost_alias as successors).

import type { ModuleDef } from '../module.js';
import { aliasConfig } from './config.js';
import type { AliasDirConf, AliasServerConf } from './config.js';
import { makeTranslateAlias } from './translate.js';
import { fixupRedirect } from './redirect.js';

/** mod_alias. */
export const aliasModule: ModuleDef<AliasServerConf, AliasDirConf> = {
  name: 'alias',
  ...aliasConfig,
  hooks: {
    translateName: {
      run: (r) => translateAlias(r),
      order: 'middle',
      before: ['userdir', 'vhost_alias'],
    },
    // fixup_redir (MIDDLE): redirects set in <Directory>, <Location> or .htaccess.
    fixups: { run: (r) => fixupRedirect(r, r.dirConf(aliasModule)), order: 'middle' },
  },
};

const translateAlias = makeTranslateAlias(aliasModule);
