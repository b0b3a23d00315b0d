// httpd: server/main.c (main), support/apachectl (-k).
//
// argv → serve | configtest (-t) | dump-vhosts (-S) | modules (-M) | version | -k signal |
// start-server (express mode). Returns the process exit code.

import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import {
  argvWithoutStart,
  dumpParts,
  parseHttpdArgs,
  usage,
  UsageError,
  type HttpdArgs,
} from './args.js';
import { expressHelp, parseExpressArgs, renderExpressConf } from './express.js';
import {
  describeVhosts,
  describeModules,
  describeVersion,
  describeSettings,
  describeDirectives,
} from './describe.js';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import type { ConfigIR } from '../config/ir.js';
import { serverConfOf } from '../config/slots.js';
import { coreModule } from '../core/index.js';
import { runServer } from '../server/run.js';

/** Debian's compiled-in defaults (`apache2 -V`: HTTPD_ROOT, SERVER_CONFIG_FILE). */
export const DEFAULT_SERVER_ROOT = '/etc/apache2';
export const DEFAULT_CONFIG_FILE = 'apache2.conf';

const PROG = 'tswsgi';

/** Entry point; the return value is the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    if (argv[0] === 'start-server' || argv[0] === 'setup-server') {
      return await expressMain(argv.slice(1), argv[0] === 'setup-server');
    }
    const args = parseHttpdArgs(argv);
    return await httpdMain(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${PROG}: ${err.message}\n${usage(PROG)}`);
      return 1;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function configPath(args: HttpdArgs): { file: string; serverRoot: string } {
  const serverRoot = resolve(args.serverRoot ?? DEFAULT_SERVER_ROOT);
  const f = args.configFile ?? DEFAULT_CONFIG_FILE;
  return { file: isAbsolute(f) ? f : join(serverRoot, f), serverRoot };
}

function load(args: HttpdArgs): ConfigIR {
  const { file, serverRoot } = configPath(args);
  return loadConfig({
    file,
    serverRoot,
    defines: args.defines,
    before: args.before,
    after: args.after,
  });
}

function printWarnings(ir: ConfigIR): void {
  for (const w of ir.warnings) process.stderr.write(`${w}\n`);
}

async function httpdMain(args: HttpdArgs): Promise<number> {
  switch (args.action) {
    case 'help':
      process.stdout.write(usage(PROG));
      return 0;
    case 'version':
      process.stdout.write(describeVersion());
      return 0;
    case 'settings':
      process.stdout.write(describeSettings(DEFAULT_SERVER_ROOT, DEFAULT_CONFIG_FILE));
      return 0;
    case 'compiled':
      process.stdout.write(describeModules(undefined));
      return 0;
    case 'directives':
      process.stdout.write(describeDirectives());
      return 0;
    default:
      break;
  }
  const ir = load(args);
  switch (args.action) {
    case 'configtest':
      printWarnings(ir);
      process.stderr.write('Syntax OK\n');
      return 0;
    case 'vhosts':
      printWarnings(ir);
      process.stdout.write(describeVhosts(ir, dumpParts(args)));
      return 0;
    case 'modules':
      process.stdout.write(describeModules(ir));
      return 0;
    case 'dump-config':
      process.stdout.write(`${JSON.stringify(ir, null, 2)}\n`);
      return 0;
    default:
      break;
  }
  // httpd: server/mpm_unix.c ap_signal_server — what the PidFile says decides the -k action.
  const detached = process.env['TSWSGI_DETACHED'] === '1';
  const state = detached ? undefined : readPidFile(pidFileOf(ir));
  if (state?.kind === 'unreadable') {
    process.stderr.write(
      `${state.error}: AH00058: Error retrieving pid file ${pidFileOf(ir)}\nAH00059: Remove it before continuing if it is corrupted.\n`,
    );
    return 1;
  }
  if (state !== undefined && args.signal !== undefined && args.signal !== 'start') {
    if (state.kind === 'running') return signalRunning(state.pid, args.signal);
    if (args.signal === 'stop' || args.signal === 'graceful-stop') {
      process.stdout.write(
        state.kind === 'none'
          ? `${PROG} (no pid file) not running\n`
          : `${PROG} (pid ${state.pid}?) not running\n`,
      );
      return 0;
    }
    // restart/graceful of a server that is not running starts it.
    process.stdout.write(`${PROG} not running, trying to start\n`);
  }
  if (state?.kind === 'running' && (args.signal === 'start' || args.signal === undefined)) {
    process.stdout.write(`${PROG} (pid ${state.pid}) already running\n`);
    return 0;
  }
  const foreground =
    args.defines.includes('FOREGROUND') || args.debug || (args.signal === undefined && detached);
  if (!foreground) return detach(argvWithoutStart(process.argv.slice(2)));
  printWarnings(ir);
  return runServer(ir, { reload: () => load(args), notifyReady: detached });
}

function pidFileOf(ir: ConfigIR): string {
  return resolve(ir.serverRoot, serverConfOf(coreModule, ir.main).pidFile ?? 'logs/httpd.pid');
}

/** What a PidFile says (httpd: server/log.c ap_read_pid, then kill(pid, 0)). */
type PidState =
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly error: string }
  | { readonly kind: 'stale' | 'running'; readonly pid: number };

/** apr_strerror texts for the errors reading a PidFile can give, as `(errno)text`. */
const READ_ERRORS: Readonly<Record<string, string>> = {
  EACCES: '(13)Permission denied',
  EISDIR: '(21)Is a directory',
  ELOOP: '(40)Too many levels of symbolic links',
  EIO: '(5)Input/output error',
};
/** APR_EGENERAL: what ap_read_pid returns for an empty, overlong or non-numeric file. */
const EGENERAL = '(20014)Internal error (specific information not available)';
/** ap_read_pid's buffer: sizeof(long) * 3 + 2 bytes, the last kept for the NUL. */
const PID_BUFFER = 8 * 3 + 2;

function readPidFile(pidFile: string): PidState {
  let text: Buffer;
  try {
    text = readFileSync(pidFile);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { kind: 'none' };
    return {
      kind: 'unreadable',
      error: READ_ERRORS[e.code ?? ''] ?? `(${-(e.errno ?? 0)})${e.message}`,
    };
  }
  const first = text[0];
  if (text.length === 0 || text.length >= PID_BUFFER - 1 || first === undefined)
    return { kind: 'unreadable', error: EGENERAL };
  if (first < 0x30 || first > 0x39) return { kind: 'unreadable', error: EGENERAL };
  // strtol: the leading digits; what follows them is ignored
  const pid = Number.parseInt(text.toString('latin1'), 10);
  try {
    process.kill(pid, 0);
    return { kind: 'running', pid };
  } catch {
    // httpd counts only a successful kill(pid, 0) as running (EPERM too is "not running")
    return { kind: 'stale', pid };
  }
}

/**
 * -k stop|restart|graceful|graceful-stop of a running server: send it the signal, as
 * ap_signal_server does. Returns the exit code.
 */
function signalRunning(
  pid: number,
  signal: 'stop' | 'restart' | 'graceful' | 'graceful-stop',
): number {
  const sig = {
    stop: 'SIGTERM',
    restart: 'SIGHUP',
    graceful: 'SIGUSR1',
    'graceful-stop': 'SIGWINCH',
  } as const;
  try {
    process.kill(pid, sig[signal]);
  } catch (err) {
    process.stderr.write(
      `${PROG}: could not send ${sig[signal]} to pid ${pid}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  return 0;
}

/**
 * Start in the background (httpd's default without -DFOREGROUND): re-run ourselves in a
 * new session with `argv` (the command line minus `-k start`), wait until the child
 * writes `READY` (it listens and has written its PidFile), then return 0. If the child
 * exits first, its stderr is passed on and its exit code returned.
 */
async function detach(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', ...argv], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TSWSGI_DETACHED: '1' },
  });
  return new Promise<number>((done) => {
    let err = '';
    let out = '';
    const onErr = (d: Buffer): void => {
      err += d.toString();
    };
    const onOut = (d: Buffer): void => {
      out += d.toString();
      if (!/^READY$/m.test(out)) return;
      child.removeAllListeners('close');
      child.stdout.off('data', onOut);
      child.stderr.off('data', onErr);
      process.stderr.write(err); // startup warnings printed before READY
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      done(0);
    };
    child.stderr.on('data', onErr);
    child.stdout.on('data', onOut);
    child.on('close', (code, signal) => {
      process.stderr.write(err);
      if (code === 0 && signal === null)
        process.stderr.write(`${PROG}: server exited before it was ready\n`);
      done(code === 0 || code === null ? 1 : code);
    });
  });
}

async function expressMain(argv: readonly string[], setupOnly: boolean): Promise<number> {
  const o = parseExpressArgs(argv);
  if (o.help) {
    process.stdout.write(expressHelp(PROG));
    return 0;
  }
  const uid = process.getuid?.() ?? 0;
  const serverRoot = resolve(
    o.serverRoot ?? `/tmp/tswsgi-${o.host ?? hostname()}:${o.port}:${uid}`,
  );
  const script = o.script === undefined ? undefined : resolve(o.script);
  if (script !== undefined && !existsSync(script)) {
    process.stderr.write(`${PROG}: no such WSGI script: ${script}\n`);
    return 1;
  }
  const docroot =
    o.documentRoot === undefined ? join(serverRoot, 'htdocs') : resolve(o.documentRoot);
  mkdirSync(docroot, { recursive: true });
  const entries = readdirSync(docroot).filter((e) => !e.startsWith('.'));
  const conf = renderExpressConf(
    {
      ...o,
      script,
      documentRoot: docroot,
      workingDirectory:
        o.workingDirectory ?? (script === undefined ? process.cwd() : dirname(script)),
    },
    { uid, cwd: process.cwd(), serverRoot, documentRootEntries: entries },
  );
  const confFile = join(serverRoot, 'httpd.conf');
  mkdirSync(serverRoot, { recursive: true });
  writeFileSync(confFile, conf);
  const ir = loadConfig({ file: confFile, serverRoot, defines: [], before: [], after: [] });
  if (o.dumpConfig) {
    process.stdout.write(`${JSON.stringify(ir, null, 2)}\n`);
    return 0;
  }
  if (setupOnly || o.setupOnly) {
    process.stdout.write(
      `Server URL         : http://${o.host ?? 'localhost'}:${o.port}/\nServer Root        : ${serverRoot}\nServer Conf        : ${confFile}\n`,
    );
    return 0;
  }
  process.stdout.write(
    [
      `Server URL         : http://${o.host ?? 'localhost'}:${o.port}/`,
      `Server Root        : ${serverRoot}`,
      `Server Conf        : ${confFile}`,
      `Error Log File     : ${o.logToTerminal ? '(terminal)' : join(serverRoot, 'error_log')}`,
      `Operating Mode     : daemon`,
      `Request Capacity   : ${(o.processes ?? 1) * o.threads} (${o.processes ?? 1} process * ${o.threads} threads)`,
      `Request Timeout    : ${o.requestTimeout} (seconds)`,
      '',
    ].join('\n'),
  );
  return runServer(ir, {
    reload: () => loadConfig({ file: confFile, serverRoot, defines: [], before: [], after: [] }),
    notifyReady: false,
  });
}
