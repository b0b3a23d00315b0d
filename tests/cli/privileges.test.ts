// httpd: os/unix/unixd.c (unixd_setup_child): started as root with User/Group, the front
// end switches to them once the listeners are bound — unless a WSGIDaemonProcess runs as a
// third user, which only root can start (mod_wsgi forks daemons from the root parent).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { get, spawnServer, stopChild, tempDir, waitFor } from './support.js';

const APP = `import os
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [('uid %d' % os.getuid()).encode()]
`;

const root = process.getuid?.() === 0;
const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Real uid of a process, from /proc. */
function uidOf(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]);
}

function conf(dir: string, port: number, daemonUser: string): string {
  return [
    `ServerRoot ${dir}`,
    `Listen 127.0.0.1:${port}`,
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    'LoadModule wsgi_module x',
    'LoadModule authz_core_module x',
    'User www-data',
    'Group www-data',
    `WSGIDaemonProcess app python-home=/usr ${daemonUser}`,
    `WSGIScriptAlias / ${dir}/app.wsgi process-group=app`,
    `<Directory ${dir}>`,
    '  Require all granted',
    '</Directory>',
    '',
  ].join('\n');
}

async function start(daemonUser: string): Promise<{ dir: string; port: number; pid: number }> {
  const dir = tempDir({ 'app.wsgi': APP });
  dirs.push(dir);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'app.wsgi'), 0o644);
  const { child, port } = await spawnServer((p) => {
    const f = join(dir, 'httpd.conf');
    writeFileSync(f, conf(dir, p, daemonUser));
    return ['-f', f, '-DFOREGROUND'];
  });
  children.push(child);
  return { dir, port, pid: child.pid ?? 0 };
}

describe('User/Group when started as root', { skip: root ? false : 'needs root' }, () => {
  it('switches the front end to User once listening; daemons run as User too', async () => {
    const { port, pid } = await start('');
    await waitFor('privileges dropped', () => (uidOf(pid) === 33 ? true : undefined), 5000);
    assert.equal(uidOf(pid), 33);
    const r = await get(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'uid 33');
  });

  it('keeps root, and says why, when a daemon group runs as another user', async () => {
    const { dir, port, pid } = await start('user=nobody group=nogroup');
    const r = await get(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'uid 65534');
    assert.equal(uidOf(pid), 0, 'the front end must stay root to (re)spawn the nobody daemons');
    assert.match(
      readFileSync(join(dir, 'error.log'), 'utf8'),
      /front end stays root: WSGIDaemonProcess app run as another user than User www-data, and only root can start them/,
    );
  });
});
