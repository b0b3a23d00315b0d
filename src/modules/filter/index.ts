// httpd: modules/filters/mod_filter.c (filter_cmds, filter_insert at insert_filter).
//
// Each smart filter of the merged FilterChain goes on the response; on its first brigade
// it picks the first provider whose condition holds (content type for
// AddOutputFilterByType, the expression for FilterProvider), applies the FilterProtocol
// header rules, and becomes that provider's filter (harness.ts). No provider: it removes
// itself.

import type { ModuleDef } from '../module.js';
import { filterConfig } from './config.js';
import type { FilterDirConf } from './config.js';
import { filterInsert } from './harness.js';

/** mod_filter. */
export const filterModule: ModuleDef<unknown, FilterDirConf> = {
  name: 'filter',
  ...filterConfig,
  hooks: {
    insertFilter: { run: (r) => filterInsert(r, r.dirConf(filterModule)), order: 'middle' },
  },
};
