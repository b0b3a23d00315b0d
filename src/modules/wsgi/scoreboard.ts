// mod_wsgi: src/server/wsgi_metrics.c (4.9.4) wsgi_server_metrics — the dictionary it builds
// from Apache's scoreboard (ap_get_scoreboard_global / _process / _worker_from_indexes).
//
// What a worker's mod_wsgi.server_metrics() gets (over METRICS_QUERY/METRICS, see
// docs/protocol.md): tswsgi's scoreboard, which is mod_status's (src/modules/status): one
// front-end process whose MaxRequestWorkers slots hold the requests in flight. Keys and
// their order are mod_wsgi's. Without mod_status loaded there is no scoreboard, and the
// answer is null (mod_wsgi's None when ap_exists_scoreboard_image() is false).

import type { ConfigIR } from '../../config/ir.js';
import { serverConfOf } from '../../config/slots.js';
import { coreModule } from '../../core/index.js';
import { serverNameOf } from '../../request/server-name.js';
import { board } from '../status/index.js';

/** Slots when no MaxRequestWorkers is set (mod_status's default: the event MPM's 16 × 25). */
const DEFAULT_SLOTS = 400;
/** Characters of the request line a scoreboard slot keeps (63 + NUL in httpd). */
const REQUEST_CHARS = 63;

/** One worker slot (worker_score), keys in mod_wsgi's order. */
export interface ScoreboardWorker {
  readonly thread_num: number;
  readonly generation: number;
  readonly status: string;
  readonly access_count: number;
  readonly bytes_served: number;
  readonly start_time: number;
  readonly stop_time: number;
  readonly last_used: number;
  readonly client: string;
  readonly request: string;
  readonly vhost: string;
}

/** What mod_wsgi.server_metrics() returns (global_score + process_score + workers). */
export interface Scoreboard {
  readonly server_limit: number;
  readonly thread_limit: number;
  readonly running_generation: number;
  readonly restart_time: number;
  readonly current_time: number;
  readonly running_time: number;
  readonly processes: readonly {
    readonly process_num: number;
    readonly pid: number;
    readonly generation: number;
    readonly quiescing: boolean;
    readonly workers: readonly ScoreboardWorker[];
  }[];
}

/** The scoreboard now, or null when mod_status (which keeps it) is not loaded. */
export function wsgiScoreboard(ir: ConfigIR, now = Date.now()): Scoreboard | null {
  if (ir.modules !== undefined && !ir.modules.includes('status')) return null;
  const core = serverConfOf(coreModule, ir.main);
  const slots = core.mpm.MaxRequestWorkers ?? core.mpm.MaxClients ?? DEFAULT_SLOTS;
  const generation = Math.max(0, board.configGeneration - 1);
  const tail = core.seeRequestTail === true;
  const workers: ScoreboardWorker[] = [];
  for (const r of board.busy) {
    if (workers.length >= slots) break;
    const line = r.theRequest;
    const start = r.requestTime / 1000;
    workers.push({
      thread_num: workers.length,
      generation,
      status: 'W',
      // Per-slot totals: tswsgi's slots are not persistent workers (docs/differences.md).
      access_count: 0,
      bytes_served: 0,
      start_time: start,
      stop_time: 0,
      last_used: start,
      client: r.connection.remoteAddr,
      request:
        line.length <= REQUEST_CHARS
          ? line
          : tail
            ? line.slice(line.length - REQUEST_CHARS)
            : line.slice(0, REQUEST_CHARS),
      vhost: `${serverNameOf(r)}:${String(r.connection.localPort)}`,
    });
  }
  while (workers.length < slots) {
    workers.push({
      thread_num: workers.length,
      generation,
      status: '_',
      access_count: 0,
      bytes_served: 0,
      start_time: 0,
      stop_time: 0,
      last_used: 0,
      client: '',
      request: '',
      vhost: '',
    });
  }
  const restart = board.restartTime / 1000;
  const current = now / 1000;
  return {
    server_limit: 1,
    thread_limit: slots,
    running_generation: generation,
    restart_time: restart,
    current_time: current,
    running_time: Math.trunc(current - restart),
    processes: [{ process_num: 0, pid: process.pid, generation, quiescing: false, workers }],
  };
}
