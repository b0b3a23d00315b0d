// httpd: modules/generators/mod_cgi.c and mod_cgid.c (cgi_cmds / cgid_cmds, the server
//        and dir configs), server/util.c (ap_timeout_parameter_parse).
//
// mod_cgi and mod_cgid share their directives (ScriptLog, ScriptLogLength,
// ScriptLogBuffer) and each has its own script timeout (CGIScriptTimeout /
// CGIDScriptTimeout); mod_cgid adds ScriptSock. tswsgi runs CGI scripts the same way
// for both (node spawns them; there is no cgid daemon), so ScriptSock is only checked.

import {
  ACCESS_CONF,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { atoi } from '../../core/config.js';

export interface CgiServerConf {
  /** ScriptLog: where failed script runs are written (absolute path). */
  scriptLog: string | undefined;
  /** ScriptLogLength: the log is not written once it is this large. */
  scriptLogLength: number | undefined;
  /** ScriptLogBuffer: how much of a PUT/POST body the log keeps. */
  scriptLogBuffer: number | undefined;
  /** ScriptSock (mod_cgid): accepted, no daemon socket is made. */
  scriptSock: string | undefined;
}

export interface CgiDirConf {
  /** CGIScriptTimeout / CGIDScriptTimeout, ms between reads of the script's output. */
  timeoutMs: number | undefined;
}

/** DEFAULT_LOGBYTES / DEFAULT_BUFBYTES. */
export const DEFAULT_LOG_BYTES = 10385760;
export const DEFAULT_BUF_BYTES = 1024;

const serverMerge: MergeSpec<CgiServerConf> = {
  scriptLog: 'override',
  scriptLogLength: 'override',
  scriptLogBuffer: 'override',
  scriptSock: 'override',
};
const dirMerge: MergeSpec<CgiDirConf> = { timeoutMs: 'override' };

/** ap_timeout_parameter_parse with default unit `s`: ms, or undefined when malformed. */
export function parseTimeoutParameter(arg: string): number | undefined {
  const m = /^\s*([+-]?\d+)(.*)$/.exec(arg);
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (n < 0) return undefined;
  const unit = m[2] === '' ? 's' : (m[2] ?? '');
  if (unit.startsWith('s')) return n * 1000;
  if (unit.startsWith('h')) return n * 3600_000;
  if (unit.startsWith('ms')) return n;
  if (unit.startsWith('mi')) return n * 60_000;
  return undefined;
}

type Which = 'cgi' | 'cgid';

/** The directive table of mod_cgi or mod_cgid. */
export function cgiDirectives(which: Which) {
  return (
    d: DirectiveBuilder<CgiServerConf, CgiDirConf>,
  ): AnyDirective<CgiServerConf, CgiDirConf>[] => {
    const timeoutName = which === 'cgi' ? 'CGIScriptTimeout' : 'CGIDScriptTimeout';
    const list: AnyDirective<CgiServerConf, CgiDirConf>[] = [
      d.take1('ScriptLog', RSRC_CONF, 'the name of a log for script debugging info', (c, v) => {
        c.server.scriptLog = c.serverRootRelative(v);
      }),
      d.take1(
        'ScriptLogLength',
        RSRC_CONF,
        'the maximum length (in bytes) of the script debug log',
        (c, v) => {
          c.server.scriptLogLength = atoi(v);
        },
      ),
      d.take1(
        'ScriptLogBuffer',
        RSRC_CONF,
        'the maximum size (in bytes) to record of a POST request',
        (c, v) => {
          c.server.scriptLogBuffer = atoi(v);
        },
      ),
      d.take1(
        timeoutName,
        RSRC_CONF | ACCESS_CONF,
        'The amount of time to wait between successful reads from the CGI script, in seconds.',
        (c, v) => {
          const ms = parseTimeoutParameter(v);
          if (ms === undefined) throw c.fail(`${timeoutName} has wrong format`);
          c.dir.timeoutMs = ms;
        },
      ),
    ];
    if (which === 'cgid')
      list.push(
        d.take1(
          'ScriptSock',
          RSRC_CONF,
          'the name of the socket to use for communication with the cgi daemon.',
          (c, v) => {
            c.requireGlobal();
            c.server.scriptSock = v;
          },
        ),
      );
    return list;
  };
}

/** The config pieces of mod_cgi or mod_cgid, to spread into its ModuleDef. */
export function cgiConfig(which: Which) {
  return {
    server: {
      create: (): CgiServerConf => ({
        scriptLog: undefined,
        scriptLogLength: undefined,
        scriptLogBuffer: undefined,
        scriptSock: undefined,
      }),
      merge: serverMerge,
    },
    dir: { create: (): CgiDirConf => ({ timeoutMs: undefined }), merge: dirMerge },
    directives: cgiDirectives(which),
  } as const;
}
