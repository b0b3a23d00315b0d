// httpd: modules/mappers/mod_negotiation.c (negotiation_module, register_hooks:
// fixups fix_encoding MIDDLE, type_checker handle_multi FIRST, handler handle_map_file).

import type { ModuleDef } from '../module.js';
import { negotiationConfig } from './config.js';
import type { NegDirConf, NegServerConf } from './config.js';
import { fixEncoding, makeHandleMulti, MAP_FILE_MAGIC_TYPE } from './multi.js';
import { makeHandleMapFile } from './type-map.js';
import { readTypeMap } from './type-map-read.js';

/** mod_negotiation. */
export const negotiationModule: ModuleDef<NegServerConf, NegDirConf> = {
  name: 'negotiation',
  ...negotiationConfig,
  hooks: {
    // Before mod_mime's find_ct, as httpd's FIRST runs before mod_mime's MIDDLE.
    typeChecker: { run: (r) => handleMulti(r), order: 'first', before: ['mime'] },
    fixups: { run: fixEncoding, order: 'middle' },
  },
  handlers: {
    'type-map': (r) => handleMapFile(r),
    [MAP_FILE_MAGIC_TYPE]: (r) => handleMapFile(r),
  },
};

const handleMulti = makeHandleMulti(negotiationModule, readTypeMap);
const handleMapFile = makeHandleMapFile(negotiationModule);
