// Unit tests of the script-user / script-group check (mod_wsgi.c 4.9.4 wsgi_execute_remote):
// every failure message, on real files whose owners a fake name database names.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScriptOwner } from './script-owner.js';
import type { NameDb } from './script-owner.js';
import { defaultDaemonSpec } from '../../wsgi/daemon/options.js';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';

describe('checkScriptOwner', () => {
  let root = '';
  let dir = '';
  let file = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tswsgi-owner-unit-'));
    dir = join(root, 'app');
    mkdirSync(dir);
    file = join(dir, 'x.wsgi');
    writeFileSync(file, '');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const names = (user: string | undefined, group: string | undefined): NameDb => ({
    userName: (id) => (id === uid ? user : undefined),
    groupName: (id) => (id === gid ? group : undefined),
  });
  const spec = (o: Partial<DaemonGroupSpec>): DaemonGroupSpec => ({
    ...defaultDaemonSpec('g', { file: 'x', line: 1 }),
    ...o,
  });
  const run = (
    o: Partial<DaemonGroupSpec>,
    fileMode: number,
    dirMode: number,
    db: NameDb,
    path = file,
  ): string | undefined => {
    chmodSync(file, fileMode);
    chmodSync(dir, dirMode);
    const r = checkScriptOwner(spec(o), path, statSync(file), db);
    return r === undefined ? undefined : `${r.message}: ${r.path}`;
  };

  it('passes without the options and for a matching owner', () => {
    assert.equal(run({}, 0o666, 0o777, names('u', 'g')), undefined);
    assert.equal(run({ scriptUser: 'u' }, 0o644, 0o755, names('u', 'g')), undefined);
    assert.equal(run({ scriptGroup: 'g' }, 0o664, 0o775, names('u', 'g')), undefined);
  });

  it('script-user failures', () => {
    const u = { scriptUser: 'u' };
    assert.equal(
      run(u, 0o644, 0o755, names(undefined, 'g')),
      `Couldn't determine owner of WSGI script file, uid=${uid}: ${file}`,
    );
    assert.equal(
      run(u, 0o644, 0o755, names('other', 'g')),
      `Owner of WSGI script file does not match required user for daemon process, user=other: ${file}`,
    );
    assert.equal(
      run(u, 0o664, 0o755, names('u', 'g')),
      `WSGI script file is writable to group: ${file}`,
    );
    assert.equal(
      run(u, 0o646, 0o755, names('u', 'g')),
      `WSGI script file is writable to world: ${file}`,
    );
    assert.equal(
      run(u, 0o644, 0o757, names('u', 'g')),
      `Parent directory of WSGI script file is writable to world: ${file}`,
    );
    assert.equal(
      run(u, 0o644, 0o775, names('u', 'g')),
      `Parent directory of WSGI script file is writable to group: ${file}`,
    );
    assert.equal(
      run(u, 0o644, 0o755, names('u', 'g'), join(root, 'gone', 'x.wsgi')),
      `Unable to stat parent directory of WSGI script: ${join(root, 'gone')}/`,
    );
  });

  it('script-group failures', () => {
    const g = { scriptGroup: 'g' };
    assert.equal(
      run(g, 0o644, 0o755, names('u', undefined)),
      `Couldn't determine group of WSGI script file, gid=${gid}: ${file}`,
    );
    assert.equal(
      run(g, 0o644, 0o755, names('u', 'other')),
      `Group of WSGI script file does not match required group for daemon process, group=other: ${file}`,
    );
    assert.equal(
      run(g, 0o646, 0o755, names('u', 'g')),
      `WSGI script file is writable to world: ${file}`,
    );
    assert.equal(
      run(g, 0o644, 0o757, names('u', 'g')),
      `Parent directory of WSGI script file is writable to world: ${file}`,
    );
  });

  it('checks the parent directory owner separately', () => {
    // The directory's owner is looked up on its own: a db knowing only the file's owner
    // by a different id fails on the directory. Same ids here, so map by call order.
    let calls = 0;
    const db: NameDb = {
      userName: () => (++calls === 1 ? 'u' : 'dirowner'),
      groupName: () => 'g',
    };
    assert.equal(
      run({ scriptUser: 'u' }, 0o644, 0o755, db),
      `Owner of parent directory of WSGI script file does not match required user for daemon process, user=dirowner: ${file}`,
    );
    let gcalls = 0;
    const gdb: NameDb = {
      userName: () => 'u',
      groupName: () => (++gcalls === 1 ? 'g' : undefined),
    };
    assert.equal(
      run({ scriptGroup: 'g' }, 0o644, 0o755, gdb),
      `Couldn't determine group of parent directory of WSGI script file, gid=${gid}: ${file}`,
    );
  });
});
