// httpd: modules/filters/mod_deflate.c (register_hooks: the DEFLATE and INFLATE output
// filters). The DEFLATE input filter (SetInputFilter / AddInputFilter) is not implemented.

import type { ModuleDef } from '../module.js';
import { FTYPE } from '../../request/output-filter.js';
import { deflateConfig } from './config.js';
import type { DeflateDirConf, DeflateServerConf } from './config.js';
import { startDeflate } from './filter.js';
import { startInflate } from './inflate.js';

/** mod_deflate. */
export const deflateModule: ModuleDef<DeflateServerConf, DeflateDirConf> = {
  name: 'deflate',
  ...deflateConfig,
  outputFilters: {
    deflate: {
      start: (r, first) => startDeflate(r, first, r.serverConf(deflateModule)),
      ftype: FTYPE.CONTENT_SET,
    },
    inflate: {
      start: (r) => startInflate(r, r.serverConf(deflateModule), r.dirConf(deflateModule)),
      ftype: FTYPE.RESOURCE - 1,
    },
  },
};
