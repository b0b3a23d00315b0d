// httpd: modules/generators/mod_status.c (status_handler for `SetHandler server-status`,
//        status_pre_config turning ExtendedStatus on), server/scoreboard.c (the counters
//        ap_increment_counts keeps per request when ExtendedStatus is on).
//
// The "scoreboard" is this process's: restart time and configuration generation (bumped
// by each provisioned generation, i.e. each start or reload), the requests in flight
// (post_read_request → log_transaction), and, with ExtendedStatus, the access, byte and
// duration totals. Like httpd's scoreboard it outlives graceful restarts; it is per
// process, so one server per process is what it describes.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { coreModule } from '../../core/index.js';
import { serverConfOf } from '../../config/slots.js';
import { SERVER_BANNER } from '../../http/banner.js';
import { connectionStats } from '../../http/listener.js';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { serverNameOf } from '../../request/server-name.js';
import type { ModuleDef } from '../module.js';
import type { CoreServerConf } from '../../core/config.js';
import { renderAuto, renderHtml, statusOptions } from './render.js';
import type { BusySlot, Snapshot } from './render.js';

/** When tswsgi's status module was built (ap_get_server_built): this module's load time. */
const BUILT = new Date().toISOString().slice(0, 19);
/** Slots when no MaxRequestWorkers is set: the event MPM's default (16 × 25). */
const DEFAULT_SLOTS = 400;
/** How many characters of a request line the scoreboard keeps (63 + NUL in httpd). */
const REQUEST_CHARS = 63;

/** The process's scoreboard. */
export const board = {
  restartTime: Date.now(),
  configGeneration: 0,
  accesses: 0,
  bytes: 0,
  durationMs: 0,
  busy: new Set<RequestRecord>(),
};

/** mod_status. */
export const statusModule: ModuleDef = {
  name: 'status',
  hooks: {
    postReadRequest: {
      run: (r) => {
        if (r.main === undefined && r.prev === undefined) board.busy.add(r);
        return DECLINED;
      },
      order: 'reallyFirst',
    },
    logTransaction: { run: (r) => countRequest(r), order: 'reallyLast' },
  },
  handlers: {
    'server-status': (r) => statusHandler(r),
    'application/x-httpd-status': (r) => statusHandler(r),
  },
  provision: () => {
    board.configGeneration++;
    board.restartTime = Date.now();
    return { dispose: () => undefined };
  },
};

/** The main server's core config (ExtendedStatus, SeeRequestTail and the MPM sizes are global). */
function mainCore(r: RequestRecord): CoreServerConf {
  return serverConfOf(coreModule, r.generation.ir.main);
}

/** ap_extended_status: on unless `ExtendedStatus Off` (mod_status's pre_config). */
function extendedStatus(r: RequestRecord): boolean {
  return mainCore(r).extendedStatus ?? true;
}

/** log_transaction: the request is no longer busy; with ExtendedStatus, count it. */
function countRequest(r: RequestRecord): Outcome {
  board.busy.delete(r);
  if (extendedStatus(r)) {
    board.accesses++;
    board.bytes += r.bytesSent;
    board.durationMs += Math.max(0, Date.now() - r.requestTime);
  }
  return OK;
}

/** times(2)'s cutime and cstime of this process (reaped children), in seconds. */
function childrenCpu(): [number, number] {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(f[13]) / 100, Number(f[14]) / 100];
  } catch {
    return [0, 0];
  }
}

/** The request line the scoreboard keeps: its first 63 characters, or its last (SeeRequestTail). */
function requestOf(r: RequestRecord, tail: boolean): string {
  const line = r.theRequest;
  if (line.length <= REQUEST_CHARS) return line;
  return tail ? line.slice(line.length - REQUEST_CHARS) : line.slice(0, REQUEST_CHARS);
}

function snapshot(r: RequestRecord): Snapshot {
  const now = Date.now();
  const core = mainCore(r);
  const cpu = process.cpuUsage();
  const [cu, cs] = childrenCpu();
  const conns = connectionStats();
  const slots = core.mpm.MaxRequestWorkers ?? core.mpm.MaxClients ?? DEFAULT_SLOTS;
  const busy: BusySlot[] = [...board.busy].map((b) => ({
    connAccesses: b.connection.keepalives + 1,
    seconds: Math.max(0, Math.floor((now - b.requestTime) / 1000)),
    client: b.connection.remoteAddr,
    protocol: b.protocol.toLowerCase(),
    vhost: `${serverNameOf(b)}:${b.connection.localPort}`,
    request: requestOf(b, core.seeRequestTail === true),
    bytes: b.bytesSent,
  }));
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return {
    serverName: serverNameOf(r),
    localIp: r.connection.localAddr,
    version: SERVER_BANNER,
    built: BUILT,
    now,
    restartTime: board.restartTime,
    configGeneration: board.configGeneration,
    mpmGeneration: Math.max(0, board.configGeneration - 1),
    load: [l1, l5, l15],
    extended: core.extendedStatus ?? true,
    accesses: board.accesses,
    bytes: board.bytes,
    durationMs: board.durationMs,
    cpu: [cpu.user / 1e6, cpu.system / 1e6, cu, cs],
    pid: process.pid,
    slots,
    busy,
    connections: conns.total,
    keepAlive: conns.keepAlive,
    stopping: 0,
  };
}

/** status_handler: GET (and HEAD) only; anything else is left to the next handler. */
export function statusHandler(r: RequestRecord): Outcome {
  r.allowed = ['GET'];
  if (r.method !== 'GET' && r.method !== 'HEAD') return DECLINED;
  const opts = statusOptions(r.args);
  const s = snapshot(r);
  const flags = { short: opts.auto, notable: opts.notable, extended: s.extended };
  let hooks = '';
  for (const m of r.generation.runtime.modules) hooks += m.statusHook?.(r, flags) ?? '';
  const body = opts.auto ? renderAuto(s) + hooks : renderHtml(s, opts, hooks);
  const res = r.res;
  if (opts.refresh !== undefined) res.setHeader('Refresh', String(opts.refresh));
  res.setHeader('Content-Length', Buffer.byteLength(body, 'latin1'));
  res.setHeader(
    'Content-Type',
    opts.auto ? 'text/plain; charset=ISO-8859-1' : 'text/html; charset=ISO-8859-1',
  );
  res.end(body, 'latin1');
  return OK;
}
