// httpd: modules/generators/mod_cgi.c and mod_cgid.c (the `cgi-script` handler and the
//        application/x-httpd-cgi type).
//
// Two modules with one handler: `LoadModule cgi_module` (prefork's) and `LoadModule
// cgid_module` (what Debian enables with the threaded MPMs) both run scripts through
// runCgi; each keeps its own directives and log tag.

import type { ModuleDef } from '../module.js';
import { cgiConfig } from './config.js';
import type { CgiDirConf, CgiServerConf } from './config.js';
import { runCgi } from './handler.js';

/** mod_cgi. */
export const cgiModule: ModuleDef<CgiServerConf, CgiDirConf> = {
  name: 'cgi',
  sharesDirectivesWith: 'cgid',
  ...cgiConfig('cgi'),
  handlers: {
    'cgi-script': (r) => runCgi(r, r.serverConf(cgiModule), r.dirConf(cgiModule), 'cgi'),
    'application/x-httpd-cgi': (r) =>
      runCgi(r, r.serverConf(cgiModule), r.dirConf(cgiModule), 'cgi'),
  },
};

/** mod_cgid (no separate daemon here: scripts are spawned as mod_cgi's). */
export const cgidModule: ModuleDef<CgiServerConf, CgiDirConf> = {
  name: 'cgid',
  sharesDirectivesWith: 'cgi',
  ...cgiConfig('cgid'),
  handlers: {
    'cgi-script': (r) => runCgi(r, r.serverConf(cgidModule), r.dirConf(cgidModule), 'cgid'),
    'application/x-httpd-cgi': (r) =>
      runCgi(r, r.serverConf(cgidModule), r.dirConf(cgidModule), 'cgid'),
  },
};
