import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homeOf } from './index.js';

describe('mod_userdir home directories', () => {
  it('come from the passwd file, the first entry of a name, re-read when it changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-passwd-'));
    const file = join(dir, 'passwd');
    writeFileSync(
      file,
      'alice:x:1000:1000::/home/alice:/bin/sh\nalice:x:1:1::/other:/bin/sh\nbroken\n',
    );
    assert.equal(homeOf('alice', file), '/home/alice');
    assert.equal(homeOf('broken', file), undefined);
    assert.equal(homeOf('bob', file), undefined);
    writeFileSync(file, 'bob:x:1001:1001::/srv/bob:/bin/sh\n');
    utimesSync(file, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    assert.equal(homeOf('bob', file), '/srv/bob');
    assert.equal(homeOf('alice', file), undefined);
    assert.equal(homeOf('bob', join(dir, 'missing')), undefined);
    rmSync(dir, { recursive: true, force: true });
  });
});
