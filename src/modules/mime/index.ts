// httpd: modules/http/mod_mime.c (mime_module: post_config loads TypesConfig, type_checker
// find_ct FIRST).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleDef } from '../module.js';
import { serverConfOf } from '../../config/slots.js';
import { mimeConfig } from './config.js';
import type { MimeDirConf, MimeServerConf } from './config.js';
import { makeFindCt, MimeState } from './find-ct.js';

/** TypesConfig default: ServerRoot/conf/mime.types if present, else the system table. */
function typesPath(serverRoot: string, configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const local = join(serverRoot, 'conf/mime.types');
  return existsSync(local) ? local : '/etc/mime.types';
}

/** mod_mime. */
export const mimeModule: ModuleDef<MimeServerConf, MimeDirConf> = {
  name: 'mime',
  ...mimeConfig,
  hooks: {
    typeChecker: { run: (r) => findCt(r), order: 'first' },
  },
  provision: ({ ir }) =>
    MimeState.load(typesPath(ir.serverRoot, serverConfOf(mimeModule, ir.main).typesConfig)),
};

const findCt = makeFindCt(mimeModule);
