// httpd: modules/metadata/mod_env.c (env_module_cmds, create/merge_env_dir_config).
//
// SetEnv / UnsetEnv / PassEnv. A variable mapped to null is unset here, which also removes
// an inherited value when configs merge (mod_env's unsetenv table).

import {
  Ctx,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

export interface EnvDirConf {
  /** Name → value, or null when UnsetEnv removed it. */
  vars: Readonly<Record<string, string | null>>;
}

export const envDirMerge: MergeSpec<EnvDirConf> = { vars: (b, o) => ({ ...b, ...o }) };
export const createEnvDir = (): EnvDirConf => ({ vars: {} });

/** mod_env's directive table. */
export function envDirectives(
  d: DirectiveBuilder<undefined, EnvDirConf>,
): AnyDirective<undefined, EnvDirConf>[] {
  const W = Ctx.OR_FILEINFO | RSRC_CONF | Ctx.DIRECTORY;
  return [
    d.iterate('PassEnv', W, 'a list of environment variables to pass to CGI.', (c, name) => {
      const v = process.env[name];
      if (v === undefined) {
        c.warn(`AH01506: PassEnv variable ${name} was undefined`);
        return;
      }
      c.dir.vars = { ...c.dir.vars, [name]: v };
    }),
    d.take12(
      'SetEnv',
      W,
      'an environment variable name and optional value to pass to CGI.',
      (c, name, value) => {
        c.dir.vars = { ...c.dir.vars, [name]: value ?? '' };
      },
    ),
    d.iterate(
      'UnsetEnv',
      W,
      'a list of variables to remove from the CGI environment.',
      (c, name) => {
        c.dir.vars = { ...c.dir.vars, [name]: null };
      },
    ),
  ];
}

/** mod_env's config pieces, to spread into its ModuleDef. */
export const envConfig = {
  dir: { create: createEnvDir, merge: envDirMerge },
  directives: envDirectives,
} as const;
