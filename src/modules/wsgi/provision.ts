// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_hook_init / wsgi_start_daemons (start-up
// checks and daemon start), wsgi_python_init (the embedded interpreter).
//
// The wsgi module's provision: builds the generation's WsgiRuntime (daemon groups plus the
// embedded group ''), checks every group can be spawned, and preloads WSGIImportScript
// scripts at start, as mod_wsgi does.

import { dispatch } from '../../wsgi/dispatch.js';
import { callPool } from '../../wsgi/call.js';
import { WsgiRuntime } from '../../wsgi/daemon/supervisor.js';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';
import { PythonResolver, workerPackageDir } from '../../wsgi/daemon/python.js';
import { planSpawn } from '../../wsgi/daemon/spawn-config.js';
import { defaultDaemonSpec } from '../../wsgi/daemon/options.js';
import type { Disposable, ProvisionCtx } from '../module.js';
import { createServerConf } from './config.js';
import type { WsgiServerConf } from './config.js';
import { compileAliases } from './translate.js';
import { wsgiScoreboard } from './scoreboard.js';
import type { WsgiState } from './handler.js';
import type { ConfigIR } from '../../config/ir.js';
import { serverConfOf } from '../../config/slots.js';
import { coreModule } from '../../core/index.js';
import type { MpmDirective } from '../../core/config.js';

/** Start this generation's WSGI state: the runtime, its groups and compiled aliases. */
export async function provisionWsgi(ctx: ProvisionCtx): Promise<WsgiState & Disposable> {
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
  const runtime = new WsgiRuntime({
    log: ctx.log,
    python,
    defaultUser,
    defaultGroup,
    serverMetrics: () => wsgiScoreboard(ctx.ir),
  });
  // WSGIImportScript (and aliases naming both groups): start those pools now, so the
  // scripts are imported at server start as mod_wsgi does, not on the first request.
  for (const spec of groups.values()) {
    for (const ag of new Set(spec.preload.map((p) => p.applicationGroup)))
      runtime.getPool(spec, ag);
  }
  const state: WsgiState & { dispose(opts?: { readonly graceful?: boolean }): Promise<void> } = {
    groups,
    aliases,
    getPool: (spec, ag) => runtime.getPool(spec, ag),
    status: () => runtime.status(),
    dispatch: (pool, req, res, log, hooks) =>
      dispatch(pool as ReturnType<WsgiRuntime['getPool']>, req, res, log, hooks),
    call: (pool, environ, script, mtimeMs, onLog) =>
      callPool(pool as ReturnType<WsgiRuntime['getPool']>, environ, script, mtimeMs, onLog),
    // Not graceful: SHUTDOWN with no grace, so the daemons go at once (SIGTERM, then SIGKILL).
    dispose: (opts?: { readonly graceful?: boolean }) =>
      runtime.dispose(opts?.graceful === false ? 0 : undefined),
  };
  return state;
}

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
  // mod_wsgi's embedded mode runs the app in the Apache child: no request-timeout, no
  // queue-timeout, no daemon socket (socket-timeout). The defaults above are a daemon
  // group's, which WSGIDaemonProcess can change; nothing configures these, so none apply.
  // socket-timeout stays only as the heartbeat's deadline (timers.ts).
  spec.requestTimeout = 0;
  spec.queueTimeout = 0;
  spec.pythonHome = main.pythonHome;
  spec.pythonPath = (main.pythonPath ?? '').split(':').filter((p) => p !== '');
  spec.displayName = undefined;
  // wsgi_python_init: embedded interpreters take WSGINewRelicConfigFile/Environment
  // (a daemon group takes only its own newrelic-* options, as mod_wsgi's daemons do).
  // wsgi_server_metrics: 4.9.4 tests the server's flag for non-zero and it starts at -1, so
  // embedded mode reports the scoreboard unless `WSGIServerMetrics Off`.
  spec.serverMetrics = main.serverMetrics !== false;
  if (main.newrelicConfigFile !== undefined) spec.newrelicConfigFile = main.newrelicConfigFile;
  if (main.newrelicEnvironment !== undefined) spec.newrelicEnvironment = main.newrelicEnvironment;
  spec.preload = main.imports
    .filter((i) => i.processGroup === '')
    .map((i) => ({
      script: i.script,
      callable: 'application',
      applicationGroup: i.applicationGroup,
    }));
  return spec;
}
