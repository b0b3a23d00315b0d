// mod_wsgi: src/server/mod_wsgi.c wsgi_add_daemon_process (4.9.4): the option names, their
// checks and error texts; mod_wsgi-express: src/express/options.py (production defaults).
//
// The WSGIDaemonProcess `key=value` option table, one row per option (name, converter,
// default, doc), in the style of gunicorn's `Setting` and waitress's `adjustments._params`.
// options.ts parses the directive with it.

import type { DaemonGroupSpec } from './spec.js';
import { buffer, int, parseInteger, str } from './option-converters.js';

/** A DaemonGroupSpec under construction (every field writable). */
export type DaemonSpecBuilder = { -readonly [K in keyof DaemonGroupSpec]: DaemonGroupSpec[K] } & {
  preload: DaemonGroupSpec['preload'][number][];
};

/** One row of the option table. `apply` returns an error message or undefined. */
export interface DaemonOption {
  readonly name: string;
  /** The default, as documented (for docs/directives.md and `--help`). */
  readonly defaultDoc: string;
  readonly doc: string;
  /** True when tswsgi acts on the value; false = validated and recorded only. */
  readonly implemented: boolean;
  apply(
    spec: DaemonSpecBuilder,
    value: string,
    ignored: Record<string, string>,
  ): string | undefined;
}

// ---------------------------------------------------------------------------------------
// the table

/** Every WSGIDaemonProcess option mod_wsgi 4.9 accepts, in its source order. */
/**
 * The worker's SO_SNDBUF when `send-buffer-size` is not given (the kernel doubles it, up to
 * net.core.wmem_max). With the OS default (208 KiB) a 1 MiB response crossed the channel in
 * 64 KiB reads: three times the reads and client writes (benchmarks/http, 1 MiB GET).
 */
export const DEFAULT_SEND_BUFFER = 1 << 20;

export const DAEMON_OPTIONS: readonly DaemonOption[] = [
  {
    name: 'user',
    defaultDoc: 'the server User',
    doc: 'Run the group as this user (name or #uid); needs the server to start as root.',
    implemented: true,
    apply(spec, value) {
      if (value === '') return 'Invalid user for WSGI daemon process.';
      if (value === 'root' || /^#0+$/.test(value))
        return 'WSGI process blocked from running as root.';
      spec.user = value;
      return undefined;
    },
  },
  {
    name: 'group',
    defaultDoc: 'the server Group',
    doc: 'Run the group with this group (name or #gid).',
    implemented: true,
    apply(spec, value) {
      if (value === '') return 'Invalid group for WSGI daemon process.';
      spec.group = value;
      return undefined;
    },
  },
  {
    name: 'supplementary-groups',
    defaultDoc: "the user's groups (initgroups)",
    doc: "Comma-separated groups (names or #gid) the workers get instead of the user's own supplementary groups; applied when the server runs as root. An unknown group stops the server from starting.",
    implemented: true,
    apply(spec, value) {
      spec.supplementaryGroups = value.split(',').filter((g) => g !== '');
      return undefined;
    },
  },
  {
    name: 'processes',
    defaultDoc: '1',
    doc: 'Number of worker processes. Giving it at all (even 1) makes wsgi.multiprocess True.',
    implemented: true,
    apply(spec, value) {
      const n = parseInteger(value);
      if (value === '' || n === undefined || n < 1)
        return 'Invalid process count for WSGI daemon process.';
      spec.processes = n;
      spec.processesExplicit = true;
      return undefined;
    },
  },
  {
    name: 'threads',
    defaultDoc: '15',
    doc: 'Request threads per process (0 = a service-script process).',
    implemented: true,
    apply(spec, value) {
      const n = parseInteger(value);
      if (value === '' || n === undefined || n < 0 || n >= 0xffff - 1) {
        return 'Invalid thread count for WSGI daemon process.';
      }
      spec.threads = n;
      return undefined;
    },
  },
  {
    name: 'umask',
    defaultDoc: 'inherited',
    doc: 'Octal umask of the workers, set after the user switch (os.umask).',
    implemented: true,
    apply(spec, value) {
      if (!/^[0-7]+$/.test(value)) return 'Invalid umask for WSGI daemon process.';
      spec.umask = Number.parseInt(value, 8);
      return undefined;
    },
  },
  {
    name: 'chroot',
    defaultDoc: 'unset',
    doc: 'Deprecated chroot directory. Out of scope: recorded only.',
    implemented: false,
    apply(_spec, value, ignored) {
      if (!value.startsWith('/')) return 'Invalid chroot directory for WSGI daemon process.';
      ignored['chroot'] = value;
      return undefined;
    },
  },
  {
    name: 'home',
    defaultDoc: 'the server working directory',
    doc: 'Initial working directory of the workers.',
    implemented: true,
    apply(spec, value) {
      if (!value.startsWith('/')) return 'Invalid home directory for WSGI daemon process.';
      spec.home = value;
      return undefined;
    },
  },
  str('lang', 'lang', 'LANG for the workers (default C.UTF-8; express uses en_US.UTF-8).'),
  str('locale', 'locale', 'LC_ALL for the workers (default C.UTF-8).'),
  str('python-home', 'pythonHome', 'A virtualenv root (sys.prefix) or a Python executable.'),
  {
    name: 'python-path',
    defaultDoc: 'none',
    doc: 'Colon-separated directories added with site.addsitedir(), in front of sys.path.',
    implemented: true,
    apply(spec, value) {
      spec.pythonPath = value.split(':').filter((p) => p !== '');
      return undefined;
    },
  },
  str('python-eggs', null, 'PYTHON_EGG_CACHE. Recorded only (eggs are obsolete).'),
  int(
    'stack-size',
    'stack size',
    'stackSize',
    0,
    'Stack size in bytes of the request threads (threading.stack_size; Python needs at least 32768).',
    1,
  ),
  int(
    'maximum-requests',
    'request count',
    'maximumRequests',
    0,
    'Recycle a process after N requests (0 = never).',
  ),
  int(
    'startup-timeout',
    'startup timeout',
    'startupTimeout',
    15,
    'Seconds for the first script load before a restart.',
  ),
  int(
    'shutdown-timeout',
    'shutdown timeout',
    'shutdownTimeout',
    5,
    'Seconds allowed for a worker to exit before SIGKILL.',
  ),
  int(
    'deadlock-timeout',
    'deadlock timeout',
    null,
    60,
    'GIL deadlock detection. Recorded only (the supervisor heartbeat covers it).',
  ),
  int(
    'inactivity-timeout',
    'inactivity timeout',
    'inactivityTimeout',
    0,
    'Recycle after this many idle seconds (0 = off).',
  ),
  int(
    'request-timeout',
    'request timeout',
    'requestTimeout',
    60,
    'Fail-safe for wedged requests, seconds (0 = off).',
  ),
  int(
    'graceful-timeout',
    'graceful timeout',
    'gracefulTimeout',
    15,
    'Drain window when recycling, seconds.',
  ),
  int(
    'eviction-timeout',
    'eviction timeout',
    null,
    0,
    'Drain window on a graceful server restart. Recorded only (graceful-timeout is used).',
  ),
  int(
    'restart-interval',
    'restart interval',
    'restartInterval',
    0,
    'Recycle after this many seconds of uptime (0 = off).',
  ),
  int(
    'connect-timeout',
    'connect timeout',
    'connectTimeout',
    15,
    'Seconds to wait for a free worker before 503.',
  ),
  int(
    'socket-timeout',
    'socket timeout',
    'socketTimeout',
    60,
    'Seconds a request may pass nothing to or from its worker (504 before the response starts, cut short after; 0 = no limit); also the heartbeat deadline.',
  ),
  int(
    'queue-timeout',
    'queue timeout',
    'queueTimeout',
    45,
    'A request queued longer than this gets 504 without running the app.',
  ),
  int(
    'listen-backlog',
    'listen backlog',
    null,
    100,
    'Queue length. Recorded only: tswsgi queues in the front end.',
  ),
  {
    name: 'display-name',
    defaultDoc: '%{GROUP}',
    doc: "Process title; '%{GROUP}' gives '(wsgi:<name>)'.",
    implemented: true,
    apply(spec, value) {
      spec.displayName = value === '%{GROUP}' ? `(wsgi:${spec.name})` : value;
      return undefined;
    },
  },
  // SO_SNDBUF/SO_RCVBUF, as mod_wsgi sets them on its listener socket. Unset, the send
  // buffer is DEFAULT_SEND_BUFFER (applied by spawn-config.ts workerConfig).
  buffer(
    'send-buffer-size',
    'send buffer size',
    'Send buffer size',
    512,
    'system default',
    'sendBufferSize',
    String(DEFAULT_SEND_BUFFER),
  ),
  buffer(
    'receive-buffer-size',
    'receive buffer size',
    'Receive buffer size',
    512,
    'system default',
    'receiveBufferSize',
  ),
  buffer('header-buffer-size', 'header buffer size', 'Header buffer size', 8192, 'default'),
  buffer('response-buffer-size', 'response buffer size', 'Response buffer size', 65536, 'default'),
  int(
    'response-socket-timeout',
    'response socket timeout',
    null,
    0,
    'Client write timeout on forced flush. Recorded only.',
  ),
  str(
    'socket-user',
    null,
    'Owner of the listener socket. Recorded only: tswsgi has no listener socket.',
  ),
  str(
    'script-user',
    'scriptUser',
    'The script file and its directory must be owned by this user and not group/world-writable, else 403.',
  ),
  str(
    'script-group',
    'scriptGroup',
    'The script file and its directory must have this group and not be world-writable, else 403.',
  ),
  int(
    'cpu-time-limit',
    'CPU time limit',
    'cpuTimeLimit',
    0,
    'RLIMIT_CPU seconds per worker (0 = none); on SIGXCPU the worker drains and is replaced.',
  ),
  int(
    'cpu-priority',
    'CPU priority',
    'cpuPriority',
    0,
    'nice value of the workers (setpriority, before the user switch; 0 = unchanged).',
    -Infinity,
  ),
  int('memory-limit', 'memory limit', 'memoryLimit', 0, 'RLIMIT_DATA bytes per worker (0 = none).'),
  int(
    'virtual-memory-limit',
    'virtual memory limit',
    'virtualMemoryLimit',
    0,
    'RLIMIT_AS bytes per worker (0 = none).',
  ),
  {
    // Not a mod_wsgi option: mod_wsgi rejects it. tswsgi's express mode writes it for
    // --reload-on-changes (mod_wsgi-express does the same inside its generated handler).
    name: 'reload-on-changes',
    defaultDoc: 'Off',
    doc: 'tswsgi extension: restart a worker when any Python module it loaded changes on disk.',
    implemented: true,
    apply(spec, value) {
      if (!/^(on|off)$/i.test(value))
        return 'Invalid reload-on-changes flag for WSGI daemon process.';
      spec.reloadOnChanges = value.toLowerCase() === 'on';
      return undefined;
    },
  },
  {
    name: 'server-metrics',
    defaultDoc: 'Off',
    doc: "On: the group's mod_wsgi.server_metrics() reports the scoreboard (mod_status's: the front end's request slots); Off: it returns None.",
    implemented: true,
    apply(spec, value) {
      if (!/^(on|off)$/i.test(value)) return 'Invalid server metrics flag for WSGI daemon process.';
      spec.serverMetrics = value.toLowerCase() === 'on';
      return undefined;
    },
  },
  str(
    'newrelic-config-file',
    'newrelicConfigFile',
    "New Relic agent config file: the group's workers import newrelic.agent at start, call initialize(file, environment) and wrap each request's application (mod_wsgi 4.9; removed in 6).",
  ),
  str(
    'newrelic-environment',
    'newrelicEnvironment',
    'The environment passed to the New Relic agent with newrelic-config-file=.',
  ),
];
