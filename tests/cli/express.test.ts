// mod_wsgi: src/express (mod_wsgi-express start-server) — `tswsgi start-server` run as a
// real child process: the generated config, serving, and its options end to end.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get, run, spawnServer, stopChild, tempDir, waitFor } from './support.js';
import type { ChildProcess } from 'node:child_process';

const APP = `import json, os, sys
def application(environ, start_response):
    body = json.dumps({
        'script_name': environ.get('SCRIPT_NAME'),
        'path_info': environ.get('PATH_INFO'),
        'executable': sys.executable,
        'pid': os.getpid(),
        'multiprocess': environ.get('wsgi.multiprocess'),
        'multithread': environ.get('wsgi.multithread'),
        'greeting': environ.get('GREETING'),
    }).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
`;

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `start-server SCRIPT --host 127.0.0.1 --port P --server-root ROOT`: every test's prefix. */
function serverArgs(script: string, port: number, root: string): string[] {
  return [
    'start-server',
    script,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--server-root',
    root,
  ];
}

function site(): string {
  const dir = tempDir({
    'app.wsgi': APP,
    'static/hello.txt': 'static hello\n',
    'docs/robots.txt': 'User-agent: *\n',
  });
  dirs.push(dir);
  return dir;
}

describe('start-server', () => {
  it('--dump-config prints the IR with the daemon group spec and does not serve', async () => {
    const dir = site();
    const r = await run([
      'start-server',
      join(dir, 'app.wsgi'),
      '--port',
      '18777',
      '--host',
      '127.0.0.1',
      '--processes',
      '2',
      '--threads',
      '4',
      '--server-root',
      join(dir, 'root'),
      '--dump-config',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const ir = JSON.parse(r.stdout) as {
      listen: { host: string; port: number }[];
      main: { server: Record<string, { daemons?: { spec: Record<string, unknown> }[] }> };
    };
    assert.deepEqual(
      ir.listen.map((l) => [l.host, l.port]),
      [['127.0.0.1', 18777]],
    );
    const daemons = Object.values(ir.main.server).flatMap((slot) => slot.daemons ?? []);
    assert.equal(daemons.length, 1);
    const spec = daemons[0]?.spec ?? {};
    assert.equal(spec['name'], '127.0.0.1:18777');
    assert.equal(spec['processes'], 2);
    assert.equal(spec['threads'], 4);
    assert.equal(spec['processesExplicit'], true);
    assert.equal(spec['home'], dir);
    // the generated httpd.conf is kept in the server root
    assert.match(
      readFileSync(join(dir, 'root/httpd.conf'), 'utf8'),
      /^WSGIDaemonProcess "127\.0\.0\.1:18777" processes=2 threads=4 /m,
    );
  });

  it('serves the app with its options: mount point, url alias, access log, python, processes/threads, maximum-requests, log level', async () => {
    const dir = site();
    const root = join(dir, 'root');
    const { child, port, output } = await spawnServer((p) => [
      ...serverArgs(join(dir, 'app.wsgi'), p, root),
      '--processes',
      '2',
      '--threads',
      '4',
      '--mount-point',
      '/app',
      '--url-alias',
      '/static',
      join(dir, 'static'),
      '--access-log',
      '--log-level',
      'debug',
      '--python',
      '/usr/bin/python3',
      '--maximum-requests',
      '2',
      '--setenv',
      'GREETING',
      'hello',
    ]);
    children.push(child);
    assert.match(output(), /^Server URL {9}: http:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.match(output(), /^Request Capacity {3}: 8 \(2 process \* 4 threads\)$/m);

    const app = await get(port, '/app/some/path');
    assert.equal(app.status, 200);
    const env = JSON.parse(app.body) as Record<string, unknown>;
    assert.equal(env['script_name'], '/app');
    assert.equal(env['path_info'], '/some/path');
    assert.equal(env['executable'], '/usr/bin/python3');
    assert.equal(env['multiprocess'], true);
    assert.equal(env['multithread'], true);
    assert.equal(env['greeting'], 'hello');

    const stat = await get(port, '/static/hello.txt');
    assert.equal(stat.status, 200);
    assert.equal(stat.body, 'static hello\n');
    assert.equal(stat.headers.get('content-type'), 'text/plain');

    // --access-log: common format lines in server-root/access_log
    const accessLog = join(root, 'access_log');
    const lines = await waitFor('access log lines', () => {
      const l = existsSync(accessLog)
        ? readFileSync(accessLog, 'utf8').split('\n').filter(Boolean)
        : [];
      return l.length >= 2 ? l : undefined;
    });
    assert.match(
      lines[0] ?? '',
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/app\/some\/path HTTP\/1\.1" 200 \d+$/,
    );
    assert.match(lines[1] ?? '', /"GET \/static\/hello\.txt HTTP\/1\.1" 200 13$/);

    // --maximum-requests 2: 2 processes × 2 requests each, then recycled → new pids
    const pids = new Set<number>();
    for (let i = 0; i < 8; i++)
      pids.add((JSON.parse((await get(port, '/app')).body) as { pid: number }).pid);
    assert.ok(pids.size > 2, `workers recycled (saw pids ${[...pids].join(',')})`);

    // --log-level debug reaches the error log
    assert.match(readFileSync(join(root, 'httpd.conf'), 'utf8'), /^LogLevel debug$/m);
  });

  it('--document-root: existing files are served statically, other paths go to the app', async () => {
    const dir = site();
    const { child, port } = await spawnServer((p) => [
      ...serverArgs(join(dir, 'app.wsgi'), p, join(dir, 'root')),
      '--document-root',
      join(dir, 'docs'),
    ]);
    children.push(child);
    const robots = await get(port, '/robots.txt');
    assert.equal(robots.status, 200);
    assert.equal(robots.body, 'User-agent: *\n');
    const other = await get(port, '/anything');
    assert.equal(other.status, 200);
    const env = JSON.parse(other.body) as Record<string, unknown>;
    assert.equal(env['script_name'], '');
    assert.equal(env['path_info'], '/anything');
    // a single daemon process without --processes: wsgi.multiprocess is False
    assert.equal(env['multiprocess'], false);
  });

  it('--reload-on-changes restarts the daemon when an imported module changes', async () => {
    const dir = tempDir({
      'helper.py': "GREETING = 'one'\n",
      'app.wsgi': [
        'import os, sys',
        'sys.path.insert(0, os.path.dirname(__file__))',
        'import helper',
        'def application(environ, start_response):',
        "    start_response('200 OK', [('Content-Type', 'text/plain')])",
        "    return [('%s %d' % (helper.GREETING, os.getpid())).encode()]",
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const { child, port } = await spawnServer((p) => [
      ...serverArgs(join(dir, 'app.wsgi'), p, join(dir, 'root')),
      '--reload-on-changes',
      '--log-level',
      'info',
    ]);
    children.push(child);
    const first = await get(port, '/');
    assert.equal(first.status, 200);
    const [greeting, pid] = first.body.split(' ');
    assert.equal(greeting, 'one');
    assert.match(readFileSync(join(dir, 'root/httpd.conf'), 'utf8'), / reload-on-changes=On /);
    // Change the imported module (a different mtime and content), then poll until a fresh
    // process serves the new code; no request may fail meanwhile.
    writeFileSync(join(dir, 'helper.py'), "GREETING = 'two'\n");
    utimesSync(join(dir, 'helper.py'), new Date(), new Date(Date.now() + 5000));
    const next = await waitFor(
      'the reloaded module to be served',
      async () => {
        const r = await get(port, '/');
        assert.equal(r.status, 200, r.body);
        return r.body.startsWith('two ') ? r.body : undefined;
      },
      20000,
    );
    assert.notEqual(next.split(' ')[1], pid, 'served by a new daemon process');
    const errorLog = readFileSync(join(dir, 'root/error_log'), 'utf8');
    assert.match(
      errorLog,
      new RegExp(
        `tswsgi: file '${join(dir, 'helper.py').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' changed, restarting daemon process \\(pid ${pid}\\)`,
      ),
    );
  });

  it('rejects a bad option (usage, exit 1), a missing script, and a bad value', async () => {
    const bad = await run(['start-server', '--no-such-option']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^tswsgi: no such option: --no-such-option\nUsage: /);
    const missing = await run(['start-server', '/nonexistent/app.wsgi', '--port', '18778']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'tswsgi: no such WSGI script: /nonexistent/app.wsgi\n');
    const port = await run(['start-server', 'x.wsgi', '--port', 'eighty']);
    assert.equal(port.code, 1);
    assert.match(port.stderr, /^tswsgi: --port option requires an integer value, got 'eighty'\n/);
    const help = await run(['start-server', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tswsgi start-server \[script\.wsgi\] \[options\]\n/);
    assert.match(
      help.stdout,
      /^ {2}--reload-on-changes {12}Restart daemons when any loaded Python module changes\.$/m,
    );
  });
});
