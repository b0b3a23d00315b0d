// httpd: server/log.c (ap_log_error / ap_log_rerror), LogLevel per module.
//
// The interface every part of the server logs through. The file/stderr implementation
// lives in logging/error-log-file.ts; tests use an in-memory one.

/** Apache's log levels, most severe first (LogLevel accepts these names). */
export const LOG_LEVELS = [
  'emerg',
  'alert',
  'crit',
  'error',
  'warn',
  'notice',
  'info',
  'debug',
  'trace1',
  'trace2',
  'trace3',
  'trace4',
  'trace5',
  'trace6',
  'trace7',
  'trace8',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogFields {
  /** `[client 127.0.0.1:50000]` decoration, as ap_log_rerror adds. */
  readonly client?: string;
  /** Process id to show instead of the front end's (e.g. a daemon's). */
  readonly pid?: number;
  /** APR status text, `(13)Permission denied`: httpd prints it before the client. */
  readonly status?: string;
}

export interface ErrorLog {
  /**
   * Log a line as Apache formats it:
   * `[Sat Nov 21 20:08:00.123456 2026] [wsgi:error] [pid 123] [client 1.2.3.4:5] AH00001: msg`.
   * `module` is the module name (`core`, `wsgi`, …); `id` the message id (`MW00001`).
   */
  log(level: LogLevel, module: string, id: string, message: string, fields?: LogFields): void;
  /** True if `level` for `module` would be written (to skip building costly messages). */
  enabled(level: LogLevel, module: string): boolean;
}
