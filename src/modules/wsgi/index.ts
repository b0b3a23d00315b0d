// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_commands, wsgi_register_hooks
// (LoadModule wsgi_module; translate_name MIDDLE after mod_alias; handler 'wsgi-script').
//
// The module object: the directive table (directives.ts), the translate hook, the handler
// and provision (provision.ts), which starts the generation's WsgiRuntime (daemon groups +
// the embedded group '').

import { DECLINED } from '../../request/hooks.js';
import type { ModuleDef } from '../module.js';
import { createDirConf, createServerConf, dirMerge, serverMerge } from './config.js';
import type { WsgiDirConf, WsgiServerConf } from './config.js';
import { compileAliases, translateWsgiAlias } from './translate.js';
import { handleWsgiScript } from './handler.js';
import type { WsgiState } from './handler.js';
import { wsgiStatusSection } from './status-section.js';
import type { RequestRecord } from '../../request/record.js';
import { wsgiDirectives } from './directives.js';
import { provisionWsgi } from './provision.js';
import {
  wsgiAccessChecker,
  wsgiCheckGroup,
  wsgiCheckPassword,
  wsgiGetRealmHash,
} from './auth-script.js';
import type { AuthContext } from './auth-script.js';

/** This generation's WSGI state (what provision returned), checked structurally. */
function stateOf(r: RequestRecord): WsgiState | undefined {
  const s: unknown = r.generation.moduleState('wsgi');
  return typeof s === 'object' && s !== null && 'groups' in s && 'getPool' in s
    ? (s as WsgiState)
    : undefined;
}

/** What the auth entry points read: the request's wsgi dir config and the runtime. */
const authCtx = (r: RequestRecord): AuthContext => ({
  dir: r.dirConf(wsgiModule),
  state: stateOf(r),
});

/** The mod_wsgi module. */
export const wsgiModule: ModuleDef<WsgiServerConf, WsgiDirConf> = {
  name: 'wsgi',
  server: { create: createServerConf, merge: serverMerge },
  dir: { create: createDirConf, merge: dirMerge },
  directives: wsgiDirectives,
  hooks: {
    translateName: {
      order: 'middle',
      after: ['alias'],
      run: (r) => {
        const state = stateOf(r);
        const aliases =
          state?.aliases.get(r.server) ?? compileAliases(r.serverConf(wsgiModule).aliases);
        return translateWsgiAlias(r, aliases);
      },
    },
    // WSGIAccessScript (wsgi_hook_access_checker, MIDDLE, before mod_authz_host).
    accessChecker: { order: 'middle', run: (r) => wsgiAccessChecker(r, authCtx(r)) },
  },
  // WSGIAuthUserScript: `AuthBasicProvider wsgi`.
  authnProviders: {
    wsgi: {
      checkPassword: (r, user, password) => wsgiCheckPassword(r, authCtx(r), user, password),
      getRealmHash: (r, user, realm) => wsgiGetRealmHash(r, authCtx(r), user, realm),
    },
  },
  // WSGIAuthGroupScript: `Require wsgi-group name …`.
  authzProviders: {
    'wsgi-group': { check: (r, words) => wsgiCheckGroup(r, authCtx(r), words) },
  },
  handlers: {
    'wsgi-script': (r) =>
      handleWsgiScript(r, r.serverConf(wsgiModule), r.dirConf(wsgiModule), stateOf(r)),
    'application/x-httpd-wsgi': (r) =>
      handleWsgiScript(r, r.serverConf(wsgiModule), r.dirConf(wsgiModule), stateOf(r)),
  },
  // WSGIHandlerScript names (handleWsgiScript declines any other name).
  anyHandler: (r) => {
    const dir = r.dirConf(wsgiModule);
    const names = dir.handlerScripts;
    return r.handler === undefined || names === undefined || !Object.hasOwn(names, r.handler)
      ? DECLINED
      : handleWsgiScript(r, r.serverConf(wsgiModule), dir, stateOf(r));
  },
  statusHook: (r, flags) => wsgiStatusSection(stateOf(r)?.status?.() ?? [], flags, Date.now()),
  provision: provisionWsgi,
};
