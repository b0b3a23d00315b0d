// httpd: server/core.c (core_module, register_hooks: translate_name / map_to_storage /
// type_checker REALLY_LAST, fixups REALLY_FIRST, default_handler REALLY_LAST).

import type { ModuleDef } from '../modules/module.js';
import { DECLINED } from '../request/hooks.js';
import { coreConfig } from './directives.js';
import type { CoreDirConf, CoreServerConf } from './config.js';
import { coreMapToStorage, coreOverrideType, coreTranslate, coreTypeChecker } from './translate.js';
import { defaultHandler } from './default-handler.js';
import { httpMapToStorage } from './http-methods.js';

/** The core module: its directives, slots, the last-resort hooks and the default handler. */
export const coreModule: ModuleDef<CoreServerConf, CoreDirConf> = {
  name: 'core',
  ...coreConfig,
  hooks: {
    translateName: { run: coreTranslate, order: 'reallyLast' },
    // http_core's ap_send_http_trace / http_send_options (MIDDLE in httpd; no other module
    // here maps to storage, so running them first inside core's REALLY_LAST hook is the same).
    mapToStorage: {
      run: async (r) => {
        const rv = await httpMapToStorage(r);
        return rv === DECLINED ? coreMapToStorage(r) : rv;
      },
      order: 'reallyLast',
    },
    typeChecker: { run: coreTypeChecker, order: 'reallyLast' },
    fixups: { run: coreOverrideType, order: 'reallyFirst' },
  },
  handlers: { 'default-handler': defaultHandler },
};
