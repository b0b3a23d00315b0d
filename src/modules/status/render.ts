// httpd: modules/generators/mod_status.c (status_handler's HTML and ?auto output,
//        format_byte_out, format_kbyte_out, show_time).
//
// The page is rendered from a Snapshot, so what it says is testable without a server.
// tswsgi's front end is one event-loop process: it is the one "process" row; its
// "workers" are MaxRequestWorkers slots, a request in flight taking one (W), the others
// waiting (_); kept-alive connections hold no slot, as in the event MPM.

import { escapeHtml } from '../../http/die.js';
import { strftime } from '../../logging/log-time.js';

const KBYTE = 1024;
const MBYTE = 1048576;
/** Scoreboard characters per line in the HTML page (STATUS_MAXLINE). */
const STATUS_MAXLINE = 64;
/** DEFAULT_TIME_FORMAT. */
const TIME_FORMAT = '%A, %d-%b-%Y %H:%M:%S %Z';

/** One request in flight, for the extended table. */
export interface BusySlot {
  /** Requests on its connection so far, this one included. */
  readonly connAccesses: number;
  /** Seconds since the request began. */
  readonly seconds: number;
  readonly client: string;
  /** `http/1.1`. */
  readonly protocol: string;
  /** `name:port` of the virtual host. */
  readonly vhost: string;
  /** The request line, as the log shows it. */
  readonly request: string;
  /** Response body bytes sent so far. */
  readonly bytes: number;
}

/** Everything the page shows, read at one instant. */
export interface Snapshot {
  /** ap_get_server_name(r). */
  readonly serverName: string;
  /** r->connection->local_ip. */
  readonly localIp: string;
  readonly version: string;
  readonly built: string;
  readonly now: number;
  readonly restartTime: number;
  readonly configGeneration: number;
  readonly mpmGeneration: number;
  readonly load: readonly [number, number, number];
  /** ExtendedStatus: the counters below are kept and shown. */
  readonly extended: boolean;
  readonly accesses: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** CPU seconds: user, system, reaped children's user and system. */
  readonly cpu: readonly [number, number, number, number];
  readonly pid: number;
  /** MaxRequestWorkers: the slots. */
  readonly slots: number;
  readonly busy: readonly BusySlot[];
  readonly connections: number;
  readonly keepAlive: number;
  /** Old generations still finishing their requests (graceful restart). */
  readonly stopping: number;
}

/** What the query string asked for (status_options: strstr anywhere in r->args). */
export interface StatusOptions {
  /** `refresh[=N]`: the Refresh header value (N < 1 or missing: 10). */
  readonly refresh: number | undefined;
  readonly notable: boolean;
  readonly auto: boolean;
}

/** Parse r->args as status_handler does. */
export function statusOptions(args: string): StatusOptions {
  let refresh: number | undefined;
  const at = args.indexOf('refresh');
  if (at >= 0) {
    const rest = args.slice(at + 'refresh'.length);
    const t = rest.startsWith('=') ? Number.parseInt(rest.slice(1), 10) : 0;
    refresh = Number.isFinite(t) && t >= 1 ? t : 10;
  }
  return { refresh, notable: args.includes('notable'), auto: args.includes('auto') };
}

/** show_time: " 1 day 2 hours 3 minutes 4 seconds", zero parts left out. */
export function showTime(tsecs: number): string {
  const secs = tsecs % 60;
  const mins = Math.floor(tsecs / 60) % 60;
  const hrs = Math.floor(tsecs / 3600) % 24;
  const days = Math.floor(tsecs / 86400);
  const part = (n: number, unit: string): string => (n ? ` ${n} ${unit}${n === 1 ? '' : 's'}` : '');
  return part(days, 'day') + part(hrs, 'hour') + part(mins, 'minute') + part(secs, 'second');
}

/** C's %g (six significant digits, trailing zeros dropped). */
export function fmtG(v: number, precision = 6): string {
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= precision) {
    const [m = '0', e = '0'] = v.toExponential(precision - 1).split('e');
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, precision - 1 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** format_byte_out. */
export function formatBytes(bytes: number): string {
  if (bytes < 5 * KBYTE) return `${Math.trunc(bytes)} B`;
  if (bytes < MBYTE / 2) return `${(bytes / KBYTE).toFixed(1)} kB`;
  if (bytes < MBYTE * 512) return `${(bytes / MBYTE).toFixed(1)} MB`;
  return `${(bytes / (MBYTE * KBYTE)).toFixed(1)} GB`;
}

/** format_kbyte_out. */
export function formatKbytes(kbytes: number): string {
  if (kbytes < KBYTE) return `${Math.trunc(kbytes)} kB`;
  if (kbytes < MBYTE) return `${(kbytes / KBYTE).toFixed(1)} MB`;
  return `${(kbytes / MBYTE).toFixed(1)} GB`;
}

/** The scoreboard characters: a W per request in flight, then _ for the free slots. */
function scoreboard(s: Snapshot): string {
  const busy = Math.min(s.busy.length, s.slots);
  return 'W'.repeat(busy) + '_'.repeat(Math.max(0, s.slots - busy));
}

/** The request line as the table shows it (ap_escape_logitem, then HTML-escaped). */
function logItem(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c >= 0x7f) {
      out +=
        ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : `\\x${c.toString(16)}`;
    } else out += ch;
  }
  return escapeHtml(out);
}

/** The ?auto page (text/plain). */
export function renderAuto(s: Snapshot): string {
  const up = Math.max(0, Math.floor((s.now - s.restartTime) / 1000));
  const idle = Math.max(0, s.slots - s.busy.length);
  const lines = [
    s.serverName,
    `ServerVersion: ${s.version}`,
    'ServerMPM: event',
    `Server Built: ${s.built}`,
    `CurrentTime: ${strftime(TIME_FORMAT, s.now)}`,
    `RestartTime: ${strftime(TIME_FORMAT, s.restartTime)}`,
    `ParentServerConfigGeneration: ${s.configGeneration}`,
    `ParentServerMPMGeneration: ${s.mpmGeneration}`,
    `ServerUptimeSeconds: ${up}`,
    `ServerUptime:${showTime(up)}`,
    `Load1: ${s.load[0].toFixed(2)}`,
    `Load5: ${s.load[1].toFixed(2)}`,
    `Load15: ${s.load[2].toFixed(2)}`,
  ];
  if (s.extended) {
    const kb = Math.floor(s.bytes / KBYTE);
    const [u, sy, cu, cs] = s.cpu;
    lines.push(
      `Total Accesses: ${s.accesses}`,
      `Total kBytes: ${kb}`,
      `Total Duration: ${Math.floor(s.durationMs)}`,
      `CPUUser: ${fmtG(u)}`,
      `CPUSystem: ${fmtG(sy)}`,
      `CPUChildrenUser: ${fmtG(cu)}`,
      `CPUChildrenSystem: ${fmtG(cs)}`,
    );
    const cpu = u + sy + cu + cs;
    if (cpu > 0 && up > 0) lines.push(`CPULoad: ${fmtG((cpu / up) * 100)}`);
    lines.push(`Uptime: ${up}`);
    if (up > 0) {
      lines.push(`ReqPerSec: ${fmtG(s.accesses / up)}`);
      lines.push(`BytesPerSec: ${fmtG((KBYTE * kb) / up)}`);
    }
    if (s.accesses > 0) {
      lines.push(`BytesPerReq: ${fmtG((KBYTE * kb) / s.accesses)}`);
      lines.push(`DurationPerReq: ${fmtG(Math.floor(s.durationMs) / s.accesses)}`);
    }
  }
  lines.push(
    `BusyWorkers: ${s.busy.length}`,
    'GracefulWorkers: 0',
    `IdleWorkers: ${idle}`,
    `Processes: ${1 + s.stopping}`,
    `Stopping: ${s.stopping}`,
    `ConnsTotal: ${s.connections}`,
    'ConnsAsyncWaitIO: 0',
    'ConnsAsyncWriting: 0',
    `ConnsAsyncKeepAlive: ${s.keepAlive}`,
    'ConnsAsyncClosing: 0',
    `Scoreboard: ${scoreboard(s)}`,
  );
  return lines.join('\n') + '\n';
}

const KEY = `<p>Scoreboard Key:<br />
"<b><code>_</code></b>" Waiting for Connection, 
"<b><code>S</code></b>" Starting up, 
"<b><code>R</code></b>" Reading Request,<br />
"<b><code>W</code></b>" Sending Reply, 
"<b><code>K</code></b>" Keepalive (read), 
"<b><code>D</code></b>" DNS Lookup,<br />
"<b><code>C</code></b>" Closing connection, 
"<b><code>L</code></b>" Logging, 
"<b><code>G</code></b>" Gracefully finishing,<br /> 
"<b><code>I</code></b>" Idle cleanup of worker, 
"<b><code>.</code></b>" Open slot with no current process<br />
</p>
`;

const LEGEND = `</table>
 <hr /> <table>
 <tr><th>Srv</th><td>Child Server number - generation</td></tr>
 <tr><th>PID</th><td>OS process ID</td></tr>
 <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>
 <tr><th>M</th><td>Mode of operation</td></tr>
<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>
<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>
 <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>
 <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>
 <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>
 <tr><th>Child</th><td>Megabytes transferred this child</td></tr>
 <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>
 </table>
`;

/** The HTML page. */
export function renderHtml(s: Snapshot, opts: StatusOptions, hooks = ''): string {
  const up = Math.max(0, Math.floor((s.now - s.restartTime) / 1000));
  const busy = s.busy.length;
  const idle = Math.max(0, s.slots - busy);
  let out =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n' +
    '<html><head>\n<title>Apache Status</title>\n</head><body>\n' +
    `<h1>Apache Server Status for ${escapeHtml(s.serverName)} (via ${s.localIp})</h1>\n\n` +
    `<dl><dt>Server Version: ${s.version}</dt>\n` +
    '<dt>Server MPM: event</dt>\n' +
    `<dt>Server Built: ${s.built}\n</dt></dl><hr /><dl>\n` +
    `<dt>Current Time: ${strftime(TIME_FORMAT, s.now)}</dt>\n` +
    `<dt>Restart Time: ${strftime(TIME_FORMAT, s.restartTime)}</dt>\n` +
    `<dt>Parent Server Config. Generation: ${s.configGeneration}</dt>\n` +
    `<dt>Parent Server MPM Generation: ${s.mpmGeneration}</dt>\n` +
    `<dt>Server uptime: ${showTime(up)}</dt>\n` +
    `<dt>Server load: ${s.load.map((l) => l.toFixed(2)).join(' ')}</dt>\n`;
  if (s.extended) {
    const kb = Math.floor(s.bytes / KBYTE);
    const [u, sy, cu, cs] = s.cpu;
    out += `<dt>Total accesses: ${s.accesses} - Total Traffic: ${formatKbytes(kb)} - Total Duration: ${Math.floor(s.durationMs)}</dt>\n`;
    const cpu = u + sy + cu + cs;
    out += `<dt>CPU Usage: u${fmtG(u)} s${fmtG(sy)} cu${fmtG(cu)} cs${fmtG(cs)}`;
    out += cpu > 0 && up > 0 ? ` - ${fmtG((cpu / up) * 100, 3)}% CPU load</dt>\n` : '</dt>\n';
    out += '<dt>';
    if (up > 0)
      out += `${fmtG(s.accesses / up, 3)} requests/sec - ${formatBytes(Math.trunc((KBYTE * kb) / up))}/second`;
    if (s.accesses > 0) {
      if (up > 0) out += ' - ';
      out += `${formatBytes(Math.trunc((KBYTE * kb) / s.accesses))}/request - ${fmtG(Math.floor(s.durationMs) / s.accesses)} ms/request`;
    }
    out += '</dt>\n';
  }
  out += `<dt>${busy} requests currently being processed, 0 workers gracefully restarting, ${idle} idle workers</dt>\n</dl>`;
  out +=
    '\n\n<table rules="all" cellpadding="1%">\n' +
    '<tr><th rowspan="2">Slot</th><th rowspan="2">PID</th><th rowspan="2">Stopping</th><th colspan="2">Connections</th>\n' +
    '<th colspan="3">Threads</th><th colspan="4">Async connections</th></tr>\n' +
    '<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th><th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n' +
    `<tr><td>0</td><td>${s.pid}</td><td>no</td><td>${s.connections}</td><td>yes</td><td>${busy}</td><td>0</td><td>${idle}</td><td>0</td><td>0</td><td>${s.keepAlive}</td><td>0</td></tr>\n` +
    `<tr><td>Sum</td><td>${1 + s.stopping}</td><td>${s.stopping}</td><td>${s.connections}</td><td>&nbsp;</td><td>${busy}</td><td>0</td><td>${idle}</td><td>0</td><td>0</td><td>${s.keepAlive}</td><td>0</td></tr>\n</table>\n`;
  const board = scoreboard(s);
  let pre = '';
  for (let i = 0; i < board.length; i++) {
    pre += board[i] ?? '';
    if (i % STATUS_MAXLINE === STATUS_MAXLINE - 1) pre += '\n';
  }
  out += `<pre>${pre}</pre>\n${KEY}`;
  if (!s.extended) {
    out += 'PID Key: <br />\n<pre>\n';
    let k = 0;
    for (const ch of board) {
      out += `   ${s.pid} in state: ${ch} `;
      if (++k >= 3) {
        out += '\n';
        k = 0;
      } else out += ',';
    }
    out += '\n</pre>\n';
  } else if (opts.notable) {
    out += '<hr /><h2>Server Details</h2>\n\n';
    // Per request: CPU and the time of a request still running are not known ("-").
    for (const b of s.busy) {
      out +=
        `<b>Server 0-${s.mpmGeneration}</b> (${s.pid}): ${b.connAccesses}|${s.accesses}|${s.accesses} [<b>Write</b>] ` +
        `\n ${b.seconds} - ${Math.floor(s.durationMs)}(${formatBytes(b.bytes)}|${formatBytes(s.bytes)}|${formatBytes(s.bytes)})\n` +
        ` <i>${escapeHtml(b.client)} {${logItem(b.request)}}</i> <i>(${escapeHtml(b.protocol)})</i> <b>[${escapeHtml(b.vhost)}]</b><br />\n\n`;
    }
  } else {
    out +=
      '\n\n<table border="0"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th>' +
      '<th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th>' +
      '<th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n';
    for (const b of s.busy) {
      out +=
        `<tr><td><b>0-${s.mpmGeneration}</b></td><td>${s.pid}</td><td>${b.connAccesses}/${s.accesses}/${s.accesses}</td><td><b>W</b>\n` +
        `</td><td>-</td><td>${b.seconds}</td><td>-</td><td>${Math.floor(s.durationMs)}</td>` +
        `<td>${(b.bytes / KBYTE).toFixed(1)}</td><td>${(s.bytes / MBYTE).toFixed(2)}</td><td>${(s.bytes / MBYTE).toFixed(2)}\n` +
        `</td><td>${escapeHtml(b.client)}</td><td>${escapeHtml(b.protocol)}</td><td nowrap>${escapeHtml(b.vhost)}</td><td nowrap>${logItem(b.request)}</td></tr>\n\n`;
    }
    out += LEGEND;
  }
  // ap_run_status_hook: other modules' sections.
  out += hooks;
  out += '</body></html>\n';
  return out;
}
