// httpd: modules/mappers/mod_rewrite.c (rewrite_module, register_hooks: translate_name
// FIRST before mod_proxy, fixups FIRST before mod_proxy, fixups LAST for [T=]/[H=], the
// `redirect-handler` content handler).
//
// httpd registers two fixups (hook_fixup FIRST, hook_mimetype LAST); the hook table holds
// one per module and phase, so hook_mimetype runs at the end of the first. Between the two
// httpd runs only fixups that neither read nor set the forced type or handler (mod_alias's
// fixup_redir, mod_dir, mod_env, mod_headers), so the result is the same.

import type { ModuleDef } from '../module.js';
import {
  createRewriteDir,
  createRewriteServer,
  rewriteDirMerge,
  rewriteServerMerge,
} from './config.js';
import type { RewriteDirConf, RewriteServerConf } from './config.js';
import { rewriteDirectives } from './directives.js';
import { REDIRECT_HANDLER, handlerRedirect, makeFixup, makeUri2File } from './hooks.js';

/** mod_rewrite. */
export const rewriteModule: ModuleDef<RewriteServerConf, RewriteDirConf> = {
  name: 'rewrite',
  server: { create: createRewriteServer, merge: rewriteServerMerge },
  dir: { create: createRewriteDir, merge: rewriteDirMerge },
  directives: rewriteDirectives,
  hooks: {
    translateName: { run: (r) => uri2file(r), order: 'first', before: ['proxy'] },
    fixups: { run: (r) => fixup(r), order: 'first', before: ['proxy'] },
  },
  handlers: { [REDIRECT_HANDLER]: handlerRedirect },
};

const uri2file = makeUri2File(rewriteModule);
const fixup = makeFixup(rewriteModule);
