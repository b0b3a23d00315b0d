import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { argvWithoutStart, dumpParts, parseHttpdArgs, UsageError } from './args.js';
import { parseExpressArgs, renderExpressConf } from './express.js';

describe('httpd command line', () => {
  it('reads -f, -d, -D (glued and separate), -C and -c in order', () => {
    const a = parseHttpdArgs([
      '-d',
      '/srv',
      '-f',
      'site.conf',
      '-DFOREGROUND',
      '-D',
      'X',
      '-C',
      'Define A',
      '-c',
      'LogLevel debug',
    ]);
    assert.equal(a.serverRoot, '/srv');
    assert.equal(a.configFile, 'site.conf');
    assert.deepEqual(a.defines, ['FOREGROUND', 'X']);
    assert.deepEqual(a.before, ['Define A']);
    assert.deepEqual(a.after, ['LogLevel debug']);
    assert.equal(a.action, 'serve');
    assert.equal(a.signal, undefined);
  });

  it('maps -t, -S, -M, -v, -V, -h and --dump-config to actions', () => {
    assert.equal(parseHttpdArgs(['-t']).action, 'configtest');
    const s = parseHttpdArgs(['-S']);
    assert.equal(s.action, 'vhosts');
    assert.deepEqual(s.defines, ['DUMP_VHOSTS', 'DUMP_RUN_CFG']);
    assert.equal(parseHttpdArgs(['-M']).action, 'modules');
    assert.equal(parseHttpdArgs(['-v']).action, 'version');
    assert.equal(parseHttpdArgs(['-V']).action, 'settings');
    assert.equal(parseHttpdArgs(['-h']).action, 'help');
    assert.equal(parseHttpdArgs(['--dump-config']).action, 'dump-config');
  });

  it('-D DUMP_VHOSTS / DUMP_RUN_CFG / DUMP_MODULES select the dump modes, with or without -t', () => {
    const v = parseHttpdArgs(['-t', '-D', 'DUMP_VHOSTS']);
    assert.equal(v.action, 'vhosts');
    assert.deepEqual(dumpParts(v), { vhosts: true, runCfg: false });
    assert.deepEqual(dumpParts(parseHttpdArgs(['-DDUMP_RUN_CFG'])), {
      vhosts: false,
      runCfg: true,
    });
    assert.equal(parseHttpdArgs(['-DDUMP_RUN_CFG']).action, 'vhosts');
    assert.deepEqual(dumpParts(parseHttpdArgs(['-S'])), { vhosts: true, runCfg: true });
    assert.equal(parseHttpdArgs(['-t', '-D', 'DUMP_MODULES']).action, 'modules');
    assert.equal(parseHttpdArgs(['-S', '-t']).action, 'vhosts');
  });

  it('the detached child gets the argv without -k start (and keeps values that look like it)', () => {
    assert.deepEqual(argvWithoutStart(['-f', '/c', '-k', 'start', '-D', 'X']), [
      '-f',
      '/c',
      '-D',
      'X',
    ]);
    assert.deepEqual(argvWithoutStart(['-kstart', '-f', 'start']), ['-f', 'start']);
    assert.deepEqual(argvWithoutStart(['-D', '-k', '-C', 'Define start']), [
      '-D',
      '-k',
      '-C',
      'Define start',
    ]);
  });

  it('accepts every -k signal apachectl knows', () => {
    for (const k of ['start', 'stop', 'restart', 'graceful', 'graceful-stop'] as const) {
      assert.equal(parseHttpdArgs(['-k', k]).signal, k);
    }
  });

  it('rejects an unknown -k signal, an unknown flag, a missing value and a stray argument', () => {
    assert.throws(() => parseHttpdArgs(['-k', 'reload']), {
      name: 'Error',
      message: "Illegal -k argument 'reload'",
    });
    assert.throws(
      () => parseHttpdArgs(['-Z']),
      (e: unknown) => e instanceof UsageError && e.message === 'Illegal option -Z',
    );
    assert.throws(
      () => parseHttpdArgs(['-f']),
      (e: unknown) => e instanceof UsageError && e.message === "option requires an argument -- 'f'",
    );
    assert.throws(
      () => parseHttpdArgs(['conf']),
      (e: unknown) => e instanceof UsageError && e.message === "Illegal argument 'conf'",
    );
  });
});

describe('start-server options', () => {
  it('uses mod_wsgi-express defaults', () => {
    const o = parseExpressArgs(['app.wsgi']);
    assert.equal(o.script, 'app.wsgi');
    assert.equal(o.port, 8000);
    assert.equal(o.threads, 5);
    assert.equal(o.processes, undefined);
    assert.equal(o.mountPoint, '/');
    assert.equal(o.applicationGroup, '%{GLOBAL}');
    assert.equal(o.queueTimeout, 45);
    assert.equal(o.logLevel, 'warn');
  });

  it('reads values in both --opt value and --opt=value forms, pairs and lists', () => {
    const o = parseExpressArgs([
      'app.wsgi',
      '--port=9000',
      '--processes',
      '2',
      '--threads',
      '15',
      '--url-alias',
      '/s',
      '/srv/static',
      '--python-path',
      '/a',
      '--python-path',
      '/b',
      '--reload-on-changes',
      '--mount-point',
      '/app',
    ]);
    assert.equal(o.port, 9000);
    assert.equal(o.processes, 2);
    assert.equal(o.threads, 15);
    assert.deepEqual(o.urlAliases, [['/s', '/srv/static']]);
    assert.deepEqual(o.pythonPath, ['/a', '/b']);
    assert.equal(o.reloadOnChanges, true);
    assert.equal(o.mountPoint, '/app');
  });

  it('rejects unknown options, non-integers, bad ports and relative mount points', () => {
    assert.throws(() => parseExpressArgs(['--nope']), { message: 'no such option: --nope' });
    assert.throws(() => parseExpressArgs(['--port', 'x']), {
      message: "--port option requires an integer value, got 'x'",
    });
    assert.throws(() => parseExpressArgs(['--port', '70000']), {
      message: '--port must be 1-65535, got 70000',
    });
    assert.throws(() => parseExpressArgs(['--mount-point', 'app']), {
      message: '--mount-point must start with /',
    });
    assert.throws(() => parseExpressArgs(['--url-alias', '/x']), {
      message: '--url-alias option requires two arguments',
    });
  });

  it('renders a daemon-mode httpd.conf with one group named host:port', () => {
    const o = parseExpressArgs([
      '/srv/app.wsgi',
      '--host',
      '127.0.0.1',
      '--port',
      '9000',
      '--processes',
      '2',
    ]);
    const conf = renderExpressConf(o, {
      uid: 1000,
      cwd: '/srv',
      serverRoot: '/tmp/r',
      documentRootEntries: ['robots.txt'],
    });
    assert.match(conf, /^Listen 127\.0\.0\.1:9000$/m);
    assert.match(
      conf,
      /^WSGIDaemonProcess "127\.0\.0\.1:9000" processes=2 threads=5 display-name=%\{GROUP\} /m,
    );
    assert.match(conf, /^WSGIRestrictEmbedded On$/m);
    assert.match(conf, /^WSGIPassAuthorization On$/m);
    assert.match(conf, /^Alias "\/robots\.txt" "\/tmp\/r\/htdocs\/robots\.txt"$/m);
    assert.match(
      conf,
      /^WSGIScriptAlias "\/" "\/srv\/app\.wsgi" process-group="127\.0\.0\.1:9000" application-group="%\{GLOBAL\}" callable-object="application"$/m,
    );
    assert.doesNotMatch(conf, /^User /m, 'User is only written when started as root');
  });
});
