// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_commands (the directive table); the
// key=value handlers (wsgi_add_script_alias, …) are in directive-args.ts.
//
// The wsgi module's directives as data: contexts exactly as mod_wsgi's table; GLOBAL_ONLY
// ones call cmd.requireGlobal(). index.ts declares the ModuleDef that uses this table.

import { ACCESS_CONF, ANY_CONF, Ctx, RSRC_CONF } from '../../config/directive.js';
import type { AnyDirective, Cmd, DirectiveBuilder } from '../../config/directive.js';
import { getwordsConf } from '../../util/getword.js';
import type { WsgiDirConf, WsgiServerConf } from './config.js';
import {
  addDaemonProcess,
  addHandlerScript,
  addImportScript,
  addScriptAlias,
  parseAuthScript,
  setDispatchScript,
} from './directive-args.js';
import { http2env, parseTrustedProxy } from '../../wsgi/proxy-headers.js';

type C = Cmd<WsgiServerConf, WsgiDirConf>;
/** OR_FILEINFO directives: anywhere in the config files plus .htaccess (FileInfo). */
const FILEINFO = ANY_CONF | Ctx.OR_FILEINFO;
const DIR_OR_SERVER = ACCESS_CONF | RSRC_CONF;

function onOff(cmd: C, v: string): boolean {
  return cmd.oneOf(v, ['Off', 'On']) === 'On';
}

/** A GLOBAL_ONLY On/Off directive writing one server field. */
type BoolKey = {
  [K in keyof WsgiServerConf]: WsgiServerConf[K] extends boolean | undefined ? K : never;
}[keyof WsgiServerConf];
function globalFlag(
  d: DirectiveBuilder<WsgiServerConf, WsgiDirConf>,
  name: string,
  key: BoolKey,
  help: string,
): AnyDirective<WsgiServerConf, WsgiDirConf> {
  return d.take1(name, RSRC_CONF, help, (cmd, v) => {
    cmd.requireGlobal();
    cmd.server[key] = onOff(cmd, v);
  });
}
type DirBoolKey = {
  [K in keyof WsgiDirConf]: WsgiDirConf[K] extends boolean | undefined ? K : never;
}[keyof WsgiDirConf];
function dirFlag(
  d: DirectiveBuilder<WsgiServerConf, WsgiDirConf>,
  name: string,
  where: number,
  key: DirBoolKey,
  help: string,
): AnyDirective<WsgiServerConf, WsgiDirConf> {
  return d.take1(name, where, help, (cmd, v) => {
    cmd.dir[key] = onOff(cmd, v);
  });
}

/** WSGIAccessScript / WSGIAuthUserScript / WSGIAuthGroupScript: OR_AUTHCFG, one dir field. */
function authScript(
  d: DirectiveBuilder<WsgiServerConf, WsgiDirConf>,
  name: string,
  kind: string,
  what: 'access' | 'auth user' | 'auth group',
  key: 'accessScript' | 'authUserScript' | 'authGroupScript',
): AnyDirective<WsgiServerConf, WsgiDirConf> {
  return d.raw(name, Ctx.OR_AUTHCFG, `Location of WSGI ${kind} script file.`, (cmd, raw) => {
    cmd.dir[key] = parseAuthScript(cmd, raw, what);
  });
}

/** The mod_wsgi directive table (wsgi_commands), in mod_wsgi's order. */
export function wsgiDirectives(
  d: DirectiveBuilder<WsgiServerConf, WsgiDirConf>,
): AnyDirective<WsgiServerConf, WsgiDirConf>[] {
  return [
    d.raw('WSGIScriptAlias', RSRC_CONF, 'Map location to target WSGI script file.', (cmd, raw) => {
      addScriptAlias(cmd, raw, false);
    }),
    d.raw(
      'WSGIScriptAliasMatch',
      RSRC_CONF,
      'Map location pattern to target WSGI script file.',
      (cmd, raw) => {
        addScriptAlias(cmd, raw, true);
      },
    ),
    d.raw(
      'WSGIDaemonProcess',
      RSRC_CONF,
      'Specify details of daemon processes to start.',
      addDaemonProcess,
    ),
    d.raw('WSGIImportScript', RSRC_CONF, 'Location of WSGI import script.', addImportScript),
    d.raw(
      'WSGIDispatchScript',
      DIR_OR_SERVER,
      'Location of WSGI dispatch script.',
      setDispatchScript,
    ),
    authScript(d, 'WSGIAccessScript', 'host access', 'access', 'accessScript'),
    authScript(d, 'WSGIAuthUserScript', 'user auth', 'auth user', 'authUserScript'),
    authScript(d, 'WSGIAuthGroupScript', 'group auth', 'auth group', 'authGroupScript'),
    d.take1(
      'WSGIGroupAuthoritative',
      Ctx.OR_AUTHCFG,
      'Enable/Disable as being authoritative on groups.',
      (cmd, v) => {
        cmd.dir.groupAuthoritative = onOff(cmd, v);
      },
    ),
    d.raw(
      'WSGIHandlerScript',
      DIR_OR_SERVER,
      'Location of WSGI handler script file.',
      addHandlerScript,
    ),
    d.raw(
      'WSGIRestrictProcess',
      DIR_OR_SERVER,
      'Limit selectable WSGI process groups.',
      (cmd, raw) => {
        // Each directive replaces the list (mod_wsgi makes a new table every time).
        cmd.dir.restrictProcess = getwordsConf(raw).map((w) => (w === '%{GLOBAL}' ? '' : w));
      },
    ),
    d.take1('WSGIProcessGroup', DIR_OR_SERVER, 'Name of the WSGI process group.', (cmd, v) => {
      cmd.dir.processGroup = v;
    }),
    d.take1('WSGIApplicationGroup', DIR_OR_SERVER, 'Application interpreter group.', (cmd, v) => {
      cmd.dir.applicationGroup = v;
    }),
    d.take1(
      'WSGICallableObject',
      FILEINFO,
      'Name of entry point in WSGI script file.',
      (cmd, v) => {
        cmd.dir.callableObject = v;
      },
    ),
    dirFlag(
      d,
      'WSGIPassAuthorization',
      FILEINFO,
      'passAuthorization',
      'Enable/Disable WSGI authorization.',
    ),
    dirFlag(
      d,
      'WSGIScriptReloading',
      FILEINFO,
      'scriptReloading',
      'Enable/Disable script reloading mechanism.',
    ),
    dirFlag(
      d,
      'WSGIChunkedRequest',
      FILEINFO,
      'chunkedRequest',
      'Enable/Disable support for chunked requests.',
    ),
    dirFlag(
      d,
      'WSGIErrorOverride',
      FILEINFO,
      'errorOverride',
      'Enable/Disable overriding of error pages.',
    ),
    dirFlag(
      d,
      'WSGIIgnoreActivity',
      FILEINFO,
      'ignoreActivity',
      'Enable/Disable reset of inactvity timeout.',
    ),
    dirFlag(
      d,
      'WSGIEnableSendfile',
      FILEINFO,
      'enableSendfile',
      'Enable/Disable support for kernel sendfile.',
    ),
    // Embedded-only in mod_wsgi (a request_rec capsule); tswsgi has no request_rec: stored only.
    dirFlag(
      d,
      'WSGIPassApacheRequest',
      DIR_OR_SERVER,
      'passApacheRequest',
      'Enable/Disable Apache request object.',
    ),
    d.take1('WSGIMapHEADToGET', FILEINFO, 'Enable/Disable mapping of HEAD to GET.', (cmd, v) => {
      cmd.dir.mapHeadToGet = cmd.oneOf(v, ['Off', 'On', 'Auto']).toLowerCase() as
        'off' | 'on' | 'auto';
    }),
    d.raw(
      'WSGITrustedProxyHeaders',
      FILEINFO,
      'Specify a list of trusted proxy headers.',
      (cmd, raw) => {
        const out = cmd.dir.trustedProxyHeaders ?? [];
        for (const w of getwordsConf(raw)) {
          const name = http2env(w);
          // mod_wsgi stores a NULL for such a name and crashes on the first request.
          if (name === undefined)
            cmd.warn(
              `WSGITrustedProxyHeaders: '${w}' is not a header name (letters, digits and '-'); ignored`,
            );
          else out.push(name);
        }
        cmd.dir.trustedProxyHeaders = out;
      },
    ),
    d.raw('WSGITrustedProxies', FILEINFO, 'Specify a list of trusted proxies.', (cmd, raw) => {
      const out = cmd.dir.trustedProxies ?? [];
      for (const w of getwordsConf(raw)) {
        const net = parseTrustedProxy(w);
        if (typeof net === 'string') throw cmd.fail(net);
        out.push(w);
      }
      cmd.dir.trustedProxies = out;
    }),
    globalFlag(
      d,
      'WSGIRestrictEmbedded',
      'restrictEmbedded',
      'Enable/Disable use of embedded mode.',
    ),
    d.take1(
      'WSGIPythonHome',
      RSRC_CONF,
      'Python prefix/exec_prefix absolute path names.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.pythonHome = v;
      },
    ),
    d.take1('WSGIPythonPath', RSRC_CONF, 'Python module search path.', (cmd, v) => {
      cmd.requireGlobal();
      cmd.server.pythonPath = v;
    }),
    d.take1(
      'WSGIPythonOptimize',
      RSRC_CONF,
      'Set level of Python compiler optimisations.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.pythonOptimize = Number.parseInt(v, 10) || 0; // atoi()
      },
    ),
    d.take1('WSGIPythonHashSeed', RSRC_CONF, 'Python hash seed.', (cmd, v) => {
      cmd.requireGlobal();
      if (v !== '' && v !== 'random' && !(/^\d+$/.test(v) && Number(v) <= 4294967295)) {
        throw cmd.fail(
          'WSGIPythonHashSeed must be "random" or an integer in range [0; 4294967295]',
        );
      }
      cmd.server.pythonHashSeed = v;
    }),
    d.take1('WSGIPythonWarnings', RSRC_CONF, 'Control Python warning messages.', (cmd, v) => {
      cmd.requireGlobal();
      cmd.server.pythonWarnings.push(v);
    }),
    d.take1('WSGIPythonEggs', RSRC_CONF, 'Python eggs cache directory.', (cmd, v) => {
      cmd.requireGlobal();
      cmd.server.pythonEggs = v;
    }),
    globalFlag(
      d,
      'WSGIDontWriteBytecode',
      'dontWriteBytecode',
      'Enable/Disable writing of byte code.',
    ),
    globalFlag(
      d,
      'WSGIRestrictStdin',
      'restrictStdin',
      'Enable/Disable restrictions on use of STDIN.',
    ),
    globalFlag(
      d,
      'WSGIRestrictStdout',
      'restrictStdout',
      'Enable/Disable restrictions on use of STDOUT.',
    ),
    globalFlag(
      d,
      'WSGIRestrictSignal',
      'restrictSignal',
      'Enable/Disable restrictions on use of signal().',
    ),
    globalFlag(
      d,
      'WSGICaseSensitivity',
      'caseSensitivity',
      'Define whether file system is case sensitive.',
    ),
    globalFlag(
      d,
      'WSGIDestroyInterpreter',
      'destroyInterpreter',
      'Enable/Disable destruction of Python interpreter.',
    ),
    // Recorded only: tswsgi hands each worker a connected socket, so no socket file persists.
    d.take1(
      'WSGISocketPrefix',
      RSRC_CONF,
      'Path prefix for the daemon process sockets.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.socketPrefix = v;
      },
    ),
    globalFlag(
      d,
      'WSGISocketRotation',
      'socketRotation',
      'Enable/Disable rotation of daemon process sockets.',
    ),
    d.take1(
      'WSGIAcceptMutex',
      RSRC_CONF,
      'Set accept mutex type for daemon processes.',
      (cmd, v) => {
        cmd.requireGlobal();
        if (!/^(default|flock|fcntl|sysvsem|posixsem|pthread)$/i.test(v)) {
          throw cmd.fail(
            `Accept mutex lock mechanism '${v}' is invalid. Valid accept mutex mechanisms for this platform are: default, flock, fcntl, sysvsem, posixsem, pthread.`,
          );
        }
        cmd.server.acceptMutex = v;
      },
    ),
    d.take1(
      'WSGILazyInitialization',
      RSRC_CONF,
      'Enable/Disable lazy Python initialization.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.lazyInitialization = onOff(cmd, v);
        cmd.warn(
          'WSGILazyInitialization has no effect: tswsgi always initialises Python in the worker processes.',
        );
      },
    ),
    d.take1(
      'WSGIServerMetrics',
      RSRC_CONF,
      'Enabled/Disable access to server metrics.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.serverMetrics = onOff(cmd, v);
      },
    ),
    d.take1(
      'WSGINewRelicConfigFile',
      RSRC_CONF,
      'New Relic monitoring agent configuration file.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.newrelicConfigFile = v;
      },
    ),
    d.take1(
      'WSGINewRelicEnvironment',
      RSRC_CONF,
      'New Relic monitoring agent environment.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.newrelicEnvironment = v;
      },
    ),
    d.take1(
      'WSGIVerboseDebugging',
      RSRC_CONF,
      'Enable/Disable verbose debugging messages.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.verboseDebugging = onOff(cmd, v); // deprecated no-op (use LogLevel wsgi:debug)
      },
    ),
  ];
}
