// The stock Debian configuration (/etc/apache2, as installed by the apache2 package) read
// with the APACHE_* variables of /etc/apache2/envvars: it must fail exactly where it loads
// the first module tswsgi does not implement, and a copy trimmed to the implemented
// modules must adapt completely. Skipped when /etc/apache2 is absent.

import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { MODULES } from '../../src/modules/index.js';

const ETC = '/etc/apache2';
const skip = !existsSync(join(ETC, 'apache2.conf')) || !existsSync(join(ETC, 'envvars'));

/** The `export NAME=value` lines of envvars, with the default (empty) $SUFFIX. */
function debianEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(ETC, 'envvars'), 'utf8').split('\n')) {
    const m = /^export (APACHE_\w+|LANG)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2].replace('$SUFFIX', '');
  }
  return env;
}

/** Line number of the first line of `file` matching `re`. */
function lineOf(file: string, re: RegExp): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => re.test(l)) + 1
  );
}

const IMPLEMENTED = new Set([
  'access_compat',
  'actions',
  'alias',
  'allowmethods',
  'auth_basic',
  'authn_core',
  'authn_file',
  'authz_core',
  'authz_host',
  'authz_user',
  'autoindex',
  'cgi',
  'cgid',
  'deflate',
  'dir',
  'env',
  'expires',
  'filter',
  'headers',
  'macro',
  'mime',
  'rewrite',
  'mpm_event',
  'mpm_prefork',
  'mpm_worker',
  'remoteip',
  'reqtimeout',
  'negotiation',
  'proxy',
  'proxy_http',
  'setenvif',
  'speling',
  'ssl',
  'status',
  'unique_id',
  'userdir',
  'vhost_alias',
  'wsgi',
]);

describe('Debian apache2 configuration', { skip }, () => {
  it('stops at the first LoadModule of a module tswsgi does not implement', () => {
    const loads = readdirSync(join(ETC, 'mods-enabled'))
      .filter((f) => f.endsWith('.load'))
      .sort();
    const first = loads.find((f) => !IMPLEMENTED.has(f.replace(/\.load$/, '')));
    if (first === undefined) return; // every enabled module is implemented: nothing to prove
    const loadFile = join(ETC, 'mods-enabled', first);
    const loadLine = lineOf(loadFile, /^\s*LoadModule/);
    const [, id = '', path = ''] =
      /LoadModule\s+(\S+)\s+(\S+)/.exec(readFileSync(loadFile, 'utf8')) ?? [];
    const includeLine = lineOf(
      join(ETC, 'apache2.conf'),
      /^IncludeOptional mods-enabled\/\*\.load/,
    );
    assert.throws(
      () =>
        loadConfig({ file: 'apache2.conf', serverRoot: ETC, env: debianEnv(), modules: MODULES }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(
          e.message,
          `tswsgi: Syntax error on line ${includeLine} of ${ETC}/apache2.conf: ` +
            `Syntax error on line ${loadLine} of ${loadFile}: ` +
            `Cannot load ${path} into server: tswsgi does not implement module ${id}`,
        );
        assert.equal(e.file, loadFile);
        assert.equal(e.line, loadLine);
        return true;
      },
    );
  });

  it('adapts a copy trimmed to the implemented modules', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'tswsgi-debian-'));
    t.after(() => {
      rmSync(root, { recursive: true, force: true });
    });
    copyFileSync(join(ETC, 'apache2.conf'), join(root, 'apache2.conf'));
    copyFileSync(join(ETC, 'ports.conf'), join(root, 'ports.conf'));
    for (const dir of ['mods-enabled', 'conf-enabled', 'sites-enabled']) {
      mkdirSync(join(root, dir));
      for (const f of readdirSync(join(ETC, dir))) {
        const mod = f.replace(/\.(load|conf)$/, '');
        if (dir === 'mods-enabled' && !IMPLEMENTED.has(mod)) continue;
        copyFileSync(join(ETC, dir, f), join(root, dir, f));
      }
    }
    const env = debianEnv();
    const ir = loadConfig({ file: 'apache2.conf', serverRoot: root, env, modules: MODULES });
    assert.deepEqual(ir.warnings, []);
    assert.deepEqual(
      ir.listen.map((l) => [l.host, l.port]),
      [['', 80]],
    );
    const core = ir.main.server['core'] as Record<string, unknown>;
    assert.equal(core['user'], env['APACHE_RUN_USER']);
    assert.equal(core['pidFile'], env['APACHE_PID_FILE']);
    assert.equal(core['errorLog'], `${env['APACHE_LOG_DIR'] ?? ''}/error.log`);
    assert.equal(core['timeout'], 300);
    assert.equal(core['keepAlive'], true);
    const logs = ir.main.server['log_config'] as { formats: Record<string, string> };
    assert.deepEqual(Object.keys(logs.formats).sort(), [
      'agent',
      'combined',
      'common',
      'referer',
      'vhost_combined',
    ]);
    // <Directory /> <Directory /usr/share> <Directory /var/www/> <FilesMatch "^\.ht">, plus the
    // mods' own sections (alias.conf's icons directory).
    const patterns = ir.main.sections.map((s) => `${s.kind} ${s.pattern}`);
    for (const p of [
      'directory /',
      'directory /usr/share',
      'directory /var/www/',
      'filesMatch ^\\.ht',
    ]) {
      assert.ok(patterns.includes(p), `${p} in ${JSON.stringify(patterns)}`);
    }
    // mods-enabled/autoindex.conf: IndexOptions, the AddIcon* table, Header/Readme names.
    const ai = ir.main.dirDefaults['autoindex'] as {
      header: string;
      readme: string;
      defaultIcon: string;
      icons: readonly { applyTo: string; data: string }[];
      ignore: { items: readonly unknown[] };
    };
    assert.equal(ai.header, 'HEADER.html');
    assert.equal(ai.readme, 'README.html');
    assert.equal(ai.defaultIcon, '/icons/unknown.gif');
    assert.ok(
      ai.icons.some((i) => i.applyTo === '*^^DIRECTORY^^' && i.data === '/icons/folder.gif'),
    );
    assert.equal(ai.ignore.items.length, 7);
    assert.equal(ir.vhosts.length, 1);
    const vhost = ir.vhosts[0];
    assert.deepEqual(vhost?.addresses, [{ host: '*', port: 80 }]);
    const vcore = vhost?.server['core'] as Record<string, unknown>;
    assert.equal(vcore['documentRoot'], '/var/www/html');
    assert.equal(vcore['serverAdmin'], 'webmaster@localhost');
    assert.ok(ir.modules?.includes('wsgi') === existsSync(join(ETC, 'mods-enabled', 'wsgi.load')));
  });
});
