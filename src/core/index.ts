// httpd: server/core.c (core_module, register_hooks: translate_name / map_to_storage /
// type_checker REALLY_LAST, fixups REALLY_FIRST, default_handler REALLY_LAST).

import type { ModuleDef } from '../modules/module.js';
import { coreConfig } from './directives.js';
import type { CoreDirConf, CoreServerConf } from './config.js';
import { coreMapToStorage, coreOverrideType, coreTranslate, coreTypeChecker } from './translate.js';
import { defaultHandler } from './default-handler.js';

/** The core module: its directives, slots, the last-resort hooks and the default handler. */
export const coreModule: ModuleDef<CoreServerConf, CoreDirConf> = {
  name: 'core',
  ...coreConfig,
  hooks: {
    translateName: { run: coreTranslate, order: 'reallyLast' },
    mapToStorage: { run: coreMapToStorage, order: 'reallyLast' },
    typeChecker: { run: coreTypeChecker, order: 'reallyLast' },
    fixups: { run: coreOverrideType, order: 'reallyFirst' },
  },
  handlers: { 'default-handler': defaultHandler },
};
