// httpd: server/listen.c + server/mpm/event/event.c — SIGUSR1/SIGHUP re-read Listen: the
// real bin/tswsgi binds added Listens, keeps retained ones (their idle keep-alive
// connections are closed by the restart, as httpd's old children close theirs), closes
// dropped ones, and — as httpd does — exits 1 when a new Listen cannot be bound, logging
// make_sock's line and leaving its PidFile behind (checked against apache2 2.4).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawConnection } from '../support/raw-http.js';
import { freePort, get, portOpen, spawnServer, stopChild, tempDir, waitFor } from './support.js';

function conf(dir: string, ports: readonly number[]): string {
  return `ServerRoot ${dir}
${ports.map((p) => `Listen 127.0.0.1:${p}`).join('\n')}
ServerName localhost
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error_log
LogLevel notice
LoadModule authz_core_module builtin:mod_authz_core
DocumentRoot ${dir}/htdocs
<Directory ${dir}>
  Require all granted
</Directory>
`;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A foreground tswsgi listening on A; returns it with its dir and config file. */
async function start(): Promise<{ child: ChildProcess; a: number; dir: string; file: string }> {
  const dir = tempDir({ 'htdocs/who.txt': 'hello\n' });
  dirs.push(dir);
  const file = join(dir, 'httpd.conf');
  const { child, port } = await spawnServer((p) => {
    writeFileSync(file, conf(dir, [p]));
    return ['-f', file, '-DFOREGROUND'];
  });
  children.push(child);
  return { child, a: port, dir, file };
}

const errorLog = (dir: string): string =>
  existsSync(join(dir, 'error_log')) ? readFileSync(join(dir, 'error_log'), 'utf8') : '';

/** Another port than `not`, free a moment ago. */
async function otherPort(...not: number[]): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (!not.includes(p)) return p;
  }
}

const exited = (c: ChildProcess): Promise<number | null> =>
  c.exitCode !== null
    ? Promise.resolve(c.exitCode)
    : new Promise((r) => c.once('exit', (code) => r(code)));

describe('reload applies Listen changes', () => {
  it('graceful adds a Listen, restart drops one; an idle keep-alive connection is closed', async () => {
    const { child, a, dir, file } = await start();
    const pid = child.pid ?? 0;
    const ka = await RawConnection.open(a);
    ka.send('GET /who.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await ka.read()).body.toString(), 'hello\n');

    const b = await otherPort(a);
    writeFileSync(file, conf(dir, [a, b]));
    process.kill(pid, 'SIGUSR1');
    await waitFor('B to listen', async () => ((await portOpen(b)) ? true : undefined));
    for (const port of [a, b]) {
      const r = await get(port, '/who.txt');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'hello\n');
    }
    // httpd 2.4 (event): the graceful closes the old generation's idle keep-alive connections
    await ka.closed;
    assert.equal(ka.open, false);
    assert.match(errorLog(dir), /AH00493: SIGUSR1 received\. {2}Doing graceful restart/);

    writeFileSync(file, conf(dir, [b]));
    process.kill(pid, 'SIGHUP');
    await waitFor('A to close', async () => ((await portOpen(a)) ? undefined : true));
    const rb = await get(b, '/who.txt');
    assert.equal(rb.status, 200);
    assert.equal(rb.body, 'hello\n');
    assert.match(errorLog(dir), /AH00494: SIGHUP received\. {2}Attempting to restart/);
    assert.equal(child.exitCode, null);
  });

  for (const [signal, id, text] of [
    ['SIGUSR1', 'AH00493', 'SIGUSR1 received.  Doing graceful restart'],
    ['SIGHUP', 'AH00494', 'SIGHUP received.  Attempting to restart'],
  ] as const) {
    it(`${signal} with a new Listen already in use: make_sock's error, then exit 1 (as httpd)`, async () => {
      const { child, a, dir, file } = await start();
      const busy = createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
      const c = (busy.address() as { port: number }).port;
      try {
        writeFileSync(file, conf(dir, [a, c]));
        const code = exited(child);
        process.kill(child.pid ?? 0, signal);
        assert.equal(await code, 1);
      } finally {
        await new Promise<void>((r) => busy.close(() => r()));
      }
      assert.equal(await portOpen(a), false);
      // httpd's parent exits without removing its PidFile (apache2 2.4 leaves it)
      assert.equal(readFileSync(join(dir, 'httpd.pid'), 'utf8'), `${child.pid}\n`);
      const lines = errorLog(dir).trimEnd().split('\n');
      const tail = lines.slice(-4).map((l) => l.replace(/^\[[^\]]+\] /, ''));
      const p = `[pid ${child.pid}:tid ${child.pid}]`;
      assert.deepEqual(tail, [
        `[mpm_event:notice] ${p} ${id}: ${text}`,
        `[core:crit] ${p} (98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${c}`,
        `[mpm_event:alert] ${p} no listening sockets available, shutting down`,
        `[:emerg] ${p} AH00019: Unable to open logs, exiting`,
      ]);
    });
  }
});
