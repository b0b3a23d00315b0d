// httpd: modules/metadata/mod_env.c (env_module, fixup_env_module: fixups MIDDLE).
//
// SetEnv/PassEnv values and UnsetEnv removals of the merged per-dir config are applied to
// r.env (r->subprocess_env), which the CGI/WSGI environ is built from.

import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { ModuleDef } from '../module.js';
import { envConfig } from './config.js';
import type { EnvDirConf } from './config.js';

/** mod_env. */
export const envModule: ModuleDef<undefined, EnvDirConf> = {
  name: 'env',
  ...envConfig,
  hooks: {
    fixups: { run: (r) => fixupEnv(r), order: 'middle' },
  },
};

/** fixup_env_module: copy the merged vars into r.env; null = UnsetEnv. */
export function fixupEnv(r: RequestRecord): Outcome {
  for (const [k, v] of Object.entries(r.dirConf(envModule).vars)) {
    if (v === null) r.env.delete(k);
    else r.env.set(k, v);
  }
  return OK;
}
