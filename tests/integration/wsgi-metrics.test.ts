// mod_wsgi 4.9.4's metrics API and New Relic start-up, seen by an application under tswsgi:
// mod_wsgi.process_metrics() / request_metrics() / server_metrics() (wsgi_metrics.c) in a
// daemon group and in embedded mode, and WSGINewRelicConfigFile / newrelic-config-file=
// (wsgi_interp.c: import newrelic.agent, initialize(file, environment), wrap each request's
// application) with a fake `newrelic` package on the python-path.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { WSGI_PREAMBLE, app, req, until } from '../support/wsgi.js';
import { rawRequest } from '../support/raw-http.js';

const T = 'graceful-timeout=1 shutdown-timeout=1';
const CONF = `${WSGI_PREAMBLE}
LogLevel warn wsgi:info
WSGIPythonPath @DIR@/fake
WSGINewRelicConfigFile @DIR@/embedded.ini
WSGIDaemonProcess m threads=2 ${T}
WSGIDaemonProcess nr threads=1 python-path=@DIR@/fake newrelic-config-file=@DIR@/nr.ini newrelic-environment=staging ${T}
WSGIDaemonProcess noagent threads=1 newrelic-config-file=@DIR@/nr.ini ${T}
WSGIScriptAlias /m @DIR@/metrics.wsgi process-group=m application-group=%{GLOBAL}
WSGIScriptAlias /nr @DIR@/metrics.wsgi process-group=nr application-group=%{GLOBAL}
WSGIScriptAlias /noagent @DIR@/metrics.wsgi process-group=noagent application-group=%{GLOBAL}
WSGIScriptAlias /e @DIR@/metrics.wsgi
`;

const FAKE_AGENT = `
CALLS = []

def initialize(config_file=None, environment=None):
    CALLS.append(["initialize", config_file, environment])

def WSGIApplicationWrapper(wrapped, application=None):
    CALLS.append(["wrap", wrapped.__name__, application])
    return wrapped
`;

const PROCESS_KEYS = [
  'pid',
  'request_busy_time',
  'request_count',
  'memory_max_rss',
  'memory_rss',
  'cpu_user_time',
  'cpu_system_time',
  'restart_time',
  'current_time',
  'running_time',
  'request_threads',
  'active_requests',
  'threads',
];
const REQUEST_KEYS = [
  'pid',
  'start_time',
  'stop_time',
  'sample_period',
  'cpu_user_time',
  'cpu_system_time',
  'memory_max_rss',
  'memory_rss',
  'request_threads_maximum',
  'request_threads_started',
  'capacity_utilization',
  'request_count',
  'request_throughput',
  'server_time_buckets',
  'queue_time_buckets',
  'daemon_time_buckets',
  'application_time_buckets',
  'request_threads_buckets',
  'request_threads_active',
  'server_time',
  'queue_time',
  'daemon_time',
  'application_time',
];

type Json = Record<string, unknown>;

describe('mod_wsgi metrics API and New Relic agent', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'metrics.wsgi': app('metrics.wsgi'),
      'fake/newrelic/__init__.py': '',
      'fake/newrelic/agent.py': FAKE_AGENT,
    });
  });
  after(() => h.stop());

  async function get(path: string): Promise<unknown> {
    const res = await rawRequest(h.port, req(path));
    res.conn.close();
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
    assert.equal(res.headers['content-type'], 'application/json');
    return JSON.parse(res.body.toString('utf8')) as unknown;
  }

  it('process_metrics(): request_count grows by the requests sent, busy time and CPU are real', async () => {
    const a = (await get('/m/process')) as Json;
    assert.deepEqual(Object.keys(a), PROCESS_KEYS);
    for (let i = 0; i < 5; i++) await get('/m/hello');
    const b = (await get('/m/process')) as Json;
    assert.equal(b['pid'], a['pid']); // one process in the group
    // The 5 hellos and the first /m/process (counted when it ended).
    assert.equal(Number(b['request_count']) - Number(a['request_count']), 6);
    assert.equal(b['active_requests'], 1);
    assert.ok(Number(b['request_busy_time']) > Number(a['request_busy_time']));
    assert.ok(Number(b['memory_rss']) > 1 << 20, String(b['memory_rss']));
    assert.ok(Number(b['memory_max_rss']) > 1 << 20);
    assert.ok(Number(b['cpu_user_time']) + Number(b['cpu_system_time']) > 0);
    const now = Date.now() / 1000;
    assert.ok(Math.abs(Number(b['current_time']) - now) < 5);
    assert.ok(Number(b['restart_time']) <= Number(b['current_time']));
    const threads = b['threads'] as { thread_id: number; request_count: number }[];
    assert.equal(b['request_threads'], threads.length);
    assert.ok(threads.length >= 1 && threads.length <= 2, JSON.stringify(threads));
    // Each thread's count includes the application call in progress.
    assert.equal(
      threads.reduce((n, t) => n + t.request_count, 0),
      Number(b['request_count']) + 1,
    );
  });

  it('request_metrics(): an interval with queue and daemon time in a daemon group', async () => {
    await get('/m/request'); // starts the sampling if nothing did yet
    for (let i = 0; i < 3; i++) await get('/m/hello');
    const r = (await get('/m/request')) as Json;
    assert.deepEqual(Object.keys(r), REQUEST_KEYS);
    assert.equal(r['request_count'], 4); // 3 hellos + the first /m/request
    assert.equal(r['request_threads_maximum'], 2);
    assert.equal((r['request_threads_buckets'] as number[]).length, 2);
    const sum = (k: string) => (r[k] as number[]).reduce((n, x) => n + x, 0);
    assert.equal(sum('request_threads_buckets'), 4);
    assert.equal(sum('application_time_buckets'), 4);
    assert.equal(sum('queue_time_buckets'), 4);
    assert.equal(typeof r['queue_time'], 'number');
    assert.equal(typeof r['daemon_time'], 'number');
    assert.ok(Number(r['server_time']) >= 0);
    assert.ok(Number(r['request_throughput']) > 0);
    assert.ok(Number(r['sample_period']) > 0);
  });

  it('server_metrics() is None without server-metrics=On, or without mod_status', async () => {
    assert.equal(await get('/m/server'), null);
    // Embedded mode has it on (WSGIServerMetrics unset), but no mod_status: no scoreboard.
    assert.equal(await get('/e/server'), null);
    const k = (await get('/e/keys')) as Json;
    assert.deepEqual(k['process_metrics'], PROCESS_KEYS);
    assert.deepEqual(k['request_metrics'], REQUEST_KEYS);
    assert.deepEqual(k['bucket_lengths'], [16, 16, 16, 16]);
    assert.equal(k['server_metrics'], null);
    // Embedded request_threads_maximum is ThreadsPerChild (25 by default).
    const pm = (await get('/e/process')) as Json;
    assert.deepEqual(Object.keys(pm), PROCESS_KEYS);
  });

  it('newrelic-config-file=: the agent is initialised once and wraps every request', async () => {
    const first = (await get('/nr/newrelic')) as unknown[];
    assert.deepEqual(first[0], ['initialize', `${h.dir}/nr.ini`, 'staging']);
    const wraps = first.filter((c) => (c as unknown[])[0] === 'wrap');
    assert.deepEqual(wraps.at(-1), ['wrap', 'application', null]);
    const again = (await get('/nr/newrelic')) as unknown[];
    assert.equal(again.length, first.length + 1);
    assert.equal(again.filter((c) => (c as unknown[])[0] === 'initialize').length, 1);
    await until(() =>
      h
        .errorLog()
        .some((l) =>
          /\[wsgi:info\].*mod_wsgi \(pid=\d+, process='nr', application=''\): Imported 'newrelic\.agent'\./.test(
            l,
          ),
        ),
    );
  });

  it('WSGINewRelicConfigFile applies to embedded mode only (environment None)', async () => {
    const calls = (await get('/e/newrelic')) as unknown[];
    assert.deepEqual(calls[0], ['initialize', `${h.dir}/embedded.ini`, null]);
    // The daemon group m has no newrelic-config-file=: no agent there, although its
    // python-path would not even find one (the server-wide directive is not inherited).
    assert.equal(await get('/m/newrelic'), null);
  });

  it('a missing agent is logged and the application runs unwrapped', async () => {
    assert.equal(await get('/noagent/newrelic'), null);
    const line = await until(() =>
      h.errorLog().find((l) => /Unable to import 'newrelic\.agent' module\./.test(l)),
    );
    assert.match(
      line,
      /\[wsgi:info\].*mod_wsgi \(pid=\d+\): Unable to import 'newrelic\.agent' module\.$/,
    );
    await until(() =>
      h.errorLog().some((l) => /ModuleNotFoundError: No module named 'newrelic'/.test(l)),
    );
  });
});

const SB_CONF = `${WSGI_PREAMBLE}
LoadModule status_module modules/mod_status.so
MaxRequestWorkers 6
WSGIServerMetrics Off
WSGIDaemonProcess sb threads=2 server-metrics=On ${T}
WSGIDaemonProcess nosb threads=1 ${T}
WSGIScriptAlias /sb @DIR@/metrics.wsgi process-group=sb application-group=%{GLOBAL}
WSGIScriptAlias /nosb @DIR@/metrics.wsgi process-group=nosb application-group=%{GLOBAL}
WSGIScriptAlias /e @DIR@/metrics.wsgi
`;

describe('mod_wsgi.server_metrics() with server-metrics=On and mod_status', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(SB_CONF, { 'metrics.wsgi': app('metrics.wsgi') });
  });
  after(() => h.stop());

  async function get(path: string): Promise<unknown> {
    const res = await rawRequest(h.port, req(path));
    res.conn.close();
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
    return JSON.parse(res.body.toString('utf8')) as unknown;
  }

  it("reports the front end's slots, the calling request busy in one", async () => {
    const t0 = Date.now() / 1000;
    const sb = (await get('/sb/server?q=1')) as Json;
    assert.deepEqual(Object.keys(sb), [
      'server_limit',
      'thread_limit',
      'running_generation',
      'restart_time',
      'current_time',
      'running_time',
      'processes',
    ]);
    assert.equal(sb['server_limit'], 1);
    assert.equal(sb['thread_limit'], 6); // MaxRequestWorkers
    assert.ok(Math.abs(Number(sb['current_time']) - t0) < 5);
    assert.ok(Number(sb['restart_time']) <= Number(sb['current_time']));
    const procs = sb['processes'] as Json[];
    assert.equal(procs.length, 1);
    const p = procs[0] ?? {};
    assert.deepEqual(Object.keys(p), ['process_num', 'pid', 'generation', 'quiescing', 'workers']);
    assert.equal(p['pid'], process.pid); // the front end (this test runs it in-process)
    assert.equal(p['quiescing'], false);
    const workers = p['workers'] as Json[];
    assert.equal(workers.length, 6);
    assert.deepEqual(Object.keys(workers[0] ?? {}), [
      'thread_num',
      'generation',
      'status',
      'access_count',
      'bytes_served',
      'start_time',
      'stop_time',
      'last_used',
      'client',
      'request',
      'vhost',
    ]);
    const busy = workers.filter((w) => w['status'] === 'W');
    const me = busy.find((w) => w['request'] === 'GET /sb/server?q=1 HTTP/1.1');
    assert.ok(me !== undefined, JSON.stringify(busy));
    assert.equal(me['client'], '127.0.0.1');
    assert.equal(me['vhost'], `localhost:${String(h.port)}`);
    assert.ok(Math.abs(Number(me['start_time']) - t0) < 5);
    const idle = workers.filter((w) => w['status'] === '_');
    assert.equal(idle.length + busy.length, 6);
    assert.deepEqual(
      workers.map((w) => w['thread_num']),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('is None for a group without server-metrics=On and for WSGIServerMetrics Off', async () => {
    assert.equal(await get('/nosb/server'), null);
    assert.equal(await get('/e/server'), null);
  });
});
