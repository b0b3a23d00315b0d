// docs/directives.md is generated from the directive registry; this fails when the
// committed file no longer matches (regenerate: node dist/src/cli/directives-doc.js > docs/directives.md).

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directivesMarkdown } from '../../src/cli/directives-doc.js';
import { Registry } from '../../src/config/registry.js';
import { MODULES } from '../../src/modules/index.js';
import { ROOT, runCommand } from './support.js';

it('docs/directives.md is up to date with the registry', () => {
  const committed = readFileSync(join(ROOT, 'docs/directives.md'), 'utf8');
  assert.equal(
    committed,
    directivesMarkdown(),
    'docs/directives.md is stale: run `node dist/src/cli/directives-doc.js > docs/directives.md`',
  );
});

it('lists every registered directive once per module, with syntax, arity, context, module and help', () => {
  const md = directivesMarkdown();
  const all = new Registry(MODULES).all();
  for (const { module, spec } of all) {
    const name = spec.name.startsWith('<') ? `${spec.name}>` : spec.name;
    const lines = md.split('\n');
    const at = lines.flatMap((l, i) => (l.startsWith(`| \`${name}\` |`) ? [i] : []));
    // Modules that share directives (mod_cgi, mod_cgid) list them each.
    const owners = all.filter((d) => d.spec.name === spec.name).length;
    assert.equal(at.length, owners, `${spec.name} appears once per module`);
    const heading = `## ${module.name === 'core' ? 'core.c' : `mod_${module.name}.c`}`;
    const under = at.filter((i) => {
      assert.ok(lines[i]?.includes(` ${spec.args} |`), `${spec.name} arity`);
      const section = lines.slice(0, i).findLastIndex((l) => l.startsWith('## '));
      return lines[section]?.startsWith(heading) === true;
    });
    assert.ok(under.length >= 1, `${spec.name} under its module`);
  }
  assert.match(
    md,
    /^\| `WSGIDaemonProcess` \| `WSGIDaemonProcess .+` \| .+ \| \*\.conf only outside &lt;Directory&gt;, /m,
  );
});

it('the generator script prints the same text', async () => {
  const r = await runCommand(process.execPath, [join(ROOT, 'dist/src/cli/directives-doc.js')]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, directivesMarkdown());
});
