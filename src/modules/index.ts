// httpd: modules.c (ap_prelinked_modules, generated from the build's module list).
//
// The ordered list of built-in modules (like caddy:modules/standard/imports.go, but as
// values, not import side effects). The registry (config/registry.ts) is built from it;
// hooks of one phase run in this order unless their HookReg says otherwise.
//
// Entries written `{ name, ...xxxConfig }` are config-only: the module's directives and
// config slots without request-time hooks. Replace each with the module's ModuleDef from
// its index.ts once that exists (one line per module).

import { coreModule } from '../core/index.js';
import { accessCompatModule } from './access-compat/index.js';
import { actionsModule } from './actions/index.js';
import { allowMethodsModule } from './allowmethods/index.js';
import { aliasModule } from './alias/index.js';
import { autoindexModule } from './autoindex/index.js';
import { authBasicModule } from './auth-basic/index.js';
import { authnCoreModule } from './authn-core/index.js';
import { authnFileModule } from './authn-file/index.js';
import { authzCoreModule } from './authz-core/index.js';
import { authzGroupfileModule } from './authz-groupfile/index.js';
import { authzHostModule } from './authz-host/index.js';
import { authzUserModule } from './authz-user/index.js';
import { cgiModule, cgidModule } from './cgi/index.js';
import { deflateModule } from './deflate/index.js';
import { dirModule } from './dir/index.js';
import { envModule } from './env/index.js';
import { expiresModule } from './expires/index.js';
import { filterModule } from './filter/index.js';
import { headersModule } from './headers/index.js';
import { reqtimeoutModule } from './reqtimeout/index.js';
import { sslModule } from './ssl/index.js';
import { setenvifModule } from './setenvif/index.js';
import { statusModule } from './status/index.js';
import { logConfigModule } from './log-config/index.js';
import { mimeModule } from './mime/index.js';
import { negotiationModule } from './negotiation/index.js';
import { proxyModule, proxyHttpModule } from './proxy/index.js';
import type { ModuleDef } from './module.js';
import { wsgiModule } from './wsgi/index.js';
import { rewriteModule } from './rewrite/index.js';
import { remoteIpModule } from './remoteip/index.js';
import { uniqueIdModule } from './unique-id/index.js';
import { userDirModule } from './userdir/index.js';
import { vhostAliasModule } from './vhost-alias/index.js';
import { spelingModule } from './speling/index.js';

/**
 * Erase a module's config types so modules with different S/D fit in one list. Safe
 * because nothing mixes modules' slots: the registry and build.ts hand each module only
 * values its own create()/merge produced (DirectiveBuilder is contravariant in S/D, so
 * TypeScript cannot see that without this one cast).
 */
export function anyModule<S, D>(mod: ModuleDef<S, D>): ModuleDef {
  return mod as unknown as ModuleDef;
}

/** Every module tswsgi has, in hook order. `core` and `log_config` are always loaded. */
export const MODULES: readonly ModuleDef[] = [
  anyModule(coreModule),
  anyModule(logConfigModule),
  // post_read_request FIRST: the client address is settled before anything reads it.
  anyModule(remoteIpModule),
  anyModule(uniqueIdModule),
  anyModule(negotiationModule),
  anyModule(mimeModule),
  anyModule(reqtimeoutModule),
  anyModule(sslModule),
  anyModule(allowMethodsModule),
  anyModule(authBasicModule),
  anyModule(authnFileModule),
  anyModule(authnCoreModule),
  anyModule(authzHostModule),
  anyModule(authzUserModule),
  anyModule(authzGroupfileModule),
  anyModule(authzCoreModule),
  anyModule(accessCompatModule),
  anyModule(envModule),
  anyModule(expiresModule),
  anyModule(headersModule),
  anyModule(setenvifModule),
  anyModule(autoindexModule),
  anyModule(dirModule),
  // fixups LAST, after mod_dir (httpd's module order puts mod_speling later).
  anyModule(spelingModule),
  anyModule(rewriteModule),
  anyModule(proxyModule),
  anyModule(proxyHttpModule),
  anyModule(aliasModule),
  anyModule(userDirModule),
  anyModule(vhostAliasModule),
  anyModule(wsgiModule),
  anyModule(cgiModule),
  anyModule(cgidModule),
  // action_handler is APR_HOOK_LAST: its anyHandler comes after every other module's.
  anyModule(actionsModule),
  anyModule(filterModule),
  anyModule(deflateModule),
  anyModule(statusModule),
];
