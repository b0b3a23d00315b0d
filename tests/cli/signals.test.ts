// httpd: server/mpm/event/event.c + support/apachectl — `-k start|graceful|restart|
// graceful-stop|stop` against the real bin/tswsgi: daemonizing, PidFile, config reload
// with an in-flight request, a bad config on reload, and no worker left after stop.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alive,
  childPids,
  freePort,
  get,
  killIfAlive,
  portOpen,
  run,
  tempDir,
  waitFor,
  type RunResult,
} from './support.js';

const APP = `import os, time
def application(environ, start_response):
    path = environ.get('PATH_INFO', '')
    if path == '/slow':
        time.sleep(0.6)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [('%s %d' % (environ.get('FOO'), os.getpid())).encode()]
`;

function conf(dir: string, port: number, foo: string, extra = ''): string {
  return `ServerRoot ${dir}
Listen 127.0.0.1:${port}
ServerName localhost
PidFile ${dir}/run/httpd.pid
ErrorLog ${dir}/error_log
LogLevel notice
LoadModule wsgi_module builtin:mod_wsgi
LoadModule env_module builtin:mod_env
LoadModule authz_core_module builtin:mod_authz_core
LoadModule alias_module builtin:mod_alias
DocumentRoot ${dir}/htdocs
<Directory ${dir}>
  Require all granted
</Directory>
SetEnv FOO ${foo}
WSGIDaemonProcess sig processes=1 threads=4
WSGIScriptAlias /app ${dir}/app.wsgi process-group=sig application-group=%{GLOBAL}
${extra}
`;
}

const started: number[] = [];
const dirs: string[] = [];
after(() => {
  for (const pid of started) killIfAlive(pid);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `-k start` on a free port (retrying on EADDRINUSE); returns the dir, port and server pid. */
async function kStart(
  foo: string,
): Promise<{ dir: string; port: number; pid: number; file: string; start: RunResult }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const dir = tempDir({ 'app.wsgi': APP, 'htdocs/index.html': 'hi\n', 'run/.keep': '' });
    dirs.push(dir);
    const port = await freePort();
    const file = join(dir, 'httpd.conf');
    writeFileSync(file, conf(dir, port, foo));
    const start = await run(['-f', file, '-k', 'start']);
    if (start.code !== 0 && start.stderr.includes('Address already in use')) continue;
    assert.equal(start.code, 0, start.stderr);
    const pid = Number(readFileSync(join(dir, 'run/httpd.pid'), 'utf8').trim());
    started.push(pid);
    return { dir, port, pid, file, start };
  }
  throw new Error('no free port');
}

const errorLog = (dir: string): string =>
  existsSync(join(dir, 'error_log')) ? readFileSync(join(dir, 'error_log'), 'utf8') : '';

describe('-k signals', () => {
  it('start daemonizes once listening; graceful/restart reload the config; a bad config keeps the old one; stop cleans up', async () => {
    const { dir, port, pid, file, start } = await kStart('one');
    // the command returned only once the server listens and the PidFile exists
    assert.equal(start.stderr, '');
    assert.equal(await portOpen(port), true);
    assert.equal(alive(pid), true);
    const first = await get(port, '/app');
    assert.equal(first.status, 200);
    assert.match(first.body, /^one \d+$/);

    // a second start sees the running server
    const again = await run(['-f', file, '-k', 'start']);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, `tswsgi (pid ${pid}) already running\n`);
    assert.equal(again.stderr, '');

    // graceful: the in-flight request completes, the next one sees the new SetEnv
    const slow = get(port, '/app/slow');
    await waitFor('slow request to reach the worker', () =>
      childPids(pid).length > 0 ? true : undefined,
    );
    writeFileSync(file, conf(dir, port, 'two'));
    const g = await run(['-f', file, '-k', 'graceful']);
    assert.equal(g.code, 0, g.stderr);
    const done = await slow;
    assert.equal(done.status, 200);
    assert.match(done.body, /^one \d+$/);
    await waitFor('new config to be served', async () =>
      (await get(port, '/app')).body.startsWith('two ') ? true : undefined,
    );
    assert.match(errorLog(dir), /AH00493: SIGUSR1 received\. {2}Doing graceful restart/);

    // a broken config on graceful: logged, the old config keeps serving
    writeFileSync(file, conf(dir, port, 'three', 'NoSuchDirective on'));
    process.kill(pid, 'SIGUSR1');
    await waitFor('the config error in the error log', () =>
      /AH00526: .*NoSuchDirective/.test(errorLog(dir)) ? true : undefined,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${errorLog(dir)}`);
    });
    assert.match(errorLog(dir), /keeping the running configuration/);
    const still = await get(port, '/app');
    assert.equal(still.status, 200);
    assert.match(still.body, /^two \d+$/);
    assert.equal(alive(pid), true);
    // … and `-k graceful` itself refuses a broken config, as httpd does (exit 1, no signal)
    const refused = await run(['-f', file, '-k', 'graceful']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^AH00526: Syntax error on line 18 of /);

    // restart (SIGHUP): new config served
    writeFileSync(file, conf(dir, port, 'four', 'Alias /static ' + join(dir, 'htdocs')));
    const r = await run(['-f', file, '-k', 'restart']);
    assert.equal(r.code, 0, r.stderr);
    // A restart cuts every open connection, as httpd's does: a poll that connected just
    // before the SIGHUP is reset, so a failed poll is retried, not an error.
    await waitFor('restart to serve the new config', async () =>
      (await get(port, '/app').catch(() => undefined))?.body.startsWith('four ') ? true : undefined,
    );
    const stat = await get(port, '/static/index.html');
    assert.equal(stat.status, 200);
    assert.equal(stat.body, 'hi\n');
    assert.match(errorLog(dir), /AH00494: SIGHUP received\. {2}Attempting to restart/);

    // stop: the server, its PidFile and every Python worker are gone
    const workers = childPids(pid);
    assert.ok(workers.length >= 1, 'a daemon worker is running');
    const s = await run(['-f', file, '-k', 'stop']);
    assert.equal(s.code, 0, s.stderr);
    await waitFor('server to exit', () => (alive(pid) ? undefined : true));
    assert.equal(existsSync(join(dir, 'run/httpd.pid')), false);
    await waitFor('workers to exit', () => (workers.some(alive) ? undefined : true));
    assert.equal(await portOpen(port), false);
    assert.match(errorLog(dir), /AH00491: caught SIGTERM, shutting down/);

    // stop again: not running
    const s2 = await run(['-f', file, '-k', 'stop']);
    assert.equal(s2.code, 0);
    assert.equal(s2.stdout, 'tswsgi (no pid file) not running\n');
    assert.equal(s2.stderr, '');
  });

  it('graceful-stop lets the in-flight request finish, then exits', async () => {
    const { dir, port, pid, file } = await kStart('gs');
    const slow = get(port, '/app/slow');
    await waitFor('slow request to reach the worker', () =>
      childPids(pid).length > 0 ? true : undefined,
    );
    // give the request time to be accepted by the server before the signal
    await waitFor('request in flight', async () =>
      (await get(port, '/app')).status === 200 ? true : undefined,
    );
    const gs = await run(['-f', file, '-k', 'graceful-stop']);
    assert.equal(gs.code, 0, gs.stderr);
    const res = await slow;
    assert.equal(res.status, 200);
    assert.match(res.body, /^gs \d+$/);
    await waitFor('server to exit', () => (alive(pid) ? undefined : true));
    assert.equal(existsSync(join(dir, 'run/httpd.pid')), false);
    assert.match(errorLog(dir), /AH00492: caught SIGWINCH, shutting down gracefully/);
  });

  it('a stale PidFile is reported, not signalled', async () => {
    const dir = tempDir({ 'run/httpd.pid': '999999\n' });
    dirs.push(dir);
    const file = join(dir, 'httpd.conf');
    writeFileSync(file, conf(dir, await freePort(), 'x'));
    const r = await run(['-f', file, '-k', 'stop']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'tswsgi (pid 999999?) not running\n');
    assert.equal(r.stderr, '');
  });

  it('start on a port in use fails like httpd (AH00072, exit 1) and leaves no process', async () => {
    const { dir, port, pid } = await kStart('busy');
    const dir2 = tempDir({ 'app.wsgi': APP, 'run/.keep': '' });
    dirs.push(dir2);
    const file2 = join(dir2, 'httpd.conf');
    writeFileSync(file2, conf(dir2, port, 'x'));
    const r = await run(['-f', file2, '-k', 'start']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${port}\nno listening sockets available, shutting down\nAH00015: Unable to open logs\n`,
    );
    assert.equal(existsSync(join(dir2, 'run/httpd.pid')), false);
    const s = await run(['-f', join(dir, 'httpd.conf'), '-k', 'stop']);
    assert.equal(s.code, 0);
    await waitFor('server to exit', () => (alive(pid) ? undefined : true));
  });
});
