// The WSGIDaemonProcess options a worker applies to itself (mod_wsgi.c 4.9.4
// wsgi_add_daemon_process checks; wsgi_start_process / wsgi_setup_access effects): parsing
// into the spec, planSpawn's `process` settings, and ap_gname2id's group lookup.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAEMON_OPTIONS, parseDaemonProcess } from './options.js';
import { planSpawn, resolveGroup, workerConfig } from './spawn-config.js';
import { PythonResolver } from './python.js';

const origin = { file: 'httpd.conf', line: 1 };
function parse(raw: string) {
  const r = parseDaemonProcess(raw, origin);
  if ('error' in r) throw new Error(r.error);
  return r;
}
function error(raw: string): string {
  const r = parseDaemonProcess(raw, origin);
  assert.ok('error' in r, `expected an error for ${raw}`);
  return r.error;
}

describe('process-setting options', () => {
  it('parse into the spec, not `ignored`', () => {
    const { spec, ignored } = parse(
      'g umask=0027 supplementary-groups=a,#7,,b stack-size=65536 cpu-time-limit=3 cpu-priority=-4 memory-limit=100 virtual-memory-limit=200 script-user=www-data',
    );
    assert.equal(spec.umask, 0o027);
    assert.deepEqual(spec.supplementaryGroups, ['a', '#7', 'b']);
    assert.equal(spec.stackSize, 65536);
    assert.equal(spec.cpuTimeLimit, 3);
    assert.equal(spec.cpuPriority, -4);
    assert.equal(spec.memoryLimit, 100);
    assert.equal(spec.virtualMemoryLimit, 200);
    assert.equal(spec.scriptUser, 'www-data');
    assert.deepEqual(ignored, {});
    assert.equal(parse('g script-group=staff').spec.scriptGroup, 'staff');
  });

  it('send-buffer-size / receive-buffer-size reach the worker (send defaults to 1 MiB)', () => {
    const { spec, ignored } = parse('g send-buffer-size=65536 receive-buffer-size=4096');
    assert.deepEqual(ignored, {});
    const cfg = workerConfig(spec, 'ag', [], '/');
    assert.equal(cfg.sendBufferSize, 65536);
    assert.equal(cfg.receiveBufferSize, 4096);
    const dflt = workerConfig(parse('g').spec, 'ag', [], '/');
    assert.equal(dflt.sendBufferSize, 1048576);
    assert.equal(dflt.receiveBufferSize, 0);
    // 0 is mod_wsgi's "system default".
    assert.equal(workerConfig(parse('g send-buffer-size=0').spec, 'ag', [], '/').sendBufferSize, 0);
    assert.equal(
      error('g send-buffer-size=100'),
      'Send buffer size must be >= 512 bytes, or 0 for system default.',
    );
    assert.equal(
      error('g receive-buffer-size=lots'),
      "Invalid receive buffer size for WSGI daemon process. 'lots' is not a whole number.",
    );
    assert.equal(
      error('g receive-buffer-size='),
      'Invalid receive buffer size for WSGI daemon process.',
    );
    for (const name of ['send-buffer-size', 'receive-buffer-size']) {
      const o = DAEMON_OPTIONS.find((d) => d.name === name);
      assert.equal(o?.implemented, true, name);
      assert.doesNotMatch(o.doc, /recorded/i, name);
    }
  });

  it('are all marked implemented, without TODOs', () => {
    for (const name of [
      'umask',
      'supplementary-groups',
      'stack-size',
      'cpu-time-limit',
      'cpu-priority',
      'memory-limit',
      'virtual-memory-limit',
      'script-user',
      'script-group',
    ]) {
      const o = DAEMON_OPTIONS.find((d) => d.name === name);
      assert.ok(o, name);
      assert.equal(o.implemented, true, name);
      assert.doesNotMatch(o.doc, /TODO|recorded/i, name);
    }
  });

  it("reject bad values with mod_wsgi's messages", () => {
    assert.equal(error('g umask=8'), 'Invalid umask for WSGI daemon process.');
    assert.equal(error('g umask='), 'Invalid umask for WSGI daemon process.');
    assert.equal(error('g stack-size=0'), 'Invalid stack size for WSGI daemon process.');
    assert.equal(
      error('g stack-size=1k'),
      "Invalid stack size for WSGI daemon process. '1k' is not a whole number.",
    );
    assert.equal(error('g cpu-time-limit=-1'), 'Invalid CPU time limit for WSGI daemon process.');
    assert.equal(error('g cpu-priority='), 'Invalid CPU priority for WSGI daemon process.');
    assert.equal(error('g memory-limit=-5'), 'Invalid memory limit for WSGI daemon process.');
    assert.equal(
      error('g virtual-memory-limit=x'),
      "Invalid virtual memory limit for WSGI daemon process. 'x' is not a whole number.",
    );
    assert.equal(
      error('g script-user=a script-group=b'),
      'Only one of script-user and script-group allowed.',
    );
  });
});

describe('resolveGroup (ap_gname2id)', () => {
  const etc = mkdtempSync(join(tmpdir(), 'tswsgi-etc-'));
  writeFileSync(join(etc, 'group'), 'root:x:0:\nstaff:x:50:alice\nbroken:x:zz:\n');
  it('resolves names and #gid, and names unknown ones', (t) => {
    t.after(() => rmSync(etc, { recursive: true, force: true }));
    assert.equal(resolveGroup('staff', etc), 50);
    assert.equal(resolveGroup('#1234', etc), 1234);
    assert.throws(() => resolveGroup('nope', etc), {
      name: 'PythonResolveError',
      message: "group 'nope' in supplementary-groups does not exist",
    });
    assert.throws(() => resolveGroup('broken', etc), {
      message: "group 'broken' in supplementary-groups does not exist",
    });
    assert.throws(() => resolveGroup('#1x', etc), {
      message: "bad group id '#1x' in supplementary-groups",
    });
  });
});

describe('planSpawn process settings', () => {
  const python = new PythonResolver();
  const ctx = { python, packageDir: '/nonexistent' };
  it('carries the limits into the worker config', async () => {
    const { spec } = parse(
      'g umask=022 cpu-time-limit=2 memory-limit=10 virtual-memory-limit=20 stack-size=40960 cpu-priority=3',
    );
    const plan = await planSpawn(spec, ctx);
    assert.deepEqual(
      { ...plan.process, privileges: null },
      {
        umask: 0o022,
        cpuPriority: 3,
        cpuTimeLimit: 2,
        memoryLimit: 10,
        virtualMemoryLimit: 20,
        stackSize: 40960,
        privileges: null,
      },
    );
    const cfg = workerConfig(spec, 'ag', [], '/', plan);
    assert.deepEqual(cfg.process, plan.process);
    assert.equal(workerConfig(spec, 'ag', [], '/').process, undefined);
  });

  it('defaults to nothing applied', async () => {
    const { spec } = parse('g');
    const plan = await planSpawn(spec, ctx);
    assert.deepEqual(plan.process, {
      umask: null,
      cpuPriority: 0,
      cpuTimeLimit: 0,
      memoryLimit: 0,
      virtualMemoryLimit: 0,
      stackSize: 0,
      privileges: null,
    });
  });

  it('root with supplementary-groups and no user changes only the group list', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root');
      return;
    }
    const { spec } = parse('g supplementary-groups=#77,root');
    const plan = await planSpawn(spec, ctx);
    assert.deepEqual(plan.process.privileges, {
      user: 'root',
      uid: 0,
      gid: process.getgid?.(),
      groups: [process.getgid?.(), 77, 0],
    });
  });

  it('fails on an unknown supplementary group, even without a user switch', async () => {
    const { spec } = parse('g supplementary-groups=no-such-group-here');
    await assert.rejects(planSpawn(spec, ctx), {
      message: "group 'no-such-group-here' in supplementary-groups does not exist",
    });
  });
});
