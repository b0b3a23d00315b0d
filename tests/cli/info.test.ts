// httpd: server/main.c (-t, -S, -M, -v, -V, -h, -l, -L) — the informational flags of the
// real bin/tswsgi, run as a child process; -S is compared with the real `apache2 -S`.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runCommand, tempDir } from './support.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A config both tswsgi and Apache read (real module paths; same line numbers for both). */
function siteConf(dir: string): string {
  return [
    `ServerRoot ${dir}`, // 1
    'Listen 127.0.0.1:18999', // 2
    'ServerName localhost', // 3
    `PidFile ${dir}/httpd.pid`, // 4
    `ErrorLog ${dir}/error_log`, // 5
    'LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so', // 6
    'LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so', // 7
    'LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so', // 8
    'LoadModule env_module /usr/lib/apache2/modules/mod_env.so', // 9
    `DocumentRoot ${dir}`, // 10
    'Define FOO', // 11
    '<IfDefine BROKEN>', // 12
    '  NoSuchDirective x', // 13
    '</IfDefine>', // 14
    'WSGIDaemonProcess g1 processes=2 threads=3', // 15
    `WSGIScriptAlias /app ${dir}/app.wsgi process-group=g1`, // 16
    '<VirtualHost *:18999>', // 17
    '  ServerName a.example', // 18
    '  ServerAlias www.a.example', // 19
    '</VirtualHost>', // 20
    '<VirtualHost *:18999>', // 21
    '  ServerName b.example', // 22
    '</VirtualHost>', // 23
    '<VirtualHost 127.0.0.1:18999>', // 24
    '  ServerName c.example', // 25
    '</VirtualHost>', // 26
    '',
  ].join('\n');
}

function site(): { dir: string; conf: string } {
  const dir = tempDir({
    'app.wsgi': 'def application(e, s):\n    s("200 OK", [])\n    return [b""]\n',
  });
  dirs.push(dir);
  const conf = join(dir, 'httpd.conf');
  const text = siteConf(dir);
  writeFileSync(conf, text);
  return { dir, conf };
}

describe('-t (configtest)', () => {
  it('prints Syntax OK on stderr and exits 0', async () => {
    const { conf } = site();
    const r = await run(['-f', conf, '-t']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, 'Syntax OK\n');
    assert.equal(r.stdout, '');
  });

  it('reports an unknown directive as Apache does (AH00526, file:line) and exits 1; -D decides <IfDefine>', async () => {
    const { conf } = site();
    const r = await run(['-f', conf, '-t', '-D', 'BROKEN']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `AH00526: Syntax error on line 13 of ${conf}:\nInvalid command 'NoSuchDirective', perhaps misspelled or defined by a module not included in the server configuration\n`,
    );
    const glued = await run(['-f', conf, '-t', '-DBROKEN']);
    assert.equal(glued.code, 1);
  });

  it('rejects LoadModule of a module tswsgi does not implement, with the exact message', async () => {
    const dir = tempDir({
      'httpd.conf': 'LoadModule lua_module /usr/lib/apache2/modules/mod_lua.so\n',
    });
    dirs.push(dir);
    const r = await run(['-d', dir, '-f', 'httpd.conf', '-t']);
    assert.equal(r.code, 1);
    // httpd reports LoadModule (an EXEC_ON_READ directive) as "<prog>: Syntax error on line N of FILE: …"
    assert.equal(
      r.stderr,
      `tswsgi: Syntax error on line 1 of ${join(dir, 'httpd.conf')}: Cannot load /usr/lib/apache2/modules/mod_lua.so into server: tswsgi does not implement module lua_module\n`,
    );
  });

  it('-C adds a directive before the file, -c after it; both are checked', async () => {
    const { conf } = site();
    const bad = await run(['-f', conf, '-t', '-c', 'Bogus on']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid command 'Bogus', perhaps misspelled/);
    // -C "Define BROKEN" makes the file's <IfDefine BROKEN> block active
    const viaC = await run(['-f', conf, '-t', '-C', 'Define BROKEN']);
    assert.equal(viaC.code, 1);
    assert.match(viaC.stderr, /Syntax error on line 13 of /);
    const ok = await run(['-f', conf, '-t', '-C', 'ServerAdmin x@example.com']);
    assert.equal(ok.code, 0);
    assert.equal(ok.stderr, 'Syntax OK\n');
  });

  it('a missing config file: exit 1 and a message naming it', async () => {
    const r = await run(['-f', '/nonexistent/tswsgi.conf', '-t']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/nonexistent\/tswsgi\.conf/);
  });
});

describe('-S / -t -D DUMP_VHOSTS / -t -D DUMP_RUN_CFG', () => {
  it('lists vhosts (IP-specific first) and run settings with file:line', async () => {
    const { dir, conf } = site();
    const r = await run(['-f', conf, '-S']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const uid = String(process.getuid?.() ?? 0);
    const user = (await runCommand('id', ['-un'])).stdout.trim();
    assert.deepEqual(lines.slice(0, 7), [
      'VirtualHost configuration:',
      `127.0.0.1:18999        c.example (${conf}:24)`,
      '*:18999                is a NameVirtualHost',
      `         default server a.example (${conf}:17)`,
      `         port 18999 namevhost a.example (${conf}:17)`,
      '                 alias www.a.example',
      `         port 18999 namevhost b.example (${conf}:21)`,
    ]);
    assert.deepEqual(lines.slice(7), [
      `ServerRoot: "${dir}"`,
      `Main DocumentRoot: "${dir}"`,
      `Main ErrorLog: "${dir}/error_log"`,
      `PidFile: "${dir}/httpd.pid"`,
      'Define: DUMP_VHOSTS',
      'Define: DUMP_RUN_CFG',
      'Define: FOO',
      `User: name="${user}" id=${uid}`,
      `Group: name="${user}" id=${(await runCommand('id', ['-g'])).stdout.trim()}`,
      `Listen: 127.0.0.1:18999 (${conf}:2)`,
      `WSGIDaemonProcess: g1 processes=2 threads=3 (${conf}:15)`,
    ]);
    assert.equal(r.stderr, '');
  });

  it('-t -D DUMP_VHOSTS prints only the vhost table, -t -D DUMP_RUN_CFG only the run settings', async () => {
    const { conf } = site();
    const v = await run(['-f', conf, '-t', '-D', 'DUMP_VHOSTS']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^VirtualHost configuration:\n/);
    assert.doesNotMatch(v.stdout, /ServerRoot:/);
    assert.doesNotMatch(v.stderr, /Syntax OK/);
    const c = await run(['-f', conf, '-t', '-D', 'DUMP_RUN_CFG']);
    assert.equal(c.code, 0);
    assert.match(c.stdout, /^ServerRoot: /);
    assert.doesNotMatch(c.stdout, /VirtualHost configuration/);
  });

  it('-S on a bad config fails like -t', async () => {
    const { conf } = site();
    const r = await run(['-f', conf, '-S', '-D', 'BROKEN']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^AH00526: Syntax error on line 13 of /);
  });

  it(
    'prints every line real `apache2 -S` prints for the same conf (except Mutex and Define values)',
    { skip: !existsSync('/usr/sbin/apache2') && 'apache2 not installed' },
    async () => {
      const { dir, conf } = site();
      const env = {
        ...process.env,
        APACHE_RUN_DIR: dir,
        APACHE_LOCK_DIR: dir,
        APACHE_LOG_DIR: dir,
        APACHE_PID_FILE: join(dir, 'httpd.pid'),
        APACHE_RUN_USER: 'www-data',
        APACHE_RUN_GROUP: 'www-data',
      };
      const apache = await runCommand('/usr/sbin/apache2', ['-f', conf, '-S'], { env });
      assert.equal(apache.code, 0, apache.stderr);
      const ours = await run(['-f', conf, '-S']);
      const expected = apache.stdout
        .split('\n')
        .filter(
          (l) =>
            l !== '' &&
            !l.startsWith('Mutex ') &&
            !l.startsWith('User:') &&
            !l.startsWith('Group:'),
        );
      const got = ours.stdout.split('\n');
      // Apache's lines appear in ours, in the same order (User/Group differ: apache2 -S
      // reports the configured www-data, the conf here has no User).
      let at = 0;
      for (const line of expected) {
        const i = got.indexOf(line, at);
        assert.notEqual(
          i,
          -1,
          `apache2 -S line missing or out of order: ${JSON.stringify(line)}\n--- ours:\n${ours.stdout}`,
        );
        at = i + 1;
      }
    },
  );
});

describe('-M, -l, -L, -v, -V, -h', () => {
  it('-M lists loaded modules as apache2 -M: static built-ins, then LoadModule ones as shared', async () => {
    const { conf } = site();
    const r = await run(['-f', conf, '-M']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'Loaded Modules:',
      ' core_module (static)',
      ' so_module (static)',
      ' watchdog_module (static)',
      ' http_module (static)',
      ' log_config_module (static)',
      ' logio_module (static)',
      ' version_module (static)',
      ' unixd_module (static)',
      // LoadModule order, the MPM included (checked on apache2 -M with Debian's tree).
      ' mpm_event_module (shared)',
      ' authz_core_module (shared)',
      ' wsgi_module (shared)',
      ' env_module (shared)',
    ]);
  });

  it('-M needs a valid config', async () => {
    const { conf } = site();
    const r = await run(['-f', conf, '-M', '-DBROKEN']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AH00526/);
  });

  it('-l lists compiled-in modules by source file name', async () => {
    const r = await run(['-l']);
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'Compiled in modules:');
    assert.ok(lines.includes('  core.c'));
    assert.ok(lines.includes('  mod_wsgi.c'));
    assert.ok(lines.includes('  mod_alias.c'));
  });

  it('-L lists each directive as Apache: name (module), help, Allowed in …', async () => {
    const r = await run(['-L']);
    assert.equal(r.code, 0);
    const text = r.stdout;
    assert.match(
      text,
      /^DocumentRoot \(core\.c\)\n\tRoot directory of the document tree\n\tAllowed in \*\.conf only outside <Directory>, <Files>, <Location>, or <If>\n/m,
    );
    assert.match(
      text,
      /^WSGIScriptAlias \(mod_wsgi\.c\)\n\t.+\n\tAllowed in \*\.conf only outside <Directory>, <Files>, <Location>, or <If>\n/m,
    );
    assert.match(
      text,
      /^SetEnv \(mod_env\.c\)\n\t.+\n\tAllowed in \*\.conf anywhere and in \.htaccess\n\twhen AllowOverride includes FileInfo\n/m,
    );
    // every entry has three lines (name, help, where) or four (.htaccess)
    assert.match(text, /^WSGIDaemonProcess \(mod_wsgi\.c\)$/m);
  });

  it('-v and -V name the server and its compiled-in defaults', async () => {
    const v = await run(['-v']);
    assert.equal(v.code, 0);
    assert.match(
      v.stdout,
      /^Server version: tswsgi\/\d+\.\d+\.\d+ \(Apache\/2\.4\.\d+ compatible; mod_wsgi compatible\)\nServer built: {3}node v\d+/,
    );
    const V = await run(['-V']);
    assert.equal(V.code, 0);
    assert.match(V.stdout, /^Server version: /);
    assert.match(V.stdout, /^ -D HTTPD_ROOT="\/etc\/apache2"$/m);
    assert.match(V.stdout, /^ -D SERVER_CONFIG_FILE="apache2\.conf"$/m);
    assert.match(V.stdout, /^Server MPM: /m);
  });

  it('-h prints the usage on stdout; a bad flag prints it on stderr with exit 1', async () => {
    const h = await run(['-h']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Usage: tswsgi \[-D name\] \[-d directory\] \[-f file\]/);
    assert.match(h.stdout, /-S {17}: a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG/);
    const bad = await run(['-Q']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^tswsgi: Illegal option -Q\nUsage: tswsgi /);
    const k = await run(['-k', 'reload']);
    assert.equal(k.code, 1);
    assert.match(k.stderr, /^tswsgi: Illegal -k argument 'reload'\n/);
  });
});
