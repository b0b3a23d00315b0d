// processRequest on RequestRecords built without sockets: the phase sequencing, decl_die,
// normalisation errors and ErrorDocument internal redirects.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processRequest } from './pipeline.js';
import { DECLINED, OK } from './hooks.js';
import type { ModuleDef } from '../modules/module.js';
import { coreModule } from '../core/index.js';
import { aliasModule } from '../modules/alias/index.js';
import { createCoreDir, createCoreServer } from '../core/config.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';

const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
writeFileSync(join(root, 'nf.html'), 'nf\n');
writeFileSync(join(root, 'a.txt'), 'a\n');

const ir = (docs = {}) =>
  config(
    server({
      server: {
        core: { ...createCoreServer(), documentRoot: root },
        alias: {
          aliases: [
            {
              fake: '/al',
              real: root,
              regex: false,
              script: false,
              origin: { file: 't', line: 1 },
            },
          ],
        },
      },
      dirDefaults: { core: { ...createCoreDir(), errorDocuments: docs } },
    }),
  );

/** Records the phases it sees, in order. */
function spy(log: string[]): ModuleDef {
  const at = (p: string, rv = OK) => ({
    run: () => {
      log.push(p);
      return rv;
    },
  });
  return {
    name: 'spy',
    hooks: {
      postReadRequest: at('post_read_request'),
      translateName: at('translate_name', DECLINED),
      mapToStorage: at('map_to_storage', DECLINED),
      headerParser: at('header_parser'),
      accessChecker: at('access_checker'),
      accessCheckerEx: at('access_checker_ex'),
      typeChecker: at('type_checker', DECLINED),
      fixups: at('fixups'),
    },
    handlers: {
      spy: () => {
        log.push('handler');
        return OK;
      },
    },
  };
}

describe('processRequest', () => {
  it('runs the phases in httpd order and then the handler', async () => {
    const log: string[] = [];
    const s = spy(log);
    const fixups = s.hooks?.fixups;
    const withHandler: ModuleDef = {
      ...s,
      hooks: {
        ...s.hooks,
        fixups: {
          run: (r) => {
            log.push('fixups');
            r.handler = 'spy';
            return OK;
          },
          ...(fixups?.order === undefined ? {} : { order: fixups.order }),
        },
      },
    };
    const { gen } = await generation(ir(), [coreModule, withHandler]);
    const r = fakeRequest(gen, { target: '/a.txt' });
    assert.equal(await processRequest(r), OK);
    assert.deepEqual(log, [
      'post_read_request',
      'translate_name',
      'map_to_storage',
      'header_parser',
      'access_checker',
      'access_checker_ex',
      'type_checker',
      'fixups',
      'handler',
    ]);
    assert.equal(r.filename, join(root, 'a.txt'));
  });

  it('answers 500 with AH00025 when nothing translates the URI (decl_die)', async () => {
    const { gen, log } = await generation(ir(), [
      { name: 'x', hooks: { accessCheckerEx: { run: () => OK } } },
    ]);
    const r = fakeRequest(gen, { target: '/a.txt' });
    assert.equal(await processRequest(r), 500);
    assert.equal(r.res.statusCode, 500);
    assert.ok(
      log.lines.some((l) =>
        l.includes("AH00025: configuration error:  couldn't translate: /a.txt"),
      ),
    );
  });

  it('answers 400 to a path above the root and 404 to an encoded slash', async () => {
    const { gen } = await generation(ir(), [coreModule]);
    assert.equal(await processRequest(fakeRequest(gen, { target: '/../etc/passwd' })), 400);
    assert.equal(await processRequest(fakeRequest(gen, { target: '/al%2f..%2fx' })), 404);
  });

  it('lets mod_alias translate before core (MIDDLE before REALLY_LAST)', async () => {
    const { gen } = await generation(ir(), [
      coreModule,
      aliasModule,
      { name: 'ok', hooks: { accessCheckerEx: { run: () => OK } } },
    ]);
    const r = fakeRequest(gen, { target: '/al/a.txt' });
    await processRequest(r, true);
    assert.equal(r.filename, join(root, 'a.txt'));
  });

  it('runs a local ErrorDocument as an internal redirect with REDIRECT_STATUS and REDIRECT_URL', async () => {
    // The redirected request gets a no-op handler: no socket here to stream a file into.
    const noop: ModuleDef = {
      name: 'noop',
      hooks: {
        accessCheckerEx: { run: () => OK },
        fixups: {
          run: (r) => {
            if (r.prev !== undefined) r.handler = 'noop';
            return OK;
          },
        },
      },
      handlers: { noop: () => OK },
    };
    const { gen } = await generation(ir({ '404': { kind: 'local', value: '/nf.html' } }), [
      coreModule,
      noop,
    ]);
    const r = fakeRequest(gen, { target: '/missing?q=1' });
    r.env.set('MINE', 'x');
    assert.equal(await processRequest(r), 404);
    const next = r.next;
    assert.ok(next !== undefined);
    assert.equal(next.uri, '/nf.html');
    assert.equal(next.env.get('REDIRECT_STATUS'), '404');
    assert.equal(next.env.get('REDIRECT_URL'), '/missing');
    assert.equal(next.env.get('REDIRECT_QUERY_STRING'), 'q=1');
    assert.equal(next.env.get('REDIRECT_MINE'), 'x');
    assert.equal(next.status, 404, 'the ErrorDocument request answers with the error status');
  });
});
