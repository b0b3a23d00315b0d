// httpd: modules/mappers/mod_dir.c (dir_module, register_hooks: fixups LAST).

import type { ModuleDef } from '../module.js';
import { dirConfig } from './config.js';
import type { DirDirConf } from './config.js';
import { makeFixupDir } from './fixups.js';

/** mod_dir. */
export const dirModule: ModuleDef<undefined, DirDirConf> = {
  name: 'dir',
  ...dirConfig,
  hooks: {
    fixups: { run: (r) => fixupDir(r), order: 'last' },
  },
};

const fixupDir = makeFixupDir(dirModule);
