// canonicalFilename: the r->filename ap_directory_walk works on (apr_filepath_merge);
// splitPathInfo: its stat walk, checked against httpd's top-down order on a fake filesystem.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { canonicalFilename, rawPathInfo, splitPathInfo } from './translate.js';
import type { PathSplit } from './translate.js';

describe('canonicalFilename', () => {
  it('returns a canonical path as it is', () => {
    assert.equal(canonicalFilename('/srv/htdocs/x/b.txt'), '/srv/htdocs/x/b.txt');
    assert.equal(canonicalFilename('/srv/.well-known/a'), '/srv/.well-known/a');
    assert.equal(canonicalFilename('/srv/d/'), '/srv/d/');
  });
  it('merges slashes and drops `.` segments, keeping a trailing slash', () => {
    assert.equal(canonicalFilename('/srv//x//b.txt'), '/srv/x/b.txt');
    assert.equal(canonicalFilename('/srv/d//'), '/srv/d/');
    assert.equal(canonicalFilename('/srv/./d/.'), '/srv/d/');
  });
  it('takes `..` off lexically, and does nothing above the root', () => {
    assert.equal(canonicalFilename('/srv/a/../b'), '/srv/b');
    assert.equal(canonicalFilename('/srv/a/..'), '/srv/');
    assert.equal(canonicalFilename('/../srv'), '/srv');
    assert.equal(canonicalFilename('/..'), '/');
  });
  it('leaves a relative name alone', () => {
    assert.equal(canonicalFilename('rel//x'), 'rel//x');
  });
});

describe('rawPathInfo', () => {
  it('is what follows the segments that make up the file, as written', () => {
    assert.equal(rawPathInfo('/srv/app.wsgi//a//b/', '/srv/app.wsgi'), '//a//b/');
    assert.equal(rawPathInfo('/srv//./app.wsgi/x', '/srv/app.wsgi'), '/x');
    assert.equal(rawPathInfo('/srv/y/../app.wsgi//x', '/srv/app.wsgi'), '//x');
  });
  it('is undefined when no prefix names the file', () => {
    assert.equal(rawPathInfo('/srv//other/x', '/srv/app.wsgi'), undefined);
  });
});

/** A fake filesystem: directories and files by path; stat counts its calls. */
function fakeFs(dirs: readonly string[], files: readonly string[]) {
  const calls: string[] = [];
  const kind = new Map<string, boolean>();
  for (const d of dirs) kind.set(d, true);
  for (const f of files) kind.set(f, false);
  const stat = (p: string): Stats | undefined => {
    calls.push(p);
    // A trailing slash resolves only to a directory (ENOTDIR on a file).
    const bare = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
    const isDir = kind.get(bare);
    if (isDir === undefined || (bare !== p && !isDir)) return undefined;
    // Every ancestor must be a directory, or the path does not resolve.
    for (let at = bare.indexOf('/', 1); at > 0; at = bare.indexOf('/', at + 1))
      if (kind.get(bare.slice(0, at)) !== true) return undefined;
    return { isDirectory: () => isDir } as Stats;
  };
  return { stat, calls };
}

/** httpd's ap_directory_walk order (root down), the reference. */
function topDown(filename: string, stat: (p: string) => Stats | undefined): PathSplit {
  const whole = stat(filename);
  if (whole !== undefined) return { filename, pathInfo: '', finfo: whole };
  const parts = filename.split('/');
  let cur = '';
  for (let i = 1; i < parts.length; i++) {
    cur += '/' + (parts[i] ?? '');
    if (parts[i] === '') continue;
    const st = stat(cur);
    const rest = '/' + parts.slice(i + 1).join('/');
    if (st === undefined)
      return { filename: cur, pathInfo: i + 1 < parts.length ? rest : '', finfo: undefined };
    if (!st.isDirectory())
      return { filename: cur, pathInfo: i + 1 < parts.length ? rest : '', finfo: st };
  }
  return { filename, pathInfo: '', finfo: undefined };
}

const shape = (s: PathSplit) => ({
  filename: s.filename,
  pathInfo: s.pathInfo,
  finfo: s.finfo === undefined ? 'none' : s.finfo.isDirectory() ? 'dir' : 'file',
});

describe('splitPathInfo', () => {
  const dirs = ['/', '/srv', '/srv/www', '/srv/www/sub', '/srv/www/empty'];
  const files = ['/srv/www/app.wsgi', '/srv/www/sub/x.txt', '/srv/file'];

  it('splits every kind of path as the top-down walk does', () => {
    const paths = [
      '/srv/www/app.wsgi',
      '/srv/www/app.wsgi/',
      '/srv/www/app.wsgi/a/b/c',
      '/srv/www/app.wsgi/a/',
      '/srv/www/sub/x.txt/more',
      '/srv/www/sub',
      '/srv/www/sub/',
      '/srv/www/missing',
      '/srv/www/missing/a/b',
      '/srv/www/sub/missing/',
      '/srv/file/a/b',
      '/nowhere/a/b',
      '/nowhere',
      '/srv/www/empty/x',
    ];
    for (const p of paths) {
      const got = splitPathInfo(p, fakeFs(dirs, files).stat);
      const want = topDown(p, fakeFs(dirs, files).stat);
      assert.deepEqual(shape(got), shape(want), p);
    }
    assert.deepEqual(shape(splitPathInfo('/srv/www/app.wsgi/a/b', fakeFs(dirs, files).stat)), {
      filename: '/srv/www/app.wsgi',
      pathInfo: '/a/b',
      finfo: 'file',
    });
    assert.deepEqual(shape(splitPathInfo('/srv/www/missing/a', fakeFs(dirs, files).stat)), {
      filename: '/srv/www/missing',
      pathInfo: '/a',
      finfo: 'none',
    });
  });

  it('stats from the end: one call per path_info segment plus one, not one per component', () => {
    const fs = fakeFs(dirs, files);
    splitPathInfo('/srv/www/app.wsgi/', fs.stat);
    assert.deepEqual(fs.calls, ['/srv/www/app.wsgi/', '/srv/www/app.wsgi']);
    const deep = fakeFs(dirs, files);
    splitPathInfo('/srv/www/app.wsgi/a/b', deep.stat);
    assert.deepEqual(deep.calls, [
      '/srv/www/app.wsgi/a/b',
      '/srv/www/app.wsgi/a',
      '/srv/www/app.wsgi',
    ]);
    const found = fakeFs(dirs, files);
    splitPathInfo('/srv/www/app.wsgi', found.stat);
    assert.deepEqual(found.calls, ['/srv/www/app.wsgi']);
  });

  it('tries a hinted script first: one stat and no failing one; a wrong hint changes nothing', () => {
    const fs = fakeFs(dirs, files);
    assert.deepEqual(shape(splitPathInfo('/srv/www/app.wsgi/a/b', fs.stat, '/srv/www/app.wsgi')), {
      filename: '/srv/www/app.wsgi',
      pathInfo: '/a/b',
      finfo: 'file',
    });
    assert.deepEqual(fs.calls, ['/srv/www/app.wsgi']);
    // A directory, a missing file, or not a prefix: the walk as without a hint.
    for (const [p, hint] of [
      ['/srv/www/sub/x.txt/more', '/srv/www/sub'],
      ['/srv/www/missing/a/b', '/srv/www/missing'],
      ['/srv/www/app.wsgi/a', '/srv/www/app'],
      ['/srv/www/app.wsgi/a', '/srv/file'],
    ] as const) {
      assert.deepEqual(
        shape(splitPathInfo(p, fakeFs(dirs, files).stat, hint)),
        shape(topDown(p, fakeFs(dirs, files).stat)),
        `${p} with hint ${hint}`,
      );
    }
  });

  it('finds real files, directories and path_info on disk', () => {
    const here = import.meta.filename;
    assert.deepEqual(shape(splitPathInfo(here)), { filename: here, pathInfo: '', finfo: 'file' });
    assert.deepEqual(shape(splitPathInfo(`${here}/x/y`)), {
      filename: here,
      pathInfo: '/x/y',
      finfo: 'file',
    });
    const dir = import.meta.dirname;
    assert.deepEqual(shape(splitPathInfo(`${dir}/no-such-file.js/z`)), {
      filename: `${dir}/no-such-file.js`,
      pathInfo: '/z',
      finfo: 'none',
    });
  });
});
