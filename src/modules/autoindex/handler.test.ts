import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { DECLINED, DONE } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { MODULES } from '../index.js';
import { fakeRequest, generation } from '../../../tests/support/record.js';
import { handleAutoindex } from './handler.js';
import { parseQuery } from './query.js';
import { autoindexModule } from './index.js';
import { parentEntry } from './entries.js';
import { Opt } from './options.js';

describe('parseQuery (index_directory query arguments)', () => {
  const F = Opt.FANCY_INDEXING;
  const T = Opt.TABLE_INDEXING;
  it('reads C= O= F= V= and carries F/V/P into the column links', () => {
    const q = parseQuery('C=S;O=D&F=2;V=1', 0, 'N', 'A');
    assert.deepEqual([q.key, q.direction], ['S', 'D']);
    assert.equal(q.opts, F | T | Opt.VERSION_SORT);
    assert.equal(q.colargs, ';F=2;V=1');
    assert.equal(parseQuery('F=1', F | T, 'N', 'A').opts, F);
    assert.equal(parseQuery('F=0;V=0', F | Opt.VERSION_SORT, 'N', 'A').opts, 0);
  });
  it('decodes ?P= and escapes it again for the links; a bad one is dropped', () => {
    const q = parseQuery('P=a%20*;C=M', 0, 'N', 'A');
    assert.equal(q.pattern, 'a *');
    assert.equal(q.colargs, ';P=a%20*');
    assert.equal(q.key, 'M');
    const bad = parseQuery('P=%zz', 0, 'N', 'A');
    assert.equal(bad.pattern, undefined);
    assert.equal(bad.colargs, '');
    assert.equal(parseQuery('P=', 0, 'N', 'A').pattern, undefined);
    assert.equal(parseQuery('P=a%2fb', 0, 'N', 'A').pattern, undefined);
  });
  it('stops at the first item it cannot read', () => {
    const q = parseQuery('C=X;O=D', 0, 'N', 'A');
    assert.deepEqual([q.key, q.direction], ['N', 'A']);
    assert.equal(parseQuery('O=D;C=MM', 0, 'N', 'A').key, 'N');
    assert.equal(parseQuery('O=D;C=MM', 0, 'N', 'A').direction, 'D');
  });
  it('ignores the client under IgnoreClient, and suppresses the sort links', () => {
    const q = parseQuery('C=S;O=D', Opt.IGNORE_CLIENT, 'M', 'D');
    assert.deepEqual([q.key, q.direction, q.colargs], ['M', 'D', '']);
    assert.equal(q.opts, Opt.IGNORE_CLIENT | Opt.SUPPRESS_COLSORT);
  });
});

describe('handleAutoindex', () => {
  async function request(method = 'GET') {
    const dir = mkdtempSync(join(tmpdir(), 'autoindex-handler-'));
    try {
      writeFileSync(
        join(dir, 'httpd.conf'),
        'LoadModule autoindex_module modules/mod_autoindex.so\nOptions Indexes\n',
      );
      const ir = loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir, modules: MODULES });
      const { gen, log } = await generation(ir, MODULES);
      const r = fakeRequest(gen, { method, target: '/gone/' });
      r.finfo = statSync(dir);
      r.filename = join(dir, 'gone');
      return { r, log, conf: r.dirConf(autoindexModule) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('answers 403 with AH01275 when the directory cannot be opened', async () => {
    const { r, log, conf } = await request();
    assert.equal(await handleAutoindex(r, conf), 403);
    const line = log.lines.find((l) => l.includes('AH01275'));
    assert.ok(line !== undefined, log.lines.join('\n'));
    assert.ok(line.includes('(2)No such file or directory'), line);
    assert.ok(line.endsWith("AH01275: Can't open directory for index: " + (r.filename ?? '')));
  });

  it('declines other methods and what is not a directory', async () => {
    const post = await request('POST');
    assert.equal(await handleAutoindex(post.r, post.conf), DECLINED);
    const file = await request();
    file.r.finfo = undefined;
    assert.equal(await handleAutoindex(file.r, file.conf), DECLINED);
  });
});

describe('HeaderName lookup', () => {
  it('asks for text/html or text/plain, without Accept-Encoding, then restores both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autoindex-accept-'));
    try {
      writeFileSync(join(dir, 'HEADER.txt'), 'head\n');
      writeFileSync(
        join(dir, 'httpd.conf'),
        [
          'LoadModule autoindex_module modules/mod_autoindex.so',
          'LoadModule mime_module modules/mod_mime.so',
          'TypesConfig /etc/mime.types',
          `DocumentRoot ${dir}`,
          'Options Indexes',
          'HeaderName HEADER.txt',
          '',
        ].join('\n'),
      );
      const ir = loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir, modules: MODULES });
      const seen: (string | undefined)[][] = [];
      const spy = {
        name: 'spy',
        hooks: {
          fixups: {
            run: (rr: RequestRecord) => {
              if (rr.main !== undefined && rr.uri.endsWith('HEADER.txt'))
                seen.push([rr.headersIn.headers.accept, rr.headersIn.headers['accept-encoding']]);
              return DECLINED;
            },
          },
        },
      };
      const { gen } = await generation({ ...ir, modules: [...(ir.modules ?? []), 'spy'] }, [
        ...MODULES,
        spy,
      ]);
      const r = fakeRequest(gen, {
        target: '/',
        headers: [
          ['Host', 'localhost'],
          ['Accept', 'image/png'],
          ['Accept-Encoding', 'gzip'],
        ],
      });
      r.finfo = statSync(dir);
      r.filename = dir + '/';
      assert.equal(await handleAutoindex(r, r.dirConf(autoindexModule)), DONE);
      // The header's lookup, then the listing's own entry for HEADER.txt with the client's.
      assert.deepEqual(seen, [
        ['text/html, text/plain', undefined],
        ['image/png', 'gzip'],
      ]);
      assert.equal(r.headersIn.headers.accept, 'image/png');
      assert.equal(r.headersIn.headers['accept-encoding'], 'gzip');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parentEntry (make_parent_entry)', () => {
  it('goes one segment up, an empty one included, and has none at the root', async () => {
    const { r, conf } = await (async () => {
      const ir = loadConfig({
        file: '/dev/null',
        serverRoot: tmpdir(),
        modules: MODULES,
      });
      const { gen } = await generation(ir, MODULES);
      const rec = fakeRequest(gen, { target: '/' });
      return { r: rec, conf: rec.dirConf(autoindexModule) };
    })();
    r.filename = '/srv/x/';
    for (const [uri, up] of [
      ['/a/b/', '/a/'],
      ['/a//b/', '/a//'],
      ['/a/', '/'],
      ['/', undefined],
    ] as const) {
      r.uri = uri;
      assert.equal(parentEntry(r, conf, 0)?.name, up, uri);
    }
  });
});
