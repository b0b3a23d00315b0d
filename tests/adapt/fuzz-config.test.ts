// Mutation fuzzing of the configuration reader (seeded: every run reads the same texts).
// A realistic config (the differential template plus a vhost using the newer directives)
// gets lines deleted or duplicated and characters inserted, deleted or cut off. Reading it
// must either succeed or fail with a ConfigError (Apache's "Syntax error on line N of …"),
// never with any other exception: bad input gets a precise error, not a crash.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { DIFF_CONF_TEMPLATE, RW_MAP } from '../differential/apache.js';
import { prng } from '../support/fuzz.js';

const dir = mkdtempSync(join(tmpdir(), 'tswsgi-conffuzz-'));
// Files the template names and the reader checks (RewriteMap txt: must exist).
mkdirSync(join(dir, 'srv'));
writeFileSync(join(dir, 'srv', 'rwmap.txt'), RW_MAP);
const BASE =
  DIFF_CONF_TEMPLATE.replaceAll('@ROOT@', dir)
    .replaceAll('@SRV@', join(dir, 'srv'))
    .replaceAll('@HTDOCS@', join(dir, 'htdocs'))
    .replaceAll('@BACKEND_DEAD@', '9')
    .replaceAll('@BACKEND@', '8081')
    .replaceAll('@PORT@', '8080')
    .replaceAll('@USER@', '') +
  `
<VirtualHost *:8080>
  ServerName v.example
  Redirect /a http://x/
  RedirectMatch 301 ^/b/(.*)$ /c/$1
  LogFormat "%h %{X}i %>s %{%Y}t" f
  CustomLog ${dir}/a.log f
  WSGITrustedProxies 10.0.0.0/8
  LimitInternalRecursion 12 6
  <IfModule mod_alias.c>
    AliasMatch ^/z/(.*)$ ${dir}/$1
  </IfModule>
</VirtualHost>
`;

const SPECIAL = [
  '"',
  '\\',
  '<',
  '>',
  '{',
  '}',
  '$',
  '%',
  ' ',
  '\t',
  '#',
  '=',
  '/',
  '*',
  '[',
  ']',
  '(',
  ')',
  '0',
  '-',
  ':',
  '\u00e9',
];

describe('configuration reader under mutation', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads or refuses with a ConfigError every one of 1500 mutated configs', () => {
    const rnd = prng(20261122);
    const lines = BASE.split('\n');
    const file = join(dir, 'httpd.conf');
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 1500; i++) {
      const ls = [...lines];
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        const at = Math.floor(rnd() * ls.length);
        const op = Math.floor(rnd() * 5);
        const l = ls[at] ?? '';
        const p = Math.floor(rnd() * (l.length + 1));
        if (op === 0) ls.splice(at, 1);
        else if (op === 1) ls.splice(at, 0, ls[Math.floor(rnd() * ls.length)] ?? '');
        else if (op === 2)
          ls[at] = l.slice(0, p) + (SPECIAL[Math.floor(rnd() * SPECIAL.length)] ?? '') + l.slice(p);
        else if (op === 3) ls[at] = l.slice(0, p) + l.slice(p + 1);
        else ls[at] = l.slice(0, p);
      }
      const text = ls.join('\n');
      writeFileSync(file, text);
      try {
        loadConfig({ file, serverRoot: dir, env: {} });
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof ConfigError))
          assert.fail(
            `case ${String(i)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n--- config ---\n${text}`,
          );
        assert.match(e.message, /\S/, `case ${String(i)}: an empty error message`);
        outcomes.refused++;
      }
    }
    // Both paths were exercised.
    assert.ok(outcomes.ok > 100 && outcomes.refused > 100, JSON.stringify(outcomes));
  });
});
