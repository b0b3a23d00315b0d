import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { dirConfOf, serverConfOf } from '../../config/slots.js';
import { rewriteModule } from './index.js';
import { CF, OPT, RF } from './flags.js';

/** The temp dirs load() made, removed when the file's tests are done. */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function load(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-rw-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'map.txt'), 'a b\n');
  writeFileSync(
    join(dir, 'httpd.conf'),
    `LoadModule rewrite_module modules/mod_rewrite.so\n${text.replaceAll('@DIR@', dir)}`,
  );
  return loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir });
}

describe('mod_rewrite directives', () => {
  it('RewriteEngine and RewriteOptions at server level set the server and its defaults', () => {
    const ir = load('RewriteEngine On\nRewriteOptions Inherit AllowNoSlash\n');
    const s = serverConfOf(rewriteModule, ir.main).c;
    const d = dirConfOf(rewriteModule, ir.main.dirDefaults).c;
    assert.equal(s.state && d.state, true);
    assert.equal(s.options, OPT.INHERIT | OPT.NOSLASH);
    assert.equal(d.options, OPT.INHERIT | OPT.NOSLASH);
    assert.equal(d.directory, undefined);
  });

  it('a rule takes the conditions written before it; the next rule starts afresh', () => {
    const ir = load(
      'RewriteCond %{HTTP_HOST} !^www\\. [NC,OR]\nRewriteCond %{HTTPS} =off\nRewriteRule ^/a$ /b [L]\nRewriteRule ^/c$ /d\n',
    );
    const [r1, r2] = serverConfOf(rewriteModule, ir.main).c.rules;
    assert.equal(r1?.conds.length, 2);
    assert.equal(r1?.conds[0]?.flags, CF.NOCASE | CF.ORNEXT | CF.NOTMATCH);
    assert.equal(r1?.conds[1]?.ptype, 'strEq');
    assert.equal(r1?.conds[1]?.operand, 'off');
    assert.equal(r1?.flags, RF.LASTRULE);
    assert.equal(r2?.conds.length, 0);
  });

  it('reads the condition operators as httpd does (!-ne is -eq, ="" the empty string)', () => {
    const ir = load(
      'RewriteCond a !-ne3\nRewriteCond b =""\nRewriteCond c -ge10\nRewriteCond d <=x\nRewriteCond e -d\nRewriteCond f -zz\nRewriteRule x y\n',
    );
    const conds = serverConfOf(rewriteModule, ir.main).c.rules[0]?.conds ?? [];
    assert.deepEqual(
      conds.map((c) => [c.ptype, c.operand, c.flags & CF.NOTMATCH]),
      [
        ['intEq', '3', 0],
        ['strEq', '', 0],
        ['intGe', '10', 0],
        ['strLe', 'x', 0],
        ['fileDir', '-d', 0],
        ['regex', '-zz', 0],
      ],
    );
  });

  it('a RewriteCond with no rule after it is accepted and does nothing, as in httpd', () => {
    const ir = load('RewriteEngine On\nRewriteCond %{HTTP_HOST} x\n');
    assert.equal(serverConfOf(rewriteModule, ir.main).c.rules.length, 0);
  });

  it('a trailing ? drops the query (QSNONE) unless [QSA] makes it [QSL]', () => {
    const ir = load('RewriteRule a /b? \nRewriteRule c /d? [QSA]\nRewriteRule e /f [QSD]\n');
    const [a, c, e] = serverConfOf(rewriteModule, ir.main).c.rules;
    assert.equal(a?.outputText, '/b');
    assert.equal((a?.flags ?? 0) & RF.QSNONE, RF.QSNONE);
    assert.equal(c?.outputText, '/d?');
    assert.equal((c?.flags ?? 0) & RF.QSLAST, RF.QSLAST);
    assert.equal((e?.flags ?? 0) & RF.QSNONE, RF.QSNONE);
  });

  it('per-directory rules live in the section, with its path as directory', () => {
    const ir = load(
      '<Directory /srv/www>\nRewriteEngine On\nRewriteBase /app/\nRewriteRule ^x$ y\n</Directory>\n',
    );
    const sec = ir.main.sections.find((s) => dirConfOf(rewriteModule, s.dir).c.set);
    const d = sec === undefined ? undefined : dirConfOf(rewriteModule, sec.dir).c;
    assert.equal(d?.directory, '/srv/www/');
    assert.equal(d?.baseUrl, '/app/');
    assert.equal(d?.rules.length, 1);
    assert.equal(serverConfOf(rewriteModule, ir.main).c.rules.length, 0);
  });

  it('RewriteMap keeps txt/rnd files (ServerRoot-relative) and int: functions', () => {
    const ir = load(
      'RewriteMap a txt:map.txt\nRewriteMap b rnd:@DIR@/map.txt\nRewriteMap c int:escape\nRewriteMap d map.txt\n',
    );
    const maps = serverConfOf(rewriteModule, ir.main).c.maps;
    assert.equal(maps['a']?.type, 'txt');
    assert.equal(maps['b']?.type, 'rnd');
    assert.deepEqual(maps['c'], { type: 'int', func: 'escape' });
    assert.equal(maps['d']?.type, 'txt');
  });

  it('<IfModule mod_rewrite.c> and <IfModule rewrite_module> see the module', () => {
    const ir = load(
      '<IfModule mod_rewrite.c>\nRewriteEngine On\n</IfModule>\n<IfModule rewrite_module>\nRewriteRule a b\n</IfModule>\n',
    );
    assert.equal(serverConfOf(rewriteModule, ir.main).c.state, true);
    assert.equal(serverConfOf(rewriteModule, ir.main).c.rules.length, 1);
  });

  it('warns, as httpd does, about MaxRedirects and NC on a non-regex condition', () => {
    const ir = load('RewriteOptions MaxRedirects=5\nRewriteCond %{X} -f [NC]\nRewriteRule a b\n');
    const w = ir.warnings.join('\n');
    assert.match(w, /AH00664: RewriteOptions: MaxRedirects option has been removed/);
    assert.match(
      w,
      /AH00665: RewriteCond: NoCase option for non-regex pattern '-f' is not supported and will be ignored\. \(.*httpd\.conf:3\)/,
    );
  });
});
