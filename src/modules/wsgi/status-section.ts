// tswsgi's own section of the server-status page (mod_status's status_hook): the daemon
// process groups of this generation — per pool its size, the requests waiting for a free
// thread, and per worker process its pid, state, requests in flight and served. mod_wsgi
// has no such page (its metrics are a Python API); this is what an operator asks first.

import { escapeHtml } from '../../http/die.js';
import type { StatusFlags } from '../module.js';
import type { PoolStatus } from '../../wsgi/daemon/status.js';

const groupName = (p: PoolStatus): string => (p.group === '' ? '(embedded)' : p.group);
const appGroupName = (p: PoolStatus): string =>
  p.applicationGroup === '' ? '%{GLOBAL}' : p.applicationGroup;

/** The section for `pools` at `now` (ms). */
export function wsgiStatusSection(
  pools: readonly PoolStatus[],
  flags: StatusFlags,
  now: number,
): string {
  if (pools.length === 0) return '';
  if (flags.short) {
    // One line per pool and per worker, `Key: value` as the rest of ?auto.
    let out = '';
    for (const p of pools) {
      const live = p.workers.filter((w) => w.state !== 'exited');
      const busy = live.reduce((n, w) => n + w.inFlight, 0);
      out += `WSGIProcessGroup: ${groupName(p)} application-group=${appGroupName(p)} processes=${p.processes} threads=${p.threads} live=${live.length} busy=${busy} queued=${p.queued} startup-failures=${p.startupFailures}\n`;
      for (const w of live)
        out += `WSGIProcess: ${groupName(p)} pid=${w.pid ?? '-'} state=${w.state} in-flight=${w.inFlight} served=${w.served}\n`;
    }
    return out;
  }
  let out =
    '<hr /><h2>WSGI daemon process groups</h2>\n\n<table border="0"><tr><th>Group</th><th>Application group</th><th>PID</th>' +
    '<th>State</th><th>In flight</th><th>Served</th><th>Up (s)</th><th>Idle (s)</th></tr>\n';
  for (const p of pools) {
    out += `<tr><td><b>${escapeHtml(groupName(p))}</b></td><td>${escapeHtml(appGroupName(p))}</td><td colspan="6">processes=${p.processes} threads=${p.threads} - ${p.queued} queued`;
    if (p.startupFailures > 0) out += ` - ${p.startupFailures} failed starts`;
    out += '</td></tr>\n';
    for (const w of p.workers) {
      if (w.state === 'exited') continue;
      const up = Math.max(0, Math.floor((now - w.startedAt) / 1000));
      const idle = Math.max(0, Math.floor((now - w.lastActivity) / 1000));
      out += `<tr><td></td><td></td><td>${w.pid ?? '-'}</td><td>${w.state}${w.superseded ? ' (superseded)' : ''}</td><td>${w.inFlight}</td><td>${w.served}</td><td>${up}</td><td>${idle}</td></tr>\n`;
    }
  }
  return `${out}</table>\n`;
}
