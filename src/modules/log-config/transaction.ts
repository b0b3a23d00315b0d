// httpd: modules/loggers/mod_log_config.c (open_config_log / open_multi_logs at
// post_config, config_log_transaction, the env= condition).
//
// Provision opens every CustomLog file once per generation (shared between servers that
// name the same file), starts every piped logger (`|program`, logging/piped-log.ts), and
// compiles its format; log_transaction writes one line.

import { lastOfChain } from '../../request/tables.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { PipedLog, pipedCommand } from '../../logging/piped-log.js';
import type { ConfigIR, ServerIR } from '../../config/ir.js';
import type { ErrorLog } from '../../logging/error-log.js';
import { compileLogFormat, STOCK_FORMATS } from '../../logging/access-log.js';
import type { CompiledFormat } from '../../logging/access-log.js';
import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { DEFAULT_LOG_FORMAT } from './config.js';
import type { CustomLogEntry, LogConfigServerConf } from './config.js';

/** An open CustomLog target: a file or a piped program. */
interface LogSink {
  write(line: string): void;
  close(): Promise<void> | void;
}

interface OpenLog {
  readonly sink: LogSink;
  readonly format: CompiledFormat;
  readonly env: CustomLogEntry['env'];
}

/** The generation's open access logs, per server. */
export class AccessLogs {
  readonly #byServer = new Map<ServerIR, OpenLog[]>();
  readonly #sinks = new Map<string, LogSink>();

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
          if (e.target.startsWith('syslog')) {
            log.log(
              'warn',
              'log_config',
              'MW00501',
              `syslog access logs are not supported, ignoring ${e.target} (${e.origin.file}:${e.origin.line})`,
            );
            continue;
          }
          const fmtSrc =
            e.format === undefined
              ? (conf?.defaultFormat ?? DEFAULT_LOG_FORMAT)
              : (conf?.formats[e.format] ?? STOCK_FORMATS[e.format] ?? e.format);
          list.push({
            sink: logs.#sink(e.target, log),
            format: compileLogFormat(fmtSrc),
            env: e.env,
          });
        }
        logs.#byServer.set(s, list);
      }
    } catch (err) {
      void logs.dispose();
      throw err;
    }
    return logs;
  }

  #sink(target: string, log: ErrorLog): LogSink {
    let sink = this.#sinks.get(target);
    if (sink === undefined) {
      const command = pipedCommand(target);
      if (command !== undefined) {
        sink = new PipedLog(target, command, (level, module, id, message) =>
          log.log(level, module, id, message),
        );
      } else {
        const fd = openSync(target, 'a');
        sink = { write: (line) => writeSync(fd, line), close: () => closeSync(fd) };
      }
      this.#sinks.set(target, sink);
    }
    return sink;
  }

  /** config_log_transaction for one finished request. */
  write(r: RequestRecord): void {
    const list = this.#byServer.get(r.server) ?? [];
    if (list.length === 0) return;
    const fin = lastOfChain(r);
    const ctx = { r, status: r.res.statusCode, endTime: Date.now() };
    for (const l of list) {
      if (l.env !== undefined && fin.env.has(l.env.name) === l.env.negate) continue;
      l.sink.write(l.format(ctx) + '\n');
    }
  }

  async dispose(): Promise<void> {
    const sinks = [...this.#sinks.values()];
    this.#sinks.clear();
    this.#byServer.clear();
    await Promise.all(sinks.map(async (s) => s.close()));
  }
}

/** log_transaction (ALL). */
export function logTransaction(r: RequestRecord, moduleName: string): Outcome {
  const st = r.generation.moduleState(moduleName);
  if (st instanceof AccessLogs) st.write(r);
  return OK;
}
