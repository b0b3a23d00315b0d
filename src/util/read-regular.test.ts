import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotRegularFileError, openRegularSync, readRegularFileSync } from './read-regular.js';

describe('readRegularFileSync / openRegularSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-regular-'));
  writeFileSync(join(dir, 'f.txt'), 'content\n');
  execFileSync('mkfifo', [join(dir, 'pipe')]);

  it('reads a regular file whole', () => {
    assert.equal(readRegularFileSync(join(dir, 'f.txt')).toString(), 'content\n');
  });

  it('opens a regular file for reading from its start', () => {
    const fd = openRegularSync(join(dir, 'f.txt'));
    const buf = Buffer.alloc(7);
    assert.equal(readSync(fd, buf, 0, 7, 0), 7);
    closeSync(fd);
    assert.equal(buf.toString(), 'content');
  });

  it('refuses a FIFO at once (no writer needed) with EBADF, as ap_pcfg_openfile', () => {
    assert.throws(() => readRegularFileSync(join(dir, 'pipe')), NotRegularFileError);
    try {
      openRegularSync(join(dir, 'pipe'));
      assert.fail('opened a FIFO');
    } catch (err) {
      assert.ok(err instanceof NotRegularFileError);
      assert.equal(err.code, 'EBADF');
      assert.equal(err.errno, -9);
      assert.equal(err.path, join(dir, 'pipe'));
    }
  });

  it('refuses a directory with EBADF and passes ENOENT through', () => {
    assert.throws(() => readRegularFileSync(dir), NotRegularFileError);
    assert.throws(() => readRegularFileSync(join(dir, 'missing')), { code: 'ENOENT' });
    rmSync(dir, { recursive: true, force: true });
  });
});
