// httpd: modules/loggers/mod_log_config.c (log_config_module: post_config opens the logs,
// log_transaction writes them).

import type { ModuleDef } from '../module.js';
import { serverConfOf } from '../../config/slots.js';
import { logConfigConfig } from './config.js';
import type { LogConfigServerConf } from './config.js';
import { AccessLogs, logTransaction } from './transaction.js';

/** mod_log_config. */
export const logConfigModule: ModuleDef<LogConfigServerConf, undefined> = {
  name: 'log_config',
  ...logConfigConfig,
  hooks: {
    logTransaction: { run: (r) => logTransaction(r, 'log_config'), order: 'middle' },
  },
  provision: ({ ir, log }) => AccessLogs.open(ir, (s) => serverConfOf(logConfigModule, s), log),
};
