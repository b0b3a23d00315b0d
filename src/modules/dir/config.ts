// httpd: modules/mappers/mod_dir.c (dir_cmds, create/merge_dir_configs).

import {
  Ctx,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

export interface DirDirConf {
  /** DirectoryIndex names in order; [] = `DirectoryIndex disabled`. */
  indexNames: readonly string[] | undefined;
  directorySlash: boolean | undefined;
  checkHandler: boolean | undefined;
  fallbackResource: string | undefined;
  /** DirectoryIndexRedirect: 'off' or a 3xx status. */
  indexRedirect: 'off' | number | undefined;
}

export const dirDirMerge: MergeSpec<DirDirConf> = {
  indexNames: 'override',
  directorySlash: 'override',
  checkHandler: 'override',
  fallbackResource: 'override',
  indexRedirect: 'override',
};

export const createDirDir = (): DirDirConf => ({
  indexNames: undefined,
  directorySlash: undefined,
  checkHandler: undefined,
  fallbackResource: undefined,
  indexRedirect: undefined,
});

/** mod_dir's directive table (DIR_CMD_PERMS = OR_INDEXES). */
export function dirDirectives(
  d: DirectiveBuilder<undefined, DirDirConf>,
): AnyDirective<undefined, DirDirConf>[] {
  const W = Ctx.OR_INDEXES | RSRC_CONF | Ctx.DIRECTORY;
  return [
    d.takeArgv('DirectoryIndex', W, 'a list of file names', (c, names) => {
      if (names.length === 0) return; // httpd accepts a bare DirectoryIndex and does nothing
      // Repeated DirectoryIndex lines in one context add to the list (add_index);
      // `disabled` empties it.
      let list = [...(c.dir.indexNames ?? [])];
      for (const n of names) list = n.toLowerCase() === 'disabled' ? [] : [...list, n];
      c.dir.indexNames = list;
    }),
    d.flag('DirectorySlash', W, 'On or Off', (c, on) => {
      c.dir.directorySlash = on;
    }),
    d.flag('DirectoryCheckHandler', W, 'On or Off', (c, on) => {
      c.dir.checkHandler = on;
    }),
    d.take1('FallbackResource', W, 'Set a default handler', (c, v) => {
      c.dir.fallbackResource = v.toLowerCase() === 'disabled' ? '' : v;
    }),
    d.take1('DirectoryIndexRedirect', W, 'On, Off, or a 3xx status code.', (c, v) => {
      const t = v.toLowerCase();
      if (t === 'on') c.dir.indexRedirect = 302;
      else if (t === 'off') c.dir.indexRedirect = 'off';
      else if (/^3\d\d$/.test(t)) c.dir.indexRedirect = Number(t);
      else throw c.fail('DirectoryIndexRedirect only accepts values between 300 and 399');
    }),
  ];
}

/** mod_dir's config pieces, to spread into its ModuleDef. */
export const dirConfig = {
  dir: { create: createDirDir, merge: dirDirMerge },
  directives: dirDirectives,
} as const;
