// Interpreter resolution and the "can the daemon's user run it" check.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PythonResolveError,
  PythonResolver,
  checkAccess,
  fromHome,
  lookupAccount,
  workerPackageDir,
} from './python.js';
import type { Account } from './python.js';

const WWW: Account = { name: 'www-data', uid: 33, gid: 33, groups: [33], home: '/var/www' };

function tempTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tswsgi-py-'));
  mkdirSync(path.join(root, 'bin'));
  writeFileSync(path.join(root, 'bin', 'python3'), '#!/bin/sh\n');
  chmodSync(path.join(root, 'bin', 'python3'), 0o755);
  return root;
}

describe('python-home resolution', () => {
  it('uses a file as the interpreter and a directory as a prefix with bin/python3', (t) => {
    const root = tempTree();
    t.after(() => rmSync(root, { recursive: true, force: true }));
    assert.equal(fromHome(root), path.join(root, 'bin', 'python3'));
    assert.equal(fromHome(path.join(root, 'bin', 'python3')), path.join(root, 'bin', 'python3'));
  });

  it('falls back to bin/python and explains a prefix without one', (t) => {
    const root = mkdtempSync(path.join(tmpdir(), 'tswsgi-py-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    assert.throws(
      () => fromHome(root),
      /has no bin\/python3 or bin\/python; give the virtualenv root/,
    );
    mkdirSync(path.join(root, 'bin'));
    writeFileSync(path.join(root, 'bin', 'python'), '');
    assert.equal(fromHome(root), path.join(root, 'bin', 'python'));
    assert.throws(() => fromHome(path.join(root, 'nope')), /python-home .*nope does not exist/);
  });

  it('resolves python3 on PATH to the real executable once (cached)', async () => {
    const r = new PythonResolver({ ...process.env, TSWSGI_PYTHON: '/usr/bin/python3' });
    const exe = await r.resolve(undefined);
    assert.ok(path.isAbsolute(exe));
    assert.equal(await r.resolve(undefined), exe);
    await assert.rejects(
      new PythonResolver({ ...process.env, TSWSGI_PYTHON: '/nonexistent/python' }).resolve(
        undefined,
      ),
      PythonResolveError,
    );
  });
});

describe('checkAccess', () => {
  it('says plainly that an interpreter under a mode-700 directory is not executable by the user', (t) => {
    const root = tempTree();
    t.after(() => rmSync(root, { recursive: true, force: true }));
    chmodSync(root, 0o700);
    const exe = path.join(root, 'bin', 'python3');
    assert.throws(
      () => checkAccess(exe, workerPackageDir(), WWW),
      (e: unknown) =>
        e instanceof PythonResolveError &&
        e.message ===
          `Python interpreter ${exe} is not executable by user www-data (uid 33); set python-home= on WSGIDaemonProcess (or WSGIPythonHome) to an interpreter that user can run, e.g. /usr`,
    );
    chmodSync(root, 0o755);
    const pkg = mkdtempSync(path.join(tmpdir(), 'tswsgi-pkg-'));
    t.after(() => rmSync(pkg, { recursive: true, force: true }));
    chmodSync(pkg, 0o755);
    mkdirSync(path.join(pkg, 'tswsgi_worker'));
    checkAccess(exe, pkg, WWW); // both usable now
    chmodSync(exe, 0o700);
    assert.throws(() => checkAccess(exe, pkg, WWW), /is not executable by user www-data/);
    chmodSync(exe, 0o755);
    chmodSync(pkg, 0o700);
    assert.throws(
      () => checkAccess(exe, pkg, WWW),
      /tswsgi worker package .* is not readable by user www-data \(uid 33\)/,
    );
  });

  it('accepts /usr/bin/python3 for www-data', (t) => {
    const pkg = mkdtempSync(path.join(tmpdir(), 'tswsgi-pkg-'));
    t.after(() => rmSync(pkg, { recursive: true, force: true }));
    chmodSync(pkg, 0o755);
    mkdirSync(path.join(pkg, 'tswsgi_worker'));
    checkAccess('/usr/bin/python3', pkg, WWW);
  });

  it('looks up users and groups by name and #id', () => {
    const root = lookupAccount('root', undefined);
    assert.equal(root.uid, 0);
    assert.equal(root.gid, 0);
    const www = lookupAccount('www-data', '#33');
    assert.equal(www.uid, 33);
    assert.equal(www.gid, 33);
    assert.equal(lookupAccount('#4242', undefined).uid, 4242);
    assert.throws(
      () => lookupAccount('no-such-user-xyz', undefined),
      /user 'no-such-user-xyz' does not exist/,
    );
    assert.throws(
      () => lookupAccount('root', 'no-such-group-xyz'),
      /group 'no-such-group-xyz' does not exist/,
    );
  });
});
