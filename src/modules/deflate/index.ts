// httpd: modules/filters/mod_deflate.c (register_hooks: the DEFLATE output filter; the
// INFLATE output filter and the DEFLATE input filter are not implemented, see below).

import type { ModuleDef } from '../module.js';
import { deflateConfig } from './config.js';
import type { DeflateDirConf, DeflateServerConf } from './config.js';
import { startDeflate } from './filter.js';

/** mod_deflate. */
export const deflateModule: ModuleDef<DeflateServerConf, DeflateDirConf> = {
  name: 'deflate',
  ...deflateConfig,
  outputFilters: {
    deflate: {
      start: (r, first) => startDeflate(r, first, r.serverConf(deflateModule)),
    },
    // httpd registers INFLATE (inflate_out_filter); tswsgi refuses it where it is named,
    // at configuration time, rather than passing compressed bodies through unchanged.
    inflate: {
      start: () => undefined,
      unsupported: 'the INFLATE output filter (mod_deflate) is not supported by tswsgi',
    },
  },
};
