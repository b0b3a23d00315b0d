// httpd: modules/generators/mod_autoindex.c (autoindex_module, register_hooks: the handler
// for httpd/unix-directory, MIDDLE).
//
// No phase hooks: a request pays for mod_autoindex only when it reaches the directory
// handler (mod_mime types a directory `httpd/unix-directory`, mod_dir found no index).

import type { ModuleDef } from '../module.js';
import { autoindexConfig } from './config.js';
import type { AutoindexDirConf } from './config.js';
import { handleAutoindex } from './handler.js';

/** mod_autoindex. */
export const autoindexModule: ModuleDef<undefined, AutoindexDirConf> = {
  name: 'autoindex',
  ...autoindexConfig,
  handlers: {
    'httpd/unix-directory': (r) => handleAutoindex(r, r.dirConf(autoindexModule)),
  },
};
