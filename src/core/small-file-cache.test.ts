import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { SmallFileCache } from './small-file-cache.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-sfc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What the default handler does on a miss: stat the path, open, read, fstat, put. */
function serveAndPut(cache: SmallFileCache, path: string): Buffer {
  const st = statSync(path);
  const fd = openSync(path, 'r');
  try {
    const body = readFileSync(fd);
    cache.put(path, st, fstatSync(fd, { bigint: true }), body);
    return body;
  } finally {
    closeSync(fd);
  }
}

describe('SmallFileCache', () => {
  it('a file put is got back while a fresh stat shows it unchanged, with its fstat validators', (t) => {
    const dir = tempDir(t);
    const p = join(dir, 'a.txt');
    writeFileSync(p, 'hello\n');
    const cache = new SmallFileCache({ settledMs: 0 });
    assert.equal(cache.get(p, statSync(p)), undefined);
    serveAndPut(cache, p);
    const hit = cache.get(p, statSync(p));
    assert.equal(hit?.body.toString(), 'hello\n');
    const big = statSync(p, { bigint: true });
    assert.deepEqual(
      { ino: hit?.ino, size: hit?.size, mtimeUs: hit?.mtimeUs },
      { ino: big.ino, size: big.size, mtimeUs: big.mtimeNs / 1000n },
    );
    assert.equal(cache.size, 1);
    assert.equal(cache.bytes, 6);
  });

  it('any change to the file is a miss, and the entry is dropped: content, times, mode, a file renamed over it', (t) => {
    const dir = tempDir(t);
    const p = join(dir, 'a.txt');
    writeFileSync(p, 'hello\n');
    const cache = new SmallFileCache({ settledMs: 0 });

    serveAndPut(cache, p);
    writeFileSync(p, 'HELLO\n'); // same size
    assert.equal(cache.get(p, statSync(p)), undefined, 'rewritten, same size');
    assert.equal(cache.size, 0);
    assert.equal(cache.bytes, 0);

    serveAndPut(cache, p);
    const st = statSync(p);
    utimesSync(p, st.atime, st.mtime); // mtime set back to the same second: ctime moves
    assert.equal(cache.get(p, statSync(p)), undefined, 'utimes');

    serveAndPut(cache, p);
    chmodSync(p, 0o600);
    assert.equal(cache.get(p, statSync(p)), undefined, 'chmod');

    serveAndPut(cache, p);
    const other = join(dir, 'b.txt');
    writeFileSync(other, 'HELLO\n');
    renameSync(other, p);
    assert.equal(cache.get(p, statSync(p)), undefined, 'another inode at the path');
    assert.equal(serveAndPut(cache, p).toString(), 'HELLO\n');
    assert.equal(cache.get(p, statSync(p))?.body.toString(), 'HELLO\n');
  });

  it('keeps nothing it cannot vouch for: too big, read short, changed between stat and read, not a regular file', (t) => {
    const dir = tempDir(t);
    const p = join(dir, 'a.txt');
    writeFileSync(p, 'x'.repeat(100));
    const cache = new SmallFileCache({ entryMax: 50, settledMs: 0 });
    assert.equal(cache.accepts(statSync(p)), false);
    serveAndPut(cache, p);
    assert.equal(cache.size, 0, 'bigger than entryMax');

    const small = join(dir, 's.txt');
    writeFileSync(small, 'abc');
    const st = statSync(small);
    const fd = openSync(small, 'r');
    cache.put(small, st, fstatSync(fd, { bigint: true }), Buffer.from('ab'));
    assert.equal(cache.size, 0, 'fewer bytes than the stat says');
    writeFileSync(small, 'xyz'); // changed after the path's stat, before the fstat
    cache.put(small, st, fstatSync(fd, { bigint: true }), Buffer.from('xyz'));
    closeSync(fd);
    assert.equal(cache.size, 0, 'the fstat after the read disagrees with the stat');

    const other = join(dir, 'o.txt');
    writeFileSync(other, 'abc');
    cache.put(small, statSync(small), statSync(other, { bigint: true }), Buffer.from('xyz'));
    assert.equal(cache.size, 0, 'another file');

    assert.equal(cache.accepts(statSync(dir)), false);
    cache.put(dir, statSync(dir), statSync(dir, { bigint: true }), Buffer.alloc(0));
    assert.equal(cache.size, 0, 'a directory');
    assert.equal(cache.accepts(statSync(small)), true);
  });

  it('holds at most totalMax bytes, dropping the oldest entry not used since the last pass', (t) => {
    const dir = tempDir(t);
    const cache = new SmallFileCache({ totalMax: 25, settledMs: 0 });
    const paths = ['a', 'b', 'c'].map((n) => {
      const p = join(dir, n);
      writeFileSync(p, n.repeat(10));
      return p;
    });
    const [a = '', b = '', c = ''] = paths;
    serveAndPut(cache, a);
    serveAndPut(cache, b);
    assert.equal(cache.bytes, 20);
    assert.ok(cache.get(a, statSync(a)), 'a used: it gets a second chance, b goes');
    serveAndPut(cache, c);
    assert.equal(cache.bytes, 20);
    assert.deepEqual(
      paths.map((p) => cache.get(p, statSync(p))?.body.toString()),
      ['aaaaaaaaaa', undefined, 'cccccccccc'],
    );
    serveAndPut(cache, a); // replacing an entry does not count it twice
    assert.equal(cache.bytes, 20);
    assert.equal(cache.size, 2);
  });

  it('keeps no file changed within settledMs (two same-size writes in one clock tick look alike)', (t) => {
    const dir = tempDir(t);
    const p = join(dir, 'a.txt');
    writeFileSync(p, 'hello\n');
    const ctime = statSync(p).ctimeMs;
    let now = ctime + 1999;
    const cache = new SmallFileCache({ now: () => now });
    assert.equal(cache.accepts(statSync(p)), false);
    serveAndPut(cache, p);
    assert.equal(cache.size, 0, 'changed 1.999 s ago');
    now = ctime + 2000;
    assert.equal(cache.accepts(statSync(p)), true);
    serveAndPut(cache, p);
    assert.equal(cache.get(p, statSync(p))?.body.toString(), 'hello\n', 'settled for 2 s');
  });
});
