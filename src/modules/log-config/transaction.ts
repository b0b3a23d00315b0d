// httpd: modules/loggers/mod_log_config.c (open_config_log / open_multi_logs at
// post_config, config_log_transaction, the env= condition).
//
// Provision opens every CustomLog file once per generation (shared between servers that
// name the same file) and compiles its format; log_transaction writes one line.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { ConfigIR, ServerIR } from '../../config/ir.js';
import type { ErrorLog } from '../../logging/error-log.js';
import { compileLogFormat, STOCK_FORMATS } from '../../logging/access-log.js';
import type { CompiledFormat } from '../../logging/access-log.js';
import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { DEFAULT_LOG_FORMAT } from './config.js';
import type { CustomLogEntry, LogConfigServerConf } from './config.js';

interface OpenLog {
  readonly fd: number;
  readonly format: CompiledFormat;
  readonly env: CustomLogEntry['env'];
}

/** The generation's open access logs, per server. */
export class AccessLogs {
  readonly #byServer = new Map<ServerIR, OpenLog[]>();
  readonly #fds = new Map<string, number>();

  /** Open every server's CustomLog targets; on failure close what was opened. */
  static open(
    ir: ConfigIR,
    slot: (s: ServerIR) => LogConfigServerConf | undefined,
    log: ErrorLog,
  ): AccessLogs {
    const logs = new AccessLogs();
    try {
      for (const s of [ir.main, ...ir.vhosts]) {
        const conf = slot(s);
        const list: OpenLog[] = [];
        for (const e of conf?.logs ?? []) {
          if (e.target.startsWith('|') || e.target.startsWith('syslog')) {
            log.log(
              'warn',
              'log_config',
              'MW00501',
              `piped and syslog access logs are not supported, ignoring ${e.target} (${e.origin.file}:${e.origin.line})`,
            );
            continue;
          }
          const fmtSrc =
            e.format === undefined
              ? (conf?.defaultFormat ?? DEFAULT_LOG_FORMAT)
              : (conf?.formats[e.format] ?? STOCK_FORMATS[e.format] ?? e.format);
          list.push({ fd: logs.#fd(e.target), format: compileLogFormat(fmtSrc), env: e.env });
        }
        logs.#byServer.set(s, list);
      }
    } catch (err) {
      logs.dispose();
      throw err;
    }
    return logs;
  }

  #fd(path: string): number {
    let fd = this.#fds.get(path);
    if (fd === undefined) {
      fd = openSync(path, 'a');
      this.#fds.set(path, fd);
    }
    return fd;
  }

  /** config_log_transaction for one finished request. */
  write(r: RequestRecord): void {
    const list = this.#byServer.get(r.server) ?? [];
    if (list.length === 0) return;
    let fin = r;
    while (fin.next !== undefined) fin = fin.next;
    const ctx = { r, status: r.res.statusCode, endTime: Date.now() };
    for (const l of list) {
      if (l.env !== undefined && fin.env.has(l.env.name) === l.env.negate) continue;
      writeSync(l.fd, l.format(ctx) + '\n');
    }
  }

  dispose(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
    this.#byServer.clear();
  }
}

/** log_transaction (ALL). */
export function logTransaction(r: RequestRecord, moduleName: string): Outcome {
  const st = r.generation.moduleState(moduleName);
  if (st instanceof AccessLogs) st.write(r);
  return OK;
}
