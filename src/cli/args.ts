// httpd: server/main.c (the getopt loop of main()).
//
// Parses the httpd-compatible command line into a plain object. Pure: no I/O, so every
// flag and every usage error is unit-tested.

/** What `tswsgi [options]` asks for (httpd mode). */
export interface HttpdArgs {
  readonly mode: 'httpd';
  /** -d: ServerRoot. */
  readonly serverRoot: string | undefined;
  /** -f: the config file (relative to ServerRoot unless absolute). */
  readonly configFile: string | undefined;
  /** -D NAME (repeatable; `-DFOREGROUND` is the same as `-D FOREGROUND`). */
  readonly defines: readonly string[];
  /** -C: directives processed before the config file. */
  readonly before: readonly string[];
  /** -c: directives processed after the config file. */
  readonly after: readonly string[];
  /** -k signal. */
  readonly signal: 'start' | 'stop' | 'restart' | 'graceful' | 'graceful-stop' | undefined;
  /** -t, -S, -M, -v, -V, -h, -l, -L, --dump-config. */
  readonly action:
    | 'serve'
    | 'configtest'
    | 'vhosts'
    | 'modules'
    | 'version'
    | 'settings'
    | 'help'
    | 'compiled'
    | 'directives'
    | 'dump-config';
  /** -e level: startup log level. */
  readonly startupLogLevel: string | undefined;
  /** -E file: startup errors to this file. */
  readonly startupErrorLog: string | undefined;
  /** -X: debug mode (foreground, single process). */
  readonly debug: boolean;
}

/** A command-line mistake; the message is what httpd-style usage prints first. */
export class UsageError extends Error {
  readonly code = 'TSWSGI_ERR_USAGE';
}

const KNOWN_SIGNALS = ['start', 'stop', 'restart', 'graceful', 'graceful-stop'] as const;

/** Flags that take a value, and whether the value may be glued (`-DFOO`, `-fconf`). */
const WITH_VALUE = new Set(['-d', '-f', '-D', '-C', '-c', '-k', '-e', '-E']);

/** What `-S` / `-t -D DUMP_*` print: httpd's DUMP_VHOSTS and DUMP_RUN_CFG parts. */
export function dumpParts(args: HttpdArgs): { vhosts: boolean; runCfg: boolean } {
  return {
    vhosts: args.defines.includes('DUMP_VHOSTS'),
    runCfg: args.defines.includes('DUMP_RUN_CFG'),
  };
}

/**
 * The argv the detached server is re-run with: the original one without `-k start`
 * (`-k start`, `-kstart`), so the child serves in the foreground of its own session.
 */
export function argvWithoutStart(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-k' && argv[i + 1] !== undefined) {
      i++;
      continue;
    }
    if (a.startsWith('-k') && a.length > 2) continue;
    out.push(a);
    // a value flag's argument is never a flag of its own (`-D -k` defines "-k")
    if (WITH_VALUE.has(a) && argv[i + 1] !== undefined) out.push(argv[++i] ?? '');
  }
  return out;
}

/** Parse httpd-style argv (without node and script). */
export function parseHttpdArgs(argv: readonly string[]): HttpdArgs {
  let serverRoot: string | undefined;
  let configFile: string | undefined;
  let signal: HttpdArgs['signal'];
  let action: HttpdArgs['action'] = 'serve';
  let startupLogLevel: string | undefined;
  let startupErrorLog: string | undefined;
  let debug = false;
  const defines: string[] = [];
  const before: string[] = [];
  const after: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--dump-config') {
      action = 'dump-config';
      continue;
    }
    if (!arg.startsWith('-') || arg.length < 2) {
      throw new UsageError(`Illegal argument '${arg}'`);
    }
    const flag = arg.slice(0, 2);
    let value: string | undefined;
    if (WITH_VALUE.has(flag)) {
      if (arg.length > 2) {
        value = arg.slice(2);
      } else {
        value = argv[i + 1];
        i++;
        if (value === undefined)
          throw new UsageError(`option requires an argument -- '${flag.slice(1)}'`);
      }
    } else if (arg.length > 2) {
      throw new UsageError(`Illegal option ${arg}`);
    }
    switch (flag) {
      case '-d':
        serverRoot = value;
        break;
      case '-f':
        configFile = value;
        break;
      case '-D':
        if (value !== undefined) defines.push(value);
        break;
      case '-C':
        if (value !== undefined) before.push(value);
        break;
      case '-c':
        if (value !== undefined) after.push(value);
        break;
      case '-k': {
        const k = KNOWN_SIGNALS.find((s) => s === value);
        if (k === undefined) throw new UsageError(`Illegal -k argument '${value ?? ''}'`);
        signal = k;
        break;
      }
      case '-e':
        startupLogLevel = value;
        break;
      case '-E':
        startupErrorLog = value;
        break;
      case '-t':
        // -t -D DUMP_VHOSTS etc. behave like -S in httpd (resolved after the loop).
        if (action === 'serve') action = 'configtest';
        break;
      case '-T':
        break; // DocumentRoot check skip: tswsgi never checks DocumentRoot existence at -t
      case '-S':
        action = 'vhosts';
        break;
      case '-M':
        action = 'modules';
        break;
      case '-v':
        action = 'version';
        break;
      case '-V':
        action = 'settings';
        break;
      case '-h':
      case '-?':
        action = 'help';
        break;
      case '-l':
        action = 'compiled';
        break;
      case '-L':
        action = 'directives';
        break;
      case '-X':
        debug = true;
        break;
      default:
        throw new UsageError(`Illegal option ${arg}`);
    }
  }
  if (action === 'vhosts') {
    defines.push('DUMP_VHOSTS', 'DUMP_RUN_CFG');
  } else if (action === 'modules') {
    defines.push('DUMP_MODULES');
  } else if (action === 'serve' || action === 'configtest') {
    // httpd: `-D DUMP_VHOSTS`, `-D DUMP_RUN_CFG`, `-D DUMP_MODULES` switch to the dump run
    // mode (with or without -t), exactly as -S and -M do.
    if (defines.includes('DUMP_VHOSTS') || defines.includes('DUMP_RUN_CFG')) action = 'vhosts';
    else if (defines.includes('DUMP_MODULES')) action = 'modules';
  }
  return {
    mode: 'httpd',
    serverRoot,
    configFile,
    defines,
    before,
    after,
    signal,
    action,
    startupLogLevel,
    startupErrorLog,
    debug,
  };
}

/** httpd's usage text, adapted. */
export function usage(prog: string): string {
  return [
    `Usage: ${prog} [-D name] [-d directory] [-f file]`,
    `${' '.repeat(prog.length + 8)}[-C "directive"] [-c "directive"]`,
    `${' '.repeat(prog.length + 8)}[-k start|restart|graceful|graceful-stop|stop]`,
    `${' '.repeat(prog.length + 8)}[-v] [-V] [-h] [-l] [-L] [-t] [-T] [-S] [-X] [--dump-config]`,
    `       ${prog} start-server [script.wsgi] [express options]   (see start-server --help)`,
    'Options:',
    '  -D name            : define a name for use in <IfDefine name> directives',
    '  -d directory       : specify an alternate initial ServerRoot',
    '  -f file            : specify an alternate ServerConfigFile',
    '  -C "directive"     : process directive before reading config files',
    '  -c "directive"     : process directive after reading config files',
    '  -e level           : show startup errors of level (see LogLevel)',
    '  -E file            : log startup errors to file',
    '  -v                 : show version number',
    '  -V                 : show compile settings',
    '  -h                 : list available command line options (this page)',
    '  -l                 : list compiled in modules',
    '  -L                 : list available configuration directives',
    '  -t -D DUMP_VHOSTS  : show parsed vhost settings',
    '  -t -D DUMP_RUN_CFG : show parsed run settings',
    '  -S                 : a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG',
    '  -M                 : show all loaded modules',
    '  -t                 : run syntax check for config files',
    '  -X                 : debug mode (only one worker, do not detach)',
    '  --dump-config      : print the typed configuration (JSON) and exit',
    '',
  ].join('\n');
}
