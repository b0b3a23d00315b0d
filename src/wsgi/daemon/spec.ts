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
  /** Scripts to import at process start (WSGIImportScript, or alias with both groups set). */
  readonly preload: readonly {
    readonly script: string;
    readonly callable: string;
    readonly applicationGroup: string;
  }[];
  readonly origin: { readonly file: string; readonly line: number };
}
