// httpd: docs/log-message-tags (the AH##### registry) — tswsgi's own MW##### ids.
//
// Every MW id that src/ logs, with the module it is logged under, its level and a one-line
// summary. STYLE.md §3 do-10: ids are stable, never reused; catalog.test.ts checks that the
// code and this table agree, and docs/errors.md is generated from it (catalog-doc.ts).
// Apache's own AH##### ids (reused where tswsgi mimics an Apache message) are not listed.
//
// Ranges (the second and third digits name the area):
//   MW000xx  core: server lifecycle, privileges, reload (src/server)
//   MW001xx  mod_wsgi handler (src/modules/wsgi)
//   MW002xx  WSGI daemon processes and dispatch (src/wsgi); MW00205 is a core message kept
//            where it was first given out, so log greps keep working
//   MW003xx  HTTP front end (src/http)
//   MW004xx  command line (src/cli) — none yet
//   MW005xx  other modules (src/modules/*): log_config (MW0050x), authn_file (MW0051x)
// Retired ids stay retired: never give an id that was once used to a new message.

import type { LogLevel } from './error-log.js';

/** One catalog entry: where a message is logged from and what it means. */
export interface MessageInfo {
  /** The module name in the log line's `[module:level]` tag. */
  readonly module: string;
  /** The level it is logged at (the usual one, for a message whose level varies). */
  readonly level: LogLevel;
  /** What the message reports, in one line. */
  readonly summary: string;
  /** True for a message deliberately logged from more than one call site. */
  readonly shared?: true;
}

/** Every MW message id, id → module, level, summary (sorted by id). */
export const MESSAGES = {
  MW00001: {
    module: 'core',
    level: 'notice',
    summary:
      'Start-up privileges: the front end now runs as User[:Group], or stays root for a daemon group that runs as another user.',
  },
  MW00002: {
    module: 'core',
    level: 'error',
    summary: 'Disposing of a retired or stopped server generation failed.',
    shared: true,
  },
  MW00101: {
    module: 'wsgi',
    level: 'error',
    summary: 'Target WSGI script not found or unable to stat (404).',
  },
  MW00102: {
    module: 'wsgi',
    level: 'error',
    summary: 'Attempt to invoke a directory as a WSGI application (403).',
  },
  MW00103: {
    module: 'wsgi',
    level: 'error',
    summary: "Unexpected Transfer-Encoding value; only 'chunked' is supported (501).",
  },
  MW00104: {
    module: 'wsgi',
    level: 'error',
    summary: 'Chunked request body received but WSGIChunkedRequest is not On (411).',
  },
  MW00105: {
    module: 'wsgi',
    level: 'error',
    summary: 'Invalid Content-Length header value (400).',
  },
  MW00106: {
    module: 'wsgi',
    level: 'error',
    summary: 'No WSGI daemon process group of the requested name is configured (500).',
  },
  MW00107: {
    module: 'wsgi',
    level: 'error',
    summary: 'Embedded mode disabled by WSGIRestrictEmbedded (500).',
  },
  MW00108: {
    module: 'wsgi',
    level: 'error',
    summary: 'The WSGI runtime was not provisioned for this generation (500).',
  },
  MW00109: {
    module: 'wsgi',
    level: 'error',
    summary:
      "The WSGI script file or its directory fails the group's script-user/script-group ownership check (403).",
  },
  MW00110: {
    module: 'wsgi',
    level: 'error',
    summary:
      'A script reached through SetHandler/AddHandler (not WSGIScriptAlias) where Options does not include ExecCGI (403).',
  },
  MW00111: {
    module: 'wsgi',
    level: 'error',
    summary: 'AcceptPathInfo Off and the request has path info beyond the WSGI script (404).',
  },
  MW00112: {
    module: 'wsgi',
    level: 'error',
    summary: 'The selected process group is not one WSGIRestrictProcess allows here (500).',
  },
  MW00113: {
    module: 'wsgi',
    level: 'error',
    summary:
      'The WSGIDispatchScript could not answer (a hook raised or returned a non-string, or no worker) (500).',
  },
  MW00114: {
    module: 'wsgi',
    level: 'error',
    summary:
      'A WSGIAuthUserScript, WSGIAuthGroupScript or WSGIAccessScript could not be run (no embedded worker, or the worker failed); the check fails.',
    shared: true,
  },
  MW00115: {
    module: 'wsgi',
    level: 'error',
    summary:
      'AuthBasicProvider wsgi or Require wsgi-group is used where no WSGIAuthUserScript / WSGIAuthGroupScript is configured (mod_wsgi\'s "Location of WSGI … script not provided.").',
    shared: true,
  },
  MW00116: {
    module: 'wsgi',
    level: 'error',
    summary:
      "Require wsgi-group refused the user: groups_for_user() named no groups, or none of the required ones (mod_wsgi's message).",
  },
  MW00117: {
    module: 'wsgi',
    level: 'error',
    summary:
      'WSGIAccessScript: allow_access() returned False (or failed), so the client is refused with 403 (mod_wsgi\'s "Client denied by server configuration").',
  },
  MW00201: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process could not be started (the Python executable failed to spawn).',
  },
  MW00202: {
    module: 'wsgi',
    level: 'error',
    summary: "A line a daemon process wrote to its stderr, logged as is with the daemon's pid.",
  },
  MW00203: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process broke the wire protocol and is being killed.',
  },
  MW00204: {
    module: 'wsgi',
    level: 'error',
    summary:
      'A wsgi.errors / logging line from the application, at the level the worker sent (error if unknown).',
  },
  MW00205: {
    module: 'core',
    level: 'error',
    summary: 'A graceful reload failed; the running configuration is kept.',
  },
  MW00210: {
    module: 'wsgi',
    level: 'info',
    summary: 'A WSGI script file changed; its daemon process is restarted (script reloading).',
  },
  MW00211: {
    module: 'wsgi',
    level: 'info',
    summary: 'A daemon process reached maximum-requests and is recycled.',
  },
  MW00212: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process of a group failed to start; retrying after a back-off delay.',
  },
  MW00213: {
    module: 'wsgi',
    level: 'info',
    summary: 'Starting a daemon process of a group.',
  },
  MW00214: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process exited unexpectedly; a replacement is started.',
  },
  MW00215: {
    module: 'wsgi',
    level: 'info',
    summary: 'A daemon process exited after it was stopped or retired.',
  },
  MW00216: {
    module: 'wsgi',
    level: 'info',
    summary: 'A daemon process is ready (Python version, executable, application group).',
  },
  MW00217: {
    module: 'wsgi',
    level: 'warn',
    summary: 'A daemon process still runs after SHUTDOWN; sending SIGTERM.',
  },
  MW00218: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process ignored SIGTERM for the grace period; sending SIGKILL.',
  },
  MW00219: {
    module: 'wsgi',
    level: 'info',
    summary: 'A daemon process is past restart-interval; replacing it.',
  },
  MW00220: {
    module: 'wsgi',
    level: 'error',
    summary: 'Rendering the error page (ErrorDocument) for a failed WSGI request failed.',
  },
  MW00221: {
    module: 'wsgi',
    level: 'error',
    summary: 'Invalid response (status or headers) from a daemon process.',
  },
  MW00222: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process ended the response without a status (500).',
  },
  MW00223: {
    module: 'wsgi',
    level: 'error',
    summary: 'A request failed in the daemon process group before the response started.',
  },
  MW00224: {
    module: 'wsgi',
    level: 'error',
    summary: 'A response failed after it started; the client connection is aborted.',
  },
  MW00225: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process died while handling a request (502 if nothing was sent yet).',
  },
  MW00226: {
    module: 'wsgi',
    level: 'error',
    summary: 'No daemon process could take the request (queue full, timeout, group stopping).',
  },
  MW00227: {
    module: 'wsgi',
    level: 'error',
    summary:
      'A request exceeded request-timeout (504 before the response starts, else the client is aborted).',
    shared: true,
  },
  MW00228: {
    module: 'wsgi',
    level: 'error',
    summary:
      'A daemon process still runs a request past request-timeout + graceful-timeout; restarting it.',
  },
  MW00229: {
    module: 'wsgi',
    level: 'info',
    summary: 'A daemon process was idle past inactivity-timeout; stopping it.',
  },
  MW00230: {
    module: 'wsgi',
    level: 'error',
    summary: 'A daemon process missed its heartbeat and is presumed hung: SIGABRT, then SIGKILL.',
  },
  MW00231: {
    module: 'wsgi',
    level: 'info',
    summary:
      'A daemon process said it is stopping by itself (reload-on-changes, cpu-time-limit); it gets no new requests and a replacement is started.',
  },
  MW00232: {
    module: 'wsgi',
    level: 'error',
    summary:
      'Under WSGIErrorOverride the app failed while its error body was discarded; its status is still answered.',
  },
  MW00233: {
    module: 'wsgi',
    level: 'error',
    summary:
      "Serving a daemon-mode app's internal redirect (200 + local Location) failed unexpectedly (500).",
  },
  MW00234: {
    module: 'wsgi',
    level: 'error',
    summary:
      "mod_reqtimeout's body deadline passed while the request body was going to the app (mod_wsgi's wording): the app's reads fail, the client gets 408.",
  },
  MW00235: {
    module: 'wsgi',
    level: 'error',
    summary:
      "socket-timeout passed with no response head from the daemon process (mod_wsgi's wording); the client gets 504.",
  },
  MW00236: {
    module: 'wsgi',
    level: 'error',
    summary:
      "socket-timeout passed with no response data from the daemon process after the response started (mod_wsgi's wording); the response is cut short (no last chunk).",
  },
  MW00301: {
    module: 'core',
    level: 'error',
    summary: 'Unexpected error while processing a request (500, or the connection is dropped).',
  },
  MW00302: {
    module: 'core',
    level: 'error',
    summary: 'A log_transaction hook (access logging) failed.',
  },
  MW00303: {
    module: 'core',
    level: 'debug',
    summary: 'A client error on the connection (malformed request); answered 400.',
  },
  MW00304: {
    module: 'core',
    level: 'warn',
    summary:
      'A busy listener could not get its extra accept handles (the helper process failed); it goes on accepting one connection per event-loop iteration.',
  },
  MW00305: {
    module: 'core',
    level: 'debug',
    summary:
      'A busy listener now accepts through extra handles of its socket (more than one new connection per event-loop iteration).',
  },
  MW00501: {
    module: 'log_config',
    level: 'warn',
    summary: 'Syslog access logs are not supported; the log is ignored.',
  },
  MW00502: {
    module: 'core',
    level: 'warn',
    summary:
      'A piped log program is not running (or not reading) and 1 MiB of log lines are waiting for it; later lines are dropped until it takes them again.',
  },
  MW00503: {
    module: 'core',
    level: 'warn',
    summary: 'ErrorLog syslog is not supported; the error log goes to stderr.',
  },
  MW00511: {
    module: 'authn_file',
    level: 'error',
    summary:
      'A password file entry uses a hash format tswsgi cannot check (e.g. yescrypt); the login is refused (401).',
  },
  MW00560: {
    module: 'core',
    level: 'error',
    summary:
      'An output filter (e.g. DEFLATE) failed while transforming a response body; the connection is closed.',
  },
  MW00580: {
    module: 'wsgi',
    level: 'error',
    summary:
      "The scoreboard for a worker's mod_wsgi.server_metrics() could not be built; the worker gets None.",
  },
} as const satisfies Readonly<Record<string, MessageInfo>>;

/** A catalogued message id. */
export type MessageId = keyof typeof MESSAGES;

/** The shape of the MW id pattern: MW and five digits. */
export const MESSAGE_ID_PATTERN = /^MW\d{5}$/;
