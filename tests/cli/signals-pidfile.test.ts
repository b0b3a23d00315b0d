// httpd: server/mpm_unix.c (ap_signal_server) + server/log.c (ap_read_pid, ap_log_pid) —
// what `-k` prints and returns for each state of the PidFile. Every expected output and
// exit code below was taken from apache2 2.4 (`apache2 -f conf -k …`), "httpd" → "tswsgi".

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alive,
  get,
  killIfAlive,
  run,
  spawnServer,
  stopChild,
  tempDir,
  waitFor,
} from './support.js';
import type { ChildProcess } from 'node:child_process';

function conf(dir: string, port: number): string {
  return `ServerRoot ${dir}
Listen 127.0.0.1:${port}
ServerName localhost
PidFile ${dir}/run/httpd.pid
ErrorLog ${dir}/error_log
LogLevel notice
LoadModule authz_core_module builtin:mod_authz_core
DocumentRoot ${dir}/htdocs
<Directory ${dir}>
  Require all granted
</Directory>
`;
}

const dirs: string[] = [];
const pids: number[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  for (const p of pids) killIfAlive(p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A temp ServerRoot with a config on port 9 (never bound here) and an optional PidFile
 * (the content, or 'dir' for a directory in its place).
 */
function setup(pidFile?: string): { dir: string; file: string; pidPath: string } {
  const dir = tempDir({ 'htdocs/who.txt': 'hello\n', 'run/.keep': '' });
  dirs.push(dir);
  const pidPath = join(dir, 'run/httpd.pid');
  if (pidFile === 'dir') mkdirSync(pidPath);
  else if (pidFile !== undefined) writeFileSync(pidPath, pidFile);
  const file = join(dir, 'httpd.conf');
  writeFileSync(file, conf(dir, 9));
  return { dir, file, pidPath };
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync('true');
  assert.ok(r.pid !== undefined && r.pid > 0);
  return r.pid;
}

describe('-k with no running server', () => {
  for (const action of ['stop', 'graceful-stop']) {
    it(`${action} without a PidFile: "(no pid file) not running" on stdout, exit 0`, async () => {
      const { file } = setup();
      const r = await run(['-f', file, '-k', action]);
      assert.deepEqual(r, { code: 0, stdout: 'tswsgi (no pid file) not running\n', stderr: '' });
    });

    it(`${action} with a stale PidFile: "(pid N?) not running", exit 0, the file left alone`, async () => {
      const pid = deadPid();
      const { file, pidPath } = setup(`${pid}\n`);
      const r = await run(['-f', file, '-k', action]);
      assert.deepEqual(r, { code: 0, stdout: `tswsgi (pid ${pid}?) not running\n`, stderr: '' });
      assert.equal(readFileSync(pidPath, 'utf8'), `${pid}\n`);
    });
  }

  it('a PidFile with text after the digits is read as strtol does', async () => {
    const pid = deadPid();
    const { file } = setup(`${pid}xyz`);
    const r = await run(['-f', file, '-k', 'stop']);
    assert.deepEqual(r, { code: 0, stdout: `tswsgi (pid ${pid}?) not running\n`, stderr: '' });
  });

  const corrupt: readonly [string, string, string][] = [
    ['non-numeric', 'garbage\n', '(20014)Internal error (specific information not available)'],
    ['empty', '', '(20014)Internal error (specific information not available)'],
    [
      'overlong',
      '1234567890123456789012345\n',
      '(20014)Internal error (specific information not available)',
    ],
    ['a directory', 'dir', '(21)Is a directory'],
  ];
  for (const [what, content, error] of corrupt) {
    for (const action of ['stop', 'graceful', 'start']) {
      it(`${action} with a ${what} PidFile: AH00058 + AH00059 on stderr, exit 1`, async () => {
        const { file, pidPath } = setup(content);
        const r = await run(['-f', file, '-k', action]);
        assert.deepEqual(r, {
          code: 1,
          stdout: '',
          stderr: `${error}: AH00058: Error retrieving pid file ${pidPath}\nAH00059: Remove it before continuing if it is corrupted.\n`,
        });
      });
    }
  }
});

describe('-k restart|graceful|start and a running server', () => {
  for (const action of ['graceful', 'restart']) {
    it(`${action} with no server: "not running, trying to start" on stdout, then starts`, async () => {
      const pid = deadPid();
      const { dir, file, pidPath } = setup(`${pid}\n`);
      const { port } = await spawnServer((p) => {
        writeFileSync(file, conf(dir, p));
        return ['-f', file, '-k', action];
      }).then(async (s) => {
        children.push(s.child);
        // the detaching parent prints the line, then exits 0 once the server is ready
        const code = await new Promise<number | null>((r) =>
          s.child.exitCode !== null ? r(s.child.exitCode) : s.child.once('exit', r),
        );
        assert.equal(code, 0);
        assert.equal(s.output(), 'tswsgi not running, trying to start\n');
        return s;
      });
      const started = Number(readFileSync(pidPath, 'utf8'));
      pids.push(started);
      assert.notEqual(started, pid);
      const r = await get(port, '/who.txt');
      assert.equal(r.body, 'hello\n');
      // the stale PidFile was overwritten: httpd's ap_log_pid warning
      assert.match(
        readFileSync(join(dir, 'error_log'), 'utf8'),
        new RegExp(
          `\\[core:warn\\] \\[pid ${started}:tid ${started}\\] AH00098: pid file ${pidPath} overwritten -- Unclean shutdown of previous Apache run\\?`,
        ),
      );

      // start (with -k, or in the foreground without it) sees it: stdout, exit 0
      for (const args of [['-k', 'start'], ['-DFOREGROUND']]) {
        const again = await run(['-f', file, ...args]);
        assert.deepEqual(again, {
          code: 0,
          stdout: `tswsgi (pid ${started}) already running\n`,
          stderr: '',
        });
      }
      const s = await run(['-f', file, '-k', 'stop']);
      assert.deepEqual(s, { code: 0, stdout: '', stderr: '' });
      await waitFor('server to exit', () => (alive(started) ? undefined : true));
      assert.equal(existsSync(pidPath), false);
    });
  }
});
