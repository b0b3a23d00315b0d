// mod_wsgi: src/express/options.py (mod_wsgi-express start-server's option table and
// defaults).
//
// The `tswsgi start-server` option table, its defaults, the argv parser and the help text
// generated from the table. express.ts renders the parsed options into httpd.conf.

import { UsageError } from './args.js';

/** The options `tswsgi start-server` takes, with mod_wsgi-express's defaults. */
export interface ExpressOptions {
  readonly script: string | undefined;
  readonly port: number;
  readonly host: string | undefined;
  readonly serverName: string | undefined;
  readonly processes: number | undefined;
  readonly threads: number;
  readonly python: string | undefined;
  readonly urlAliases: readonly (readonly [string, string])[];
  readonly documentRoot: string | undefined;
  readonly mountPoint: string;
  readonly maximumRequests: number;
  readonly reloadOnChanges: boolean;
  readonly accessLog: boolean;
  readonly logLevel: string;
  readonly logToTerminal: boolean;
  readonly user: string | undefined;
  readonly group: string | undefined;
  readonly serverRoot: string | undefined;
  readonly workingDirectory: string | undefined;
  readonly pythonPath: readonly string[];
  readonly callableObject: string;
  readonly applicationGroup: string;
  readonly processGroup: string | undefined;
  readonly requestTimeout: number;
  readonly queueTimeout: number;
  readonly connectTimeout: number;
  readonly startupTimeout: number;
  readonly gracefulTimeout: number;
  readonly shutdownTimeout: number;
  readonly socketTimeout: number;
  readonly limitRequestBody: number;
  readonly keepAliveTimeout: number;
  readonly chunkedRequest: boolean;
  readonly setenv: readonly (readonly [string, string])[];
  readonly includeFiles: readonly string[];
  readonly dumpConfig: boolean;
  readonly setupOnly: boolean;
  readonly help: boolean;
}

type Kind = 'int' | 'str' | 'flag' | 'pair' | 'list';
interface OptSpec {
  readonly kind: Kind;
  readonly key: keyof ExpressOptions;
  readonly help: string;
}

/** One table for every option: name → kind, target field, help (gunicorn Setting style). */
const OPTIONS: Readonly<Record<string, OptSpec>> = {
  '--port': { kind: 'int', key: 'port', help: 'Port to listen on (default 8000).' },
  '--host': { kind: 'str', key: 'host', help: 'Address to listen on (default: all interfaces).' },
  '--server-name': { kind: 'str', key: 'serverName', help: 'ServerName (default localhost).' },
  '--processes': {
    kind: 'int',
    key: 'processes',
    help: 'Daemon processes (default 1; giving it sets wsgi.multiprocess).',
  },
  '--threads': { kind: 'int', key: 'threads', help: 'Threads per daemon process (default 5).' },
  '--python': { kind: 'str', key: 'python', help: 'Python executable for the daemons.' },
  '--python-home': {
    kind: 'str',
    key: 'python',
    help: 'Virtualenv root (sys.prefix) for the daemons.',
  },
  '--url-alias': {
    kind: 'pair',
    key: 'urlAliases',
    help: 'URL-PATH FILE-OR-DIR: map a URL to static files.',
  },
  '--document-root': {
    kind: 'str',
    key: 'documentRoot',
    help: 'Directory of static files served at the mount point.',
  },
  '--mount-point': {
    kind: 'str',
    key: 'mountPoint',
    help: 'URL path the application is mounted at (default /).',
  },
  '--maximum-requests': {
    kind: 'int',
    key: 'maximumRequests',
    help: 'Recycle a daemon after this many requests (0 = never).',
  },
  '--reload-on-changes': {
    kind: 'flag',
    key: 'reloadOnChanges',
    help: 'Restart daemons when any loaded Python module changes.',
  },
  '--access-log': { kind: 'flag', key: 'accessLog', help: 'Write an access log.' },
  '--log-level': { kind: 'str', key: 'logLevel', help: 'Error log level (default warn).' },
  '--log-to-terminal': {
    kind: 'flag',
    key: 'logToTerminal',
    help: 'Logs to the terminal instead of files.',
  },
  '--user': { kind: 'str', key: 'user', help: 'User to run as when started as root.' },
  '--group': { kind: 'str', key: 'group', help: 'Group to run as when started as root.' },
  '--server-root': {
    kind: 'str',
    key: 'serverRoot',
    help: 'Directory for generated files and logs.',
  },
  '--working-directory': {
    kind: 'str',
    key: 'workingDirectory',
    help: 'Daemon working directory (default: the script directory).',
  },
  '--python-path': {
    kind: 'list',
    key: 'pythonPath',
    help: 'Extra directory for sys.path (repeatable).',
  },
  '--callable-object': {
    kind: 'str',
    key: 'callableObject',
    help: 'Name of the WSGI callable (default application).',
  },
  '--application-group': {
    kind: 'str',
    key: 'applicationGroup',
    help: 'Application group (default %{GLOBAL}).',
  },
  '--process-group': {
    kind: 'str',
    key: 'processGroup',
    help: 'Daemon process group name (default host:port).',
  },
  '--request-timeout': { kind: 'int', key: 'requestTimeout', help: 'Seconds (default 60).' },
  '--queue-timeout': { kind: 'int', key: 'queueTimeout', help: 'Seconds (default 45).' },
  '--connect-timeout': { kind: 'int', key: 'connectTimeout', help: 'Seconds (default 15).' },
  '--startup-timeout': { kind: 'int', key: 'startupTimeout', help: 'Seconds (default 15).' },
  '--graceful-timeout': { kind: 'int', key: 'gracefulTimeout', help: 'Seconds (default 15).' },
  '--shutdown-timeout': { kind: 'int', key: 'shutdownTimeout', help: 'Seconds (default 5).' },
  '--socket-timeout': { kind: 'int', key: 'socketTimeout', help: 'Seconds (default 60).' },
  '--limit-request-body': {
    kind: 'int',
    key: 'limitRequestBody',
    help: 'Bytes (default 10485760).',
  },
  '--keep-alive-timeout': { kind: 'int', key: 'keepAliveTimeout', help: 'Seconds (default 2).' },
  '--chunked-request': {
    kind: 'flag',
    key: 'chunkedRequest',
    help: 'Accept chunked request bodies.',
  },
  '--setenv': { kind: 'pair', key: 'setenv', help: 'NAME VALUE: set in the WSGI environ.' },
  '--include-file': {
    kind: 'list',
    key: 'includeFiles',
    help: 'Extra Apache config file to include.',
  },
  '--dump-config': {
    kind: 'flag',
    key: 'dumpConfig',
    help: 'Print the typed configuration (JSON) and exit.',
  },
  '--setup-only': {
    kind: 'flag',
    key: 'setupOnly',
    help: 'Write httpd.conf into the server root and exit.',
  },
  '--help': { kind: 'flag', key: 'help', help: 'Show this help.' },
};

const DEFAULTS: ExpressOptions = {
  script: undefined,
  port: 8000,
  host: undefined,
  serverName: undefined,
  processes: undefined,
  threads: 5,
  python: undefined,
  urlAliases: [],
  documentRoot: undefined,
  mountPoint: '/',
  maximumRequests: 0,
  reloadOnChanges: false,
  accessLog: false,
  logLevel: 'warn',
  logToTerminal: false,
  user: undefined,
  group: undefined,
  serverRoot: undefined,
  workingDirectory: undefined,
  pythonPath: [],
  callableObject: 'application',
  applicationGroup: '%{GLOBAL}',
  processGroup: undefined,
  requestTimeout: 60,
  queueTimeout: 45,
  connectTimeout: 15,
  startupTimeout: 15,
  gracefulTimeout: 15,
  shutdownTimeout: 5,
  socketTimeout: 60,
  limitRequestBody: 10485760,
  keepAliveTimeout: 2,
  chunkedRequest: false,
  setenv: [],
  includeFiles: [],
  dumpConfig: false,
  setupOnly: false,
  help: false,
};

/** Parse `start-server` arguments (after the subcommand). Accepts `--opt value` and `--opt=value`. */
export function parseExpressArgs(argv: readonly string[]): ExpressOptions {
  const out: Record<string, unknown> = { ...DEFAULTS };
  const lists: Record<string, unknown[]> = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] ?? '';
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    if (!arg.startsWith('--')) {
      if (out['script'] !== undefined) throw new UsageError(`unexpected argument '${arg}'`);
      out['script'] = arg;
      continue;
    }
    const spec = OPTIONS[arg];
    if (spec === undefined) throw new UsageError(`no such option: ${arg}`);
    const next = (): string => {
      if (inline !== undefined) {
        const v = inline;
        inline = undefined;
        return v;
      }
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} option requires an argument`);
      return v;
    };
    switch (spec.kind) {
      case 'flag':
        out[spec.key] = true;
        break;
      case 'str':
        out[spec.key] = next();
        break;
      case 'int': {
        const raw = next();
        if (!/^\d+$/.test(raw))
          throw new UsageError(`${arg} option requires an integer value, got '${raw}'`);
        out[spec.key] = Number(raw);
        break;
      }
      case 'list':
        (lists[spec.key] ??= []).push(next());
        break;
      case 'pair': {
        const a = next();
        const b = argv[++i];
        if (b === undefined) throw new UsageError(`${arg} option requires two arguments`);
        (lists[spec.key] ??= []).push([a, b] as const);
        break;
      }
    }
  }
  Object.assign(out, lists);
  const opts = out as unknown as ExpressOptions; // every key of DEFAULTS is present; values typed by OPTIONS
  if (opts.port < 1 || opts.port > 65535)
    throw new UsageError(`--port must be 1-65535, got ${opts.port}`);
  if (opts.threads < 1) throw new UsageError('--threads must be at least 1');
  if (opts.processes !== undefined && opts.processes < 1)
    throw new UsageError('--processes must be at least 1');
  if (!opts.mountPoint.startsWith('/')) throw new UsageError('--mount-point must start with /');
  return opts;
}

/** Help text generated from the option table. */
export function expressHelp(prog: string): string {
  const lines = [`Usage: ${prog} start-server [script.wsgi] [options]`, '', 'Options:'];
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const arg = spec.kind === 'pair' ? ' A B' : spec.kind === 'flag' ? '' : ' VALUE';
    lines.push(`  ${(name + arg).padEnd(30)} ${spec.help}`);
  }
  return lines.join('\n') + '\n';
}
