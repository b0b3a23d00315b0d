// httpd: modules/filters/mod_reqtimeout.c (reqtimeout_init at process_connection,
//        reqtimeout_before_header at pre_read_request, reqtimeout_before_body at
//        post_read_request, INIT_STAGE).
//
// The module only answers what the deadlines are; the front end enforces them: the header
// stage per connection (src/http/header-deadline.ts), the body stage per request
// (src/request/read-deadline.ts). Either logs AH01382 "Request <stage> read timeout" at
// info when it expires, and the connection is not kept alive.

import { serverConfOf } from '../../config/slots.js';
import type { ReadTimeouts, StageLimits } from '../../request/read-deadline.js';
import type { ModuleDef } from '../module.js';
import { DEFAULTS, reqtimeoutConfig } from './config.js';
import type { ReqtimeoutConf, Stage } from './config.js';

/** mod_reqtimeout. */
export const reqtimeoutModule: ModuleDef<ReqtimeoutConf, undefined> = {
  name: 'reqtimeout',
  ...reqtimeoutConfig,
  readTimeouts: (server) => readTimeoutsOf(serverConfOf(reqtimeoutModule, server)),
};

/** INIT_STAGE: the configured stage, else the default; a timeout of 0 turns it off. */
function stage(conf: ReqtimeoutConf, s: Stage): StageLimits | undefined {
  const limits = conf[s] ?? DEFAULTS[s];
  return limits.timeout > 0 ? limits : undefined;
}

/** The deadlines of a server's merged config (reqtimeout_init: none when all are off). */
export function readTimeoutsOf(conf: ReqtimeoutConf): ReadTimeouts | undefined {
  const header = stage(conf, 'header');
  const body = stage(conf, 'body');
  return header === undefined && body === undefined ? undefined : { header, body };
}
