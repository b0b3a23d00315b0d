// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_commands, wsgi_register_hooks
// (LoadModule wsgi_module; translate_name MIDDLE after mod_alias; handler 'wsgi-script').
//
// The module object: directives as data (contexts exactly as mod_wsgi's table; GLOBAL_ONLY
// ones call cmd.requireGlobal()), the translate hook, the handler and provision, which
// starts the generation's WsgiRuntime (daemon groups + the embedded group '').

import { ACCESS_CONF, ANY_CONF, Ctx, RSRC_CONF } from '../../config/directive.js';
import type { AnyDirective, Cmd, DirectiveBuilder } from '../../config/directive.js';
import type { ModuleDef } from '../module.js';
import { dispatch } from '../../wsgi/dispatch.js';
import { WsgiRuntime } from '../../wsgi/daemon/supervisor.js';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';
import { PythonResolver, workerPackageDir } from '../../wsgi/daemon/python.js';
import { planSpawn } from '../../wsgi/daemon/spawn-config.js';
import {
  defaultDaemonSpec,
  getwordConf,
  parseDaemonProcess,
  parseOption,
} from '../../wsgi/daemon/options.js';
import { createDirConf, createServerConf, dirMerge, serverMerge } from './config.js';
import type { WsgiAlias, WsgiDirConf, WsgiServerConf } from './config.js';
import { compileAliases, translateWsgiAlias } from './translate.js';
import { handleWsgiScript } from './handler.js';
import type { WsgiState } from './handler.js';
import type { RequestRecord } from '../../request/record.js';
import type { ConfigIR } from '../../config/ir.js';
import { serverConfOf } from '../../config/slots.js';
import { coreModule } from '../../core/index.js';
import type { MpmDirective } from '../../core/config.js';

type C = Cmd<WsgiServerConf, WsgiDirConf>;
/** OR_FILEINFO directives: anywhere in the config files plus .htaccess (FileInfo). */
const FILEINFO = ANY_CONF | Ctx.OR_FILEINFO;
const DIR_OR_SERVER = ACCESS_CONF | RSRC_CONF;

/** All groups defined so far in this build (mod_wsgi's wsgi_daemon_list). */
function daemonsSeen(cmd: C): Map<string, DaemonGroupSpec> {
  const own = new Map(cmd.server.daemons.map((d) => [d.spec.name, d.spec]));
  return cmd.buildState?.('wsgi.daemons', () => own) ?? own;
}

function onOff(cmd: C, v: string): boolean {
  return cmd.oneOf(v, ['Off', 'On']) === 'On';
}

/** WSGIScriptAlias / WSGIScriptAliasMatch (wsgi_add_script_alias). */
function addScriptAlias(cmd: C, raw: string, regex: boolean): void {
  const name = cmd.node.name;
  const help = regex
    ? 'Map location pattern to target WSGI script file.'
    : 'Map location to target WSGI script file.';
  const [location, r1] = getwordConf(raw);
  const [target, r2] = getwordConf(r1);
  if (location === '' || target === '')
    throw cmd.fail(`${name} requires at least two arguments, ${help}`);
  let rest = r2;
  let processGroup: string | undefined;
  let applicationGroup: string | undefined;
  let callableObject: string | undefined;
  let passAuthorization: boolean | undefined;
  while (rest.trim() !== '') {
    const opt = parseOption(rest);
    if (opt === undefined) throw cmd.fail('Invalid option to WSGI script alias definition.');
    const v = opt.value;
    if (opt.name === 'application-group') {
      if (v === '') throw cmd.fail('Invalid name for WSGI application group.');
      applicationGroup = v === '%{GLOBAL}' ? '' : v;
    } else if (opt.name === 'process-group') {
      if (v === '') throw cmd.fail('Invalid name for WSGI process group.');
      processGroup = v === '%{GLOBAL}' ? '' : v;
    } else if (opt.name === 'callable-object') {
      if (v === '') throw cmd.fail('Invalid name for WSGI callable object.');
      callableObject = v;
    } else if (opt.name === 'pass-authorization') {
      if (!/^(on|off)$/i.test(v)) throw cmd.fail('Invalid value for authorization flag.');
      passAuthorization = v.toLowerCase() === 'on';
    } else {
      throw cmd.fail('Invalid option to WSGI script alias definition.');
    }
    rest = opt.rest;
  }
  if (regex) {
    try {
      new RegExp(location);
    } catch {
      throw cmd.fail('Regular expression could not be compiled.');
    }
  }
  const origin = { file: cmd.node.file, line: cmd.node.line };
  const alias: WsgiAlias = {
    location,
    regex,
    target,
    processGroup,
    applicationGroup,
    callableObject,
    passAuthorization,
    origin,
  };
  cmd.server.aliases.push(alias);
  // Both groups given literally (and no $n in a Match target): preload at process start.
  if (
    processGroup !== undefined &&
    applicationGroup !== undefined &&
    !processGroup.includes('%{') &&
    !applicationGroup.includes('%{') &&
    !(regex && target.includes('$'))
  ) {
    addImport(cmd, target, processGroup, applicationGroup);
  }
}

function addImport(cmd: C, script: string, processGroup: string, applicationGroup: string): void {
  if (processGroup !== '' && !['%{RESOURCE}', '%{SERVER}', '%{HOST}'].includes(processGroup)) {
    const spec = daemonsSeen(cmd).get(processGroup);
    if (spec === undefined) throw cmd.fail('WSGI process group not yet configured.');
    (spec.preload as { script: string; callable: string; applicationGroup: string }[]).push({
      script,
      callable: 'application',
      applicationGroup,
    });
  }
  cmd.server.imports.push({
    script,
    processGroup,
    applicationGroup,
    origin: { file: cmd.node.file, line: cmd.node.line },
  });
}

/** WSGIImportScript path process-group=… application-group=… (both required). */
function addImportScript(cmd: C, raw: string): void {
  const [script, r1] = getwordConf(raw);
  if (script === '') throw cmd.fail('Location of import script not supplied.');
  let rest = r1;
  let pg: string | undefined;
  let ag: string | undefined;
  while (rest.trim() !== '') {
    const opt = parseOption(rest);
    if (opt === undefined) throw cmd.fail('Invalid option to WSGI import script definition.');
    if (opt.name === 'application-group') {
      if (opt.value === '') throw cmd.fail('Invalid name for WSGI application group.');
      ag = opt.value === '%{GLOBAL}' ? '' : opt.value;
    } else if (opt.name === 'process-group') {
      if (opt.value === '') throw cmd.fail('Invalid name for WSGI process group.');
      pg = opt.value === '%{GLOBAL}' ? '' : opt.value;
    } else {
      throw cmd.fail('Invalid option to WSGI import script definition.');
    }
    rest = opt.rest;
  }
  if (ag === undefined) throw cmd.fail('Name of WSGI application group required.');
  if (pg === undefined) throw cmd.fail('Name of WSGI process group required.');
  addImport(cmd, script, pg, ag);
}

function addDaemonProcess(cmd: C, raw: string): void {
  const parsed = parseDaemonProcess(raw, { file: cmd.node.file, line: cmd.node.line });
  if ('error' in parsed) throw cmd.fail(parsed.error);
  const seen = daemonsSeen(cmd);
  if (seen.has(parsed.spec.name))
    throw cmd.fail('Name duplicates previous WSGI daemon definition.');
  seen.set(parsed.spec.name, parsed.spec);
  cmd.server.daemons.push({ spec: parsed.spec, ignoredOptions: parsed.ignored });
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

/** This generation's WSGI state (what provision returned), checked structurally. */
function stateOf(r: RequestRecord): WsgiState | undefined {
  const s: unknown = r.generation.moduleState('wsgi');
  return typeof s === 'object' && s !== null && 'groups' in s && 'getPool' in s
    ? (s as WsgiState)
    : undefined;
}

/** The mod_wsgi module. */
export const wsgiModule: ModuleDef<WsgiServerConf, WsgiDirConf> = {
  name: 'wsgi',
  server: { create: createServerConf, merge: serverMerge },
  dir: { create: createDirConf, merge: dirMerge },
  directives: (d) => [
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
    // TODO(wsgi-error-override): stored; ErrorDocument replacement of app errors not done yet.
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
    // TODO(wsgi-proxy-headers): stored; the §4.5 rewriting is not applied yet.
    d.raw(
      'WSGITrustedProxyHeaders',
      FILEINFO,
      'Specify a list of trusted proxy headers.',
      (cmd, raw) => {
        const out = cmd.dir.trustedProxyHeaders ?? [];
        for (let rest = raw; rest.trim() !== '';) {
          const [w, next] = getwordConf(rest);
          rest = next;
          out.push(`HTTP_${w.toUpperCase().replace(/-/g, '_')}`);
        }
        cmd.dir.trustedProxyHeaders = out;
      },
    ),
    d.raw('WSGITrustedProxies', FILEINFO, 'Specify a list of trusted proxies.', (cmd, raw) => {
      const out = cmd.dir.trustedProxies ?? [];
      for (let rest = raw; rest.trim() !== '';) {
        const [w, next] = getwordConf(rest);
        rest = next;
        if (!/^[0-9a-fA-F.:]+(\/\d+)?$/.test(w))
          throw cmd.fail(`Unable to parse trusted proxy IP address/subnet of "${w}".`);
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
    // Recorded only: tswsgi talks to its workers over socketpairs, so there is no socket file.
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
      'WSGIVerboseDebugging',
      RSRC_CONF,
      'Enable/Disable verbose debugging messages.',
      (cmd, v) => {
        cmd.requireGlobal();
        cmd.server.verboseDebugging = onOff(cmd, v); // deprecated no-op (use LogLevel wsgi:debug)
      },
    ),
  ],
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
  },
  handlers: {
    'wsgi-script': (r) =>
      handleWsgiScript(r, r.serverConf(wsgiModule), r.dirConf(wsgiModule), stateOf(r)),
    'application/x-httpd-wsgi': (r) =>
      handleWsgiScript(r, r.serverConf(wsgiModule), r.dirConf(wsgiModule), stateOf(r)),
  },
  provision: async (ctx) => {
    const main = (ctx.ir.main.server['wsgi'] as WsgiServerConf | undefined) ?? createServerConf();
    const groups = new Map<string, DaemonGroupSpec>();
    const aliases = new WeakMap<object, ReturnType<typeof compileAliases>>();
    for (const s of [ctx.ir.main, ...ctx.ir.vhosts]) {
      const conf = s.server['wsgi'] as WsgiServerConf | undefined;
      if (conf === undefined) continue;
      aliases.set(s, compileAliases(conf.aliases));
      for (const d of conf.daemons) groups.set(d.spec.name, d.spec);
    }
    groups.set('', embeddedSpec(ctx.ir, main));
    // Daemons run as the group's user=, else the server's User/Group (mod_wsgi's default).
    const { user: defaultUser, group: defaultGroup } = serverAccount(ctx.ir);
    const python = new PythonResolver();
    // Like mod_wsgi's start-up checks: a group whose interpreter its user cannot run (or
    // whose user does not exist) stops the server from starting, with a plain message.
    for (const [name, spec] of groups) {
      if (name === '') continue;
      try {
        await planSpawn(spec, {
          python,
          packageDir: workerPackageDir(),
          defaultUser,
          defaultGroup,
        });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(
          `WSGIDaemonProcess ${name} (${spec.origin.file}:${String(spec.origin.line)}): ${msg}`,
          { cause: e },
        );
      }
    }
    const runtime = new WsgiRuntime({ log: ctx.log, python, defaultUser, defaultGroup });
    // WSGIImportScript (and aliases naming both groups): start those pools now, so the
    // scripts are imported at server start as mod_wsgi does, not on the first request.
    for (const spec of groups.values()) {
      for (const ag of new Set(spec.preload.map((p) => p.applicationGroup)))
        runtime.getPool(spec, ag);
    }
    const state: WsgiState & { dispose(): Promise<void> } = {
      groups,
      aliases,
      getPool: (spec, ag) => runtime.getPool(spec, ag),
      dispatch: (pool, req, res, log, hooks) =>
        dispatch(pool as ReturnType<WsgiRuntime['getPool']>, req, res, log, hooks),
      dispose: () => runtime.dispose(),
    };
    return state;
  },
};

/** core's User/Group of the main server. */
function serverAccount(ir: ConfigIR): { user: string | undefined; group: string | undefined } {
  const core = serverConfOf(coreModule, ir.main);
  return {
    user: core.user === '' ? undefined : core.user,
    group: core.group === '' ? undefined : core.group,
  };
}

/** The embedded group '': sized like the event MPM's children (StartServers × ThreadsPerChild). */
function embeddedSpec(ir: ConfigIR, main: WsgiServerConf): DaemonGroupSpec {
  const mpm = serverConfOf(coreModule, ir.main).mpm;
  const num = (k: MpmDirective, def: number): number => {
    const v = mpm[k];
    return v !== undefined && v > 0 ? v : def;
  };
  const spec = defaultDaemonSpec('', { file: '', line: 0 });
  // event MPM defaults: StartServers 2 (Debian's mpm_event.conf), ServerLimit 16,
  // ThreadsPerChild 25; each embedded "child" is one worker process here.
  spec.processes = Math.min(num('StartServers', 2), num('ServerLimit', 16));
  spec.processesExplicit = true;
  spec.threads = num('ThreadsPerChild', 25);
  spec.pythonHome = main.pythonHome;
  spec.pythonPath = (main.pythonPath ?? '').split(':').filter((p) => p !== '');
  spec.displayName = undefined;
  spec.preload = main.imports
    .filter((i) => i.processGroup === '')
    .map((i) => ({
      script: i.script,
      callable: 'application',
      applicationGroup: i.applicationGroup,
    }));
  return spec;
}
