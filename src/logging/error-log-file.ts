// httpd: server/log.c (log_error_core, do_errorlog_default: the default ErrorLogFormat).
//
// The ErrorLog implementation: Apache-format lines to a file or to stderr, filtered by a
// global LogLevel and per-module overrides (`LogLevel info wsgi:debug`). Also an in-memory
// log for tests.

import { openSync, writeSync, closeSync } from 'node:fs';
import { PipedLog, pipedCommand } from './piped-log.js';
import { LOG_LEVELS } from './error-log.js';
import type { ErrorLog, LogFields, LogLevel } from './error-log.js';
import { DAYS, MONTHS, pad } from '../util/clock-names.js';

/** `Sat Nov 21 20:08:00.123456 2026` (apr_ctime with microseconds, local time). */
export function errorLogTime(d: Date, micros = 0): string {
  const us = d.getMilliseconds() * 1000 + (micros % 1000);
  return (
    `${DAYS[d.getDay()] ?? ''} ${MONTHS[d.getMonth()] ?? ''} ${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(us, 6)} ${d.getFullYear()}`
  );
}

/** LogLevel settings: the global level and per-module overrides. */
export interface LogLevelConf {
  readonly level: LogLevel;
  readonly modules?: Readonly<Record<string, LogLevel>>;
}

const rank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);

/** Format one line exactly as Apache's default ErrorLogFormat does (without the newline). */
export function formatErrorLine(
  now: Date,
  level: LogLevel,
  module: string,
  id: string,
  message: string,
  fields: LogFields | undefined,
): string {
  const pid = fields?.pid ?? process.pid;
  const status = fields?.status === undefined ? '' : ` ${fields.status}:`;
  const client = fields?.client === undefined ? '' : ` [client ${fields.client}]`;
  const prefix = id === '' ? '' : `${id}: `;
  return `[${errorLogTime(now)}] [${module}:${level}] [pid ${pid}:tid ${pid}]${status}${client} ${prefix}${message}`;
}

/** Shared level filter for the file and memory logs. */
abstract class LevelFilteredLog implements ErrorLog {
  readonly #conf: LogLevelConf;
  constructor(conf: LogLevelConf) {
    this.#conf = conf;
  }
  enabled(level: LogLevel, module: string): boolean {
    const max = this.#conf.modules?.[module] ?? this.#conf.level;
    return rank(level) <= rank(max);
  }
  log(level: LogLevel, module: string, id: string, message: string, fields?: LogFields): void {
    // httpd log.c: server-level (non-request) notice messages are always logged, whatever
    // LogLevel says (AH00489 "resuming normal operations", AH00493 graceful restart, …).
    const alwaysNotice = level === 'notice' && fields?.client === undefined;
    if (!alwaysNotice && !this.enabled(level, module)) return;
    this.write(formatErrorLine(new Date(), level, module, id, message, fields));
  }
  protected abstract write(line: string): void;
}

/**
 * ErrorLog to a file (opened in append mode at construction, i.e. at provision), to a piped
 * program (`|program`, see piped-log.ts), or to stderr when `path` is undefined. File writes
 * are synchronous, as Apache's are unbuffered. `syslog` is not supported: the log goes to
 * stderr, and says so in its first line.
 */
export class FileErrorLog extends LevelFilteredLog {
  readonly #fd: number;
  readonly #owned: boolean;
  readonly #pipe: PipedLog | undefined;
  constructor(path: string | undefined, conf: LogLevelConf) {
    super(conf);
    const command = path === undefined ? undefined : pipedCommand(path);
    const syslog = path !== undefined && /^syslog(:|$)/.test(path);
    this.#owned = path !== undefined && command === undefined && !syslog;
    this.#fd = this.#owned && path !== undefined ? openSync(path, 'a') : 2;
    this.#pipe =
      command === undefined || path === undefined
        ? undefined
        : new PipedLog(path, command, (level, module, id, message) =>
            writeSync(2, formatErrorLine(new Date(), level, module, id, message, undefined) + '\n'),
          );
    if (syslog)
      this.log('warn', 'core', 'MW00503', `ErrorLog ${path} is not supported; logging to stderr`);
  }
  protected write(line: string): void {
    if (this.#pipe !== undefined) this.#pipe.write(line + '\n');
    else writeSync(this.#fd, line + '\n');
  }
  /** Close the file (not stderr), or end the piped program's input and wait for it. */
  async close(): Promise<void> {
    if (this.#pipe !== undefined) await this.#pipe.close();
    else if (this.#owned) closeSync(this.#fd);
  }
}

/** ErrorLog kept in memory (tests, and the startup log before ErrorLog is opened). */
export class MemoryErrorLog extends LevelFilteredLog {
  readonly lines: string[] = [];
  constructor(conf: LogLevelConf = { level: 'debug' }) {
    super(conf);
  }
  protected write(line: string): void {
    this.lines.push(line);
  }
}
