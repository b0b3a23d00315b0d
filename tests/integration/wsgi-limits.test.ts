// WSGIDaemonProcess process settings (reference mod_wsgi.md §2 option table and the
// "Daemon process" row: setuid/setgid, umask, rlimits): umask=, supplementary-groups=,
// cpu-priority=, cpu-time-limit= (SIGXCPU → the process drains and is replaced),
// memory-limit=, virtual-memory-limit=, stack-size=, and script-user=/script-group=
// (403 with mod_wsgi 4.9.4's error-log text). The app reports what the worker really has.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, req, until } from '../support/wsgi.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (user switch, negative nice, file owners)';

const PROBE = `import json, os, resource, threading, time
def application(environ, start_response):
    if environ['PATH_INFO'] == '/burn':
        while time.process_time() < 1.4:
            pass
    mask = os.umask(0); os.umask(mask)
    doc = {'pid': os.getpid(), 'uid': os.getuid(), 'gid': os.getgid(),
           'groups': sorted(os.getgroups()), 'umask': mask,
           'nice': os.getpriority(os.PRIO_PROCESS, 0),
           'cpu': resource.getrlimit(resource.RLIMIT_CPU),
           'data': resource.getrlimit(resource.RLIMIT_DATA),
           'as': resource.getrlimit(resource.RLIMIT_AS),
           'stack': threading.stack_size()}
    body = json.dumps(doc).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
`;

interface Probe {
  pid: number;
  uid: number;
  gid: number;
  groups: number[];
  umask: number;
  nice: number;
  cpu: [number, number];
  data: [number, number];
  as: [number, number];
  stack: number;
}

async function probe(port: number, path = '/p'): Promise<Probe> {
  const res = await rawRequest(port, req(path));
  assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
  return JSON.parse(res.body.toString()) as Probe;
}

/** RLIM_INFINITY as Python's resource module reports it. */
const INF = -1;

describe('WSGIDaemonProcess process settings', { skip }, () => {
  // Readable by www-data (the harness's own temp dir is 0700 root).
  let shared = '';
  before(() => {
    shared = mkdtempSync(join(tmpdir(), 'tswsgi-limits-'));
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'probe.wsgi'), PROBE);
    chmodSync(join(shared, 'probe.wsgi'), 0o644);
  });
  after(() => rmSync(shared, { recursive: true, force: true }));

  const conf = (opts: string, script = `${shared}/probe.wsgi`): string => `${WSGI_PREAMBLE}
WSGIDaemonProcess g threads=2 graceful-timeout=1 shutdown-timeout=1 ${opts}
WSGIScriptAlias /p ${script} process-group=g
`;

  it('applies umask, cpu-priority, the rlimits and stack-size', async (t) => {
    const h = await startServer(
      conf(
        'umask=0027 cpu-priority=5 cpu-time-limit=30 memory-limit=2147483648 virtual-memory-limit=4294967296 stack-size=262144',
      ),
    );
    t.after(() => h.stop());
    const p = await probe(h.port);
    assert.equal(p.umask, 0o027);
    assert.equal(p.nice, 5);
    // mod_wsgi: hard = limit + 1 + shutdown-timeout.
    assert.deepEqual(p.cpu, [30, 32]);
    assert.deepEqual(p.data, [2147483648, 2147483648]);
    assert.deepEqual(p.as, [4294967296, 4294967296]);
    assert.equal(p.stack, 262144);
    assert.equal(p.uid, 0);
  });

  it('leaves everything inherited without the options', async (t) => {
    const h = await startServer(conf(''));
    t.after(() => h.stop());
    const p = await probe(h.port);
    const mask = process.umask();
    assert.equal(p.umask, mask);
    assert.equal(p.nice, 0);
    assert.deepEqual(p.cpu, [INF, INF]);
    assert.deepEqual(p.as, [INF, INF]);
    assert.equal(p.stack, 0);
  });

  it('logs a stack-size Python refuses and runs with the default', async (t) => {
    const h = await startServer(conf('stack-size=1000'));
    t.after(() => h.stop());
    const p = await probe(h.port);
    assert.equal(p.stack, 0);
    const line = await until(() =>
      h.errorLog().find((l) => l.includes("Couldn't set thread stack size")),
    );
    assert.match(
      line,
      new RegExp(
        `\\[wsgi:error\\] \\[pid ${p.pid}:tid ${p.pid}\\] MW00202: tswsgi worker \\(pid=${p.pid}\\): Couldn't set thread stack size of 1000 for process 'g': size not valid: 1000 bytes$`,
      ),
    );
  });

  it('switches to user= with supplementary-groups and a negative cpu-priority', async (t) => {
    const h = await startServer(
      conf(
        'python-home=/usr user=www-data group=www-data supplementary-groups=nogroup,#4242 cpu-priority=-3 umask=0077',
      ),
    );
    t.after(() => h.stop());
    const p = await probe(h.port);
    assert.equal(p.uid, 33);
    assert.equal(p.gid, 33);
    assert.deepEqual(p.groups, [33, 4242, 65534]);
    assert.equal(p.nice, -3); // set while still root, before the switch
    assert.equal(p.umask, 0o077);
  });

  it('gives user= its own groups (initgroups) without supplementary-groups', async (t) => {
    const h = await startServer(conf('python-home=/usr user=www-data group=www-data'));
    t.after(() => h.stop());
    const p = await probe(h.port);
    const member = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .filter((f) => (f[3] ?? '').split(',').includes('www-data'))
      .map((f) => Number(f[2]));
    assert.equal(p.uid, 33);
    assert.deepEqual(
      p.groups,
      [...new Set([33, ...member])].sort((a, b) => a - b),
    );
  });

  it('refuses to start with an unknown supplementary group', async () => {
    await assert.rejects(
      startServer(conf('python-home=/usr user=www-data supplementary-groups=www-data,nosuchgrp')),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(
          e.message,
          /^WSGIDaemonProcess g \(.*httpd\.conf:\d+\): group 'nosuchgrp' in supplementary-groups does not exist$/,
        );
        return true;
      },
    );
    await assert.rejects(startServer(conf('supplementary-groups=#x1')), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /: bad group id '#x1' in supplementary-groups$/);
      return true;
    });
  });

  it('replaces a process that exceeds cpu-time-limit, logging why', async (t) => {
    // shutdown-timeout=10: the drain after SIGXCPU is bounded in wall-clock time, and the
    // burning request's last 0.4 s of CPU took longer than 1 s on a loaded 2-core machine.
    const h = await startServer(`LogLevel info\n${conf('cpu-time-limit=1 shutdown-timeout=10')}`);
    t.after(() => h.stop());
    const first = await probe(h.port);
    // mod_wsgi: hard = limit + 1 + shutdown-timeout.
    assert.deepEqual(first.cpu, [1, 12]);
    // Burns 1.4 s of CPU: SIGXCPU at 1 s starts the drain, the request still completes.
    const burnt = await probe(h.port, '/p/burn');
    assert.equal(burnt.pid, first.pid);
    // Linux raises the soft limit by a second each time it sends SIGXCPU.
    assert.deepEqual(burnt.cpu, [2, 12]);
    const why = await until(() => h.errorLog().find((l) => l.includes('Exceeded CPU time limit')));
    assert.match(
      why,
      new RegExp(
        `\\[wsgi:warn\\] \\[pid ${first.pid}:tid ${first.pid}\\] MW00204: Exceeded CPU time limit of 1 seconds \\(cpu-time-limit\\), waiting for requests to complete in daemon process 'g'; it will be replaced\\.$`,
      ),
    );
    // The worker said it is stopping (ERROR on stream 0) and still serves what was routed
    // to it before the front end read that: requests sent at once all succeed, whichever
    // process they reach.
    const during = await Promise.all([1, 2, 3, 4].map(() => probe(h.port)));
    assert.equal(during.length, 4);
    await until(() =>
      h
        .errorLog()
        .find((l) =>
          l.includes(
            `MW00231: daemon process (pid ${first.pid}) of group 'g' is stopping by itself (cpu_time_limit); routing new requests elsewhere`,
          ),
        ),
    );
    await until(() =>
      h
        .errorLog()
        .find((l) =>
          l.includes(
            `daemon process (pid ${first.pid}) of group 'g' exited with status 0 (retired)`,
          ),
        ),
    );
    assert.equal(
      h.errorLog().filter((l) => l.includes('[wsgi:error]')).length,
      0,
      h.errorLog().join('\n'),
    );
    // The replacement serves the next request.
    const next = await probe(h.port);
    assert.notEqual(next.pid, first.pid);
    assert.deepEqual(next.cpu, [1, 12]);
  });
});

describe('script-user / script-group', { skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tswsgi-owner-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'probe.wsgi'), PROBE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const conf = (opts: string): string => `${WSGI_PREAMBLE}
WSGIDaemonProcess g threads=1 ${opts}
WSGIScriptAlias /p ${dir}/probe.wsgi process-group=g
`;

  const cases: readonly [string, number, number, string | undefined][] = [
    ['script-user=root', 0o644, 200, undefined],
    [
      'script-user=www-data',
      0o644,
      403,
      'Owner of WSGI script file does not match required user for daemon process, user=root',
    ],
    ['script-user=root', 0o664, 403, 'WSGI script file is writable to group'],
    ['script-user=root', 0o646, 403, 'WSGI script file is writable to world'],
    ['script-group=root', 0o664, 200, undefined],
    [
      'script-group=www-data',
      0o644,
      403,
      'Group of WSGI script file does not match required group for daemon process, group=root',
    ],
    ['script-group=root', 0o646, 403, 'WSGI script file is writable to world'],
  ];
  for (const [opt, mode, status, message] of cases) {
    it(`${opt} with a ${mode.toString(8)} root:root script → ${String(status)}`, async (t) => {
      chmodSync(join(dir, 'probe.wsgi'), mode);
      const h = await startServer(conf(opt));
      t.after(() => h.stop());
      const res = await rawRequest(h.port, req('/p'));
      if (status === 200) {
        assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
        assert.equal((JSON.parse(res.body.toString()) as Probe).uid, 0);
        assert.equal(
          h.errorLog().find((l) => l.includes('MW00109')),
          undefined,
        );
        return;
      }
      assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
      const line = await until(() => h.errorLog().find((l) => l.includes('WSGI script')));
      assert.match(
        line,
        new RegExp(
          `\\[wsgi:error\\] \\[pid (\\d+):tid \\1\\] \\[client 127\\.0\\.0\\.1:\\d+\\] MW00109: ${escape(message ?? '')}: ${escape(dir)}/probe\\.wsgi$`,
        ),
      );
    });
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
