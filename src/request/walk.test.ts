// Unit tests for the location/directory/file walks and their merge order (httpd:
// server/request.c), on RequestRecords built without sockets.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleDef } from '../modules/module.js';
import {
  compileSections,
  directoryChain,
  globToRegExp,
  locationMatches,
  sectionsForFile,
  sectionsForUri,
  WalkCache,
} from './walk.js';
import { coreMapToStorage } from '../core/translate.js';
import { config, fakeRequest, generation, section, server } from '../../tests/support/record.js';
import { anyModuleDef } from '../../tests/support/any-module.js';

interface TraceDir {
  seen: string[];
}
/** A module whose per-dir config records the order sections were merged in. */
const trace: ModuleDef<undefined, TraceDir> = {
  name: 'trace',
  dir: { create: () => ({ seen: [] }), merge: { seen: 'append' } },
};
const t = (name: string) => ({ trace: { seen: [name] } });

describe('locationMatches', () => {
  it('matches whole path segments only', () => {
    assert.equal(locationMatches('/foo', '/foo'), true);
    assert.equal(locationMatches('/foo', '/foo/bar'), true);
    assert.equal(locationMatches('/foo', '/foobar'), false);
    assert.equal(locationMatches('/foo/', '/foo/x'), true);
    assert.equal(locationMatches('/', '/anything'), true);
  });
});

describe('globToRegExp', () => {
  it('does not let * cross a slash (FNM_PATHNAME)', () => {
    assert.equal(globToRegExp('/home/*/www').test('/home/joe/www'), true);
    assert.equal(globToRegExp('/home/*/www').test('/home/a/b/www'), false);
    assert.equal(globToRegExp('*.txt').test('a.txt'), true);
    assert.equal(globToRegExp('file[0-9].c').test('file7.c'), true);
  });
});

describe('directoryChain', () => {
  it('lists / and every ancestor directory, plus the target when it is a directory', () => {
    assert.deepEqual(directoryChain('/a/b/c.txt', false), ['/', '/a', '/a/b']);
    assert.deepEqual(directoryChain('/a/b/', true), ['/', '/a', '/a/b']);
  });
});

describe('per-dir merge order', () => {
  it('merges Directory shortest first, then DirectoryMatch, Files/FilesMatch, Location/LocationMatch', () => {
    const srv = server({
      sections: [
        section('location', '/x', t('Location /x')),
        section('files', 'c.txt', t('Files c.txt')),
        section('directory', '/a/b', t('Directory /a/b')),
        section('directoryMatch', '^/a/', t('DirectoryMatch ^/a/')),
        section('directory', '/', t('Directory /')),
        section('filesMatch', '\\.txt$', t('FilesMatch txt')),
        section('directory', '/a', t('Directory /a')),
        section('locationMatch', '^/x/', t('LocationMatch ^/x/')),
        section('directory', '/other', t('Directory /other')),
      ],
    });
    const cs = compileSections(srv);
    const cache = new WalkCache([anyModuleDef(trace)]);
    const base = { trace: { seen: [] } };
    const dirMerged = cache.merge(base, sectionsForFile(cs, '/a/b/c.txt', false));
    const all = cache.merge(dirMerged, sectionsForUri(cs, '/x/y'));
    assert.deepEqual((all['trace'] as TraceDir).seen, [
      'Directory /',
      'Directory /a',
      'Directory /a/b',
      'DirectoryMatch ^/a/',
      'Files c.txt',
      'FilesMatch txt',
      'Location /x',
      'LocationMatch ^/x/',
    ]);
  });

  it('applies <Files> nested in a matching <Directory>, after the top-level <Files>', () => {
    // The mod_wsgi docs' pattern: <Directory /srv><Files app.wsgi>Require all granted…
    const nested = (kind: 'directory' | 'directoryMatch', pattern: string, name: string) => ({
      ...section(kind, pattern, t(name)),
      nested: [
        section('files', 'app.wsgi', t(`${name} > Files app.wsgi`)),
        section('filesMatch', '\\.py$', t(`${name} > FilesMatch py`)),
      ],
    });
    const srv = server({
      sections: [
        nested('directory', '/srv', 'Directory /srv'),
        section('files', 'app.wsgi', t('Files app.wsgi')),
        nested('directory', '/other', 'Directory /other'),
        nested('directoryMatch', '^/srv/', 'DirectoryMatch ^/srv/'),
      ],
    });
    const cs = compileSections(srv);
    const cache = new WalkCache([anyModuleDef(trace)]);
    const seen = (f: string) =>
      (cache.merge({ trace: { seen: [] } }, sectionsForFile(cs, f, false))['trace'] as TraceDir)
        .seen;
    assert.deepEqual(seen('/srv/app.wsgi'), [
      'Directory /srv',
      'DirectoryMatch ^/srv/',
      'Files app.wsgi',
      'Directory /srv > Files app.wsgi',
      'DirectoryMatch ^/srv/ > Files app.wsgi',
    ]);
    assert.deepEqual(seen('/srv/x.py'), [
      'Directory /srv',
      'DirectoryMatch ^/srv/',
      'Directory /srv > FilesMatch py',
      'DirectoryMatch ^/srv/ > FilesMatch py',
    ]);
    // A <Directory> that does not apply brings none of its <Files>.
    assert.deepEqual(seen('/elsewhere/app.wsgi'), ['Files app.wsgi']);
  });

  it('returns the same merged object for the same sections (merge cache)', () => {
    const srv = server({ sections: [section('directory', '/a', t('A'))] });
    const cs = compileSections(srv);
    const cache = new WalkCache([anyModuleDef(trace)]);
    const base = {};
    const one = cache.merge(base, sectionsForFile(cs, '/a/x', false));
    const two = cache.merge(base, sectionsForFile(cs, '/a/y', false));
    assert.equal(one, two);
    assert.equal(cache.merge(base, []), base);
  });

  it('applies a wildcard Directory only at its own depth', () => {
    const srv = server({ sections: [section('directory', '/home/*', t('home/*'))] });
    const cs = compileSections(srv);
    assert.equal(sectionsForFile(cs, '/home/joe/f', false).length, 1);
    assert.equal(sectionsForFile(cs, '/home/f', false).length, 0);
  });
});

describe('core map_to_storage', () => {
  it('splits path_info after an existing file and walks its directory sections', async (tc) => {
    const root = mkdtempSync(join(tmpdir(), 'walk-'));
    tc.after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'f.txt'), 'x');
    const srv = server({ sections: [section('directory', join(root, 'd'), t('d'))] });
    const { gen } = await generation(config(srv), [trace]);
    const r = fakeRequest(gen);
    r.filename = join(root, 'd', 'f.txt', 'more', 'info');
    assert.equal(coreMapToStorage(r), 0);
    assert.equal(r.filename, join(root, 'd', 'f.txt'));
    assert.equal(r.pathInfo, '/more/info');
    assert.equal(r.finfo?.isFile(), true);
    assert.deepEqual((r.perDir['trace'] as TraceDir).seen, ['d']);
  });

  it('keeps the first missing component in filename and the rest as path_info', async (tc) => {
    const root = mkdtempSync(join(tmpdir(), 'walk-'));
    tc.after(() => rmSync(root, { recursive: true, force: true }));
    const { gen } = await generation(config(server()), []);
    const r = fakeRequest(gen);
    r.filename = join(root, 'nope', 'x');
    coreMapToStorage(r);
    assert.equal(r.filename, join(root, 'nope'));
    assert.equal(r.pathInfo, '/x');
    assert.equal(r.finfo, undefined);
  });
});

describe('globToRegExp (fnmatch details)', () => {
  it('matches one non-slash character with ?', () => {
    assert.equal(globToRegExp('a?c').test('abc'), true);
    assert.equal(globToRegExp('a?c').test('a/c'), false);
    assert.equal(globToRegExp('a?c').test('ac'), false);
  });
  it('takes an unterminated [ literally and a backslash as an escape', () => {
    assert.equal(globToRegExp('a[b').test('a[b'), true);
    assert.equal(globToRegExp('a[b').test('ab'), false);
    assert.equal(globToRegExp('a\\*b').test('a*b'), true);
    assert.equal(globToRegExp('a\\*b').test('axb'), false);
    assert.equal(globToRegExp('x[!0-9]').test('xa'), true);
    assert.equal(globToRegExp('x[!0-9]').test('x1'), false);
  });
});

describe('wildcard <Files> and <Location>', () => {
  it('matches a <Files> wildcard against the base name', () => {
    const cs = compileSections(server({ sections: [section('files', '*.txt', t('txt'))] }));
    assert.equal(sectionsForFile(cs, '/a/b/c.txt', false).length, 1);
    assert.equal(sectionsForFile(cs, '/a/b/c.html', false).length, 0);
  });
  it('matches a <Location> wildcard within one path segment (FNM_PATHNAME)', () => {
    const cs = compileSections(server({ sections: [section('location', '/img*', t('img'))] }));
    assert.equal(sectionsForUri(cs, '/img').length, 1);
    assert.equal(sectionsForUri(cs, '/imgs').length, 1);
    assert.equal(sectionsForUri(cs, '/imgs/a.png').length, 0);
    assert.equal(sectionsForUri(cs, '/im').length, 0);
  });
});

describe('WalkCache.memo', () => {
  it('computes once per key and starts over past 10000 keys', () => {
    const cache = new WalkCache([]);
    const base = {};
    let calls = 0;
    const f = () => ++calls;
    assert.equal(cache.memo(base, 'k0', f), 1);
    assert.equal(cache.memo(base, 'k0', f), 1, 'remembered');
    for (let i = 1; i < 10000; i++) cache.memo(base, `k${i}`, f);
    assert.equal(calls, 10000);
    assert.equal(cache.memo(base, 'k0', f), 1, 'still remembered at the limit');
    cache.memo(base, 'one-more', f);
    assert.equal(cache.memo(base, 'k0', f), 10002, 'the full table was cleared');
    assert.equal(cache.memo({}, 'k0', f), 10003, 'tables are per base config');
  });
});
