// resolve_symlink (httpd: server/request.c, AH00037): a symbolic link on the way to
// r.filename is followed only under FollowSymLinks, or under SymLinksIfOwnerMatch when
// link and target share an owner. Configs are real httpd.conf text through loadConfig.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forbiddenSymlink } from './symlinks.js';
import { processRequest } from './pipeline.js';
import { loadConfig } from '../config/load.js';
import { MODULES } from '../modules/index.js';
import { fakeRequest, generation } from '../../tests/support/record.js';

const root = mkdtempSync(join(tmpdir(), 'symlinks-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
for (const d of ['none', 'follow', 'owner', 'match']) mkdirSync(join(root, d));
for (const d of ['none', 'follow', 'owner', 'match']) {
  writeFileSync(join(root, d, 'real.txt'), 'real\n');
  symlinkSync(join(root, d, 'real.txt'), join(root, d, 'lnk'));
}
symlinkSync(join(root, 'owner', 'gone.txt'), join(root, 'owner', 'dangling'));
symlinkSync(join(root, 'owner', 'real.txt'), join(root, 'owner', 'foreign'));
const canChown = process.getuid?.() === 0;
if (canChown) lchownSync(join(root, 'owner', 'foreign'), 4321, 4321);

const conf = `DocumentRoot ${root}
<Directory ${root}/none>
  Options None
</Directory>
<Directory ${root}/follow>
  Options FollowSymLinks
</Directory>
<Directory ${root}/owner>
  Options SymLinksIfOwnerMatch
</Directory>
<DirectoryMatch "^${root}/ma">
  Options Indexes
</DirectoryMatch>
`;

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'symlinks-conf-'));
  writeFileSync(join(dir, 'httpd.conf'), conf);
  const ir = loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir, modules: MODULES });
  rmSync(dir, { recursive: true, force: true });
  return generation(ir, MODULES);
}

/** forbiddenSymlink for `filename` on a fresh request of `gen`. */
function check(gen: Awaited<ReturnType<typeof setup>>['gen'], filename: string | undefined) {
  const r = fakeRequest(gen);
  r.filename = filename;
  return forbiddenSymlink(r, gen.dirDefaults(r.server));
}

describe('forbiddenSymlink', () => {
  it('refuses a link where Options has neither FollowSymLinks nor SymLinksIfOwnerMatch', async () => {
    const { gen } = await setup();
    assert.equal(check(gen, join(root, 'none', 'lnk')), join(root, 'none', 'lnk'));
    assert.equal(check(gen, join(root, 'none', 'real.txt')), undefined, 'plain files pass');
  });

  it('follows a link under FollowSymLinks', async () => {
    const { gen } = await setup();
    assert.equal(check(gen, join(root, 'follow', 'lnk')), undefined);
  });

  it('applies a <DirectoryMatch> to the directories it matches (Options Indexes: no links)', async () => {
    const { gen } = await setup();
    assert.equal(check(gen, join(root, 'match', 'lnk')), join(root, 'match', 'lnk'));
  });

  it('under SymLinksIfOwnerMatch follows a same-owner link only', async (t) => {
    const { gen } = await setup();
    assert.equal(check(gen, join(root, 'owner', 'lnk')), undefined);
    assert.equal(
      check(gen, join(root, 'owner', 'dangling')),
      join(root, 'owner', 'dangling'),
      'a link whose target is missing is refused',
    );
    if (!canChown) {
      t.skip('needs root to give the link another owner');
      return;
    }
    assert.equal(check(gen, join(root, 'owner', 'foreign')), join(root, 'owner', 'foreign'));
  });

  it('checks nothing past a missing component, nor a relative or unset filename', async () => {
    const { gen } = await setup();
    assert.equal(check(gen, join(root, 'none', 'missing', 'lnk')), undefined);
    assert.equal(check(gen, 'none/lnk'), undefined);
    assert.equal(check(gen, undefined), undefined);
  });

  it('makes the pipeline answer 403 and log AH00037', async () => {
    const { gen, log } = await setup();
    const r = fakeRequest(gen, { target: '/none/lnk' });
    assert.equal(await processRequest(r), 403);
    assert.equal(r.res.statusCode, 403);
    assert.ok(
      log.lines.some((l) =>
        l.includes(
          `AH00037: Symbolic link not allowed or link target not accessible: ${root}/none/lnk`,
        ),
      ),
      log.lines.join('\n'),
    );
  });
});
