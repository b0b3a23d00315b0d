// httpd: modules/loggers/mod_log_config.c (config_log_cmds, log_format, add_custom_log,
//        set_transfer_log, make/merge_config_log_state).
//
// LogFormat / CustomLog / TransferLog. Formats stay as strings here; provision compiles
// them (STYLE.md avoid-2).

import {
  RSRC_CONF,
  type AnyDirective,
  type Cmd,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { Origin } from '../../config/ir.js';
import { compileLogFormat } from '../../logging/access-log.js';
import type { MergeSpec } from '../../config/merge.js';

/** httpd's built-in default format when no LogFormat without nickname is given. */
export const DEFAULT_LOG_FORMAT = '%h %l %u %t "%r" %>s %b';

export interface CustomLogEntry {
  /** File (ServerRoot-relative resolved) or `|pipe`. */
  readonly target: string;
  /** A format string, or undefined = the default format. Nicknames are resolved at provision. */
  readonly format: string | undefined;
  /** `env=[!]name` condition. */
  readonly env: { readonly name: string; readonly negate: boolean } | undefined;
  /** `expr=…` condition source. */
  readonly expr: string | undefined;
  readonly origin: Origin;
}

export interface LogConfigServerConf {
  /** Nickname → format string (LogFormat fmt nickname). */
  formats: Readonly<Record<string, string>>;
  /** LogFormat without nickname: the default format for TransferLog/CustomLog-less logs. */
  defaultFormat: string | undefined;
  /** This server's logs; a vhost with none inherits the main server's (merge_config_log_state). */
  logs: readonly CustomLogEntry[] | undefined;
}

export const logConfigServerMerge: MergeSpec<LogConfigServerConf> = {
  formats: (b, o) => ({ ...b, ...o }),
  defaultFormat: 'override',
  logs: 'override',
};

export const createLogConfigServer = (): LogConfigServerConf => ({
  formats: {},
  defaultFormat: undefined,
  logs: undefined,
});

type C = Cmd<LogConfigServerConf, undefined>;

function target(c: C, t: string): string {
  return t.startsWith('|') || t.startsWith('syslog') ? t : c.serverRootRelative(t);
}

/** parse_log_string at configuration time: a bad format is a syntax error with its line. */
function checkFormat(c: C, fmt: string): void {
  try {
    compileLogFormat(fmt);
  } catch (e) {
    throw c.fail(e instanceof Error ? e.message : String(e));
  }
}

function addLog(c: C, file: string, format: string | undefined, cond: string | undefined): void {
  // A format with no '%' is a nickname (resolved when the logs open).
  if (format?.includes('%') === true) checkFormat(c, format);
  let env: CustomLogEntry['env'];
  let expr: string | undefined;
  if (cond !== undefined) {
    if (cond.toLowerCase().startsWith('env=')) {
      const v = cond.slice(4);
      env = v.startsWith('!') ? { name: v.slice(1), negate: true } : { name: v, negate: false };
    } else if (cond.toLowerCase().startsWith('expr=')) {
      expr = cond.slice(5);
    } else {
      throw c.fail('error in condition clause');
    }
  }
  const entry: CustomLogEntry = {
    target: target(c, file),
    format,
    env,
    expr,
    origin: { file: c.node.file, line: c.node.line },
  };
  c.server.logs = [...(c.server.logs ?? []), entry];
}

/** mod_log_config's directive table. */
export function logConfigDirectives(
  d: DirectiveBuilder<LogConfigServerConf, undefined>,
): AnyDirective<LogConfigServerConf, undefined>[] {
  return [
    d.take23(
      'CustomLog',
      RSRC_CONF,
      'a file name, a custom log format string or format name, and an optional "env=" or "expr=" clause (see docs)',
      (c, file, fmt, cond) => {
        addLog(c, file, fmt, cond);
      },
    ),
    d.take1('TransferLog', RSRC_CONF, 'the filename of the access log', (c, file) => {
      addLog(c, file, undefined, undefined);
    }),
    d.take12(
      'LogFormat',
      RSRC_CONF,
      'a log format string (see docs) and an optional format name',
      (c, fmt, nick) => {
        if (nick !== undefined || fmt.includes('%')) checkFormat(c, fmt);
        if (nick !== undefined) {
          c.server.formats = { ...c.server.formats, [nick]: fmt };
        } else {
          // A single argument that is a nickname selects that format as the default.
          c.server.defaultFormat =
            !fmt.includes('%') && c.server.formats[fmt] !== undefined ? c.server.formats[fmt] : fmt;
        }
      },
    ),
  ];
}

/** mod_log_config's config pieces, to spread into its ModuleDef. */
export const logConfigConfig = {
  server: { create: createLogConfigServer, merge: logConfigServerMerge },
  directives: logConfigDirectives,
} as const;
