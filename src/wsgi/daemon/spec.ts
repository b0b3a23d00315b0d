// mod_wsgi: src/server/wsgi_daemon.c (WSGIProcessGroup / wsgi_add_daemon_process).
//
// What a process group is, once parsed (options.ts parses WSGIDaemonProcess into this;
// embedded mode is a group named '' sized from the MPM directives). The supervisor
// (supervisor.ts) consumes it and nothing else.

export interface DaemonGroupSpec {
  /** Group name; '' = embedded mode (the server-owned interpreters). */
  readonly name: string;
  readonly processes: number;
  /** `processes=` was written explicitly (makes wsgi.multiprocess True even for 1). */
  readonly processesExplicit: boolean;
  readonly threads: number;
  /** Run as this user/group (names or #uid); undefined = the server's User/Group. */
  readonly user: string | undefined;
  readonly group: string | undefined;
  /** Working directory of the worker. */
  readonly home: string | undefined;
  /** A virtualenv root (sys.prefix) or a Python executable. */
  readonly pythonHome: string | undefined;
  readonly pythonPath: readonly string[];
  /** Process title; '%{GROUP}' already expanded to '(wsgi:name)'. */
  readonly displayName: string | undefined;
  readonly lang: string | undefined;
  readonly locale: string | undefined;
  /**
   * tswsgi extension (`reload-on-changes=On`, what mod_wsgi-express --reload-on-changes
   * does in its handler script): restart a worker when any module it loaded changes.
   */
  readonly reloadOnChanges: boolean;
  /** 0 = never recycle. */
  readonly maximumRequests: number;
  /** Seconds; 0 = off. */
  readonly restartInterval: number;
  readonly inactivityTimeout: number;
  readonly requestTimeout: number;
  readonly startupTimeout: number;
  readonly gracefulTimeout: number;
  readonly shutdownTimeout: number;
  readonly queueTimeout: number;
  readonly connectTimeout: number;
  readonly socketTimeout: number;
  /** `umask=` (octal, already parsed); undefined = inherited from the server. */
  readonly umask?: number | undefined;
  /** `supplementary-groups=` names (or #gid); undefined = initgroups() of the user. */
  readonly supplementaryGroups?: readonly string[] | undefined;
  /** `send-buffer-size=` (SO_SNDBUF of the worker's channel end); 0 = the OS default. */
  readonly sendBufferSize?: number | undefined;
  /** `receive-buffer-size=` (SO_RCVBUF of the worker's channel end); 0/undefined = the OS default. */
  readonly receiveBufferSize?: number | undefined;
  /** `stack-size=` bytes for request threads (threading.stack_size); 0/undefined = default. */
  readonly stackSize?: number | undefined;
  /** `cpu-time-limit=` seconds (RLIMIT_CPU); 0/undefined = none. */
  readonly cpuTimeLimit?: number | undefined;
  /** `cpu-priority=` nice value (setpriority); 0/undefined = unchanged. */
  readonly cpuPriority?: number | undefined;
  /** `memory-limit=` bytes (RLIMIT_DATA); 0/undefined = none. */
  readonly memoryLimit?: number | undefined;
  /** `virtual-memory-limit=` bytes (RLIMIT_AS); 0/undefined = none. */
  readonly virtualMemoryLimit?: number | undefined;
  /** `script-user=` / `script-group=`: required owner of the script file and its directory. */
  readonly scriptUser?: string | undefined;
  readonly scriptGroup?: string | undefined;
  /** `server-metrics=` (WSGIServerMetrics for the embedded group): server_metrics() answers. */
  readonly serverMetrics?: boolean | undefined;
  /** `newrelic-config-file=` (WSGINewRelicConfigFile for the embedded group). */
  readonly newrelicConfigFile?: string | undefined;
  /** `newrelic-environment=` (WSGINewRelicEnvironment for the embedded group). */
  readonly newrelicEnvironment?: string | undefined;
  /** Scripts to import at process start (WSGIImportScript, or alias with both groups set). */
  readonly preload: readonly {
    readonly script: string;
    readonly callable: string;
    readonly applicationGroup: string;
  }[];
  readonly origin: { readonly file: string; readonly line: number };
}
