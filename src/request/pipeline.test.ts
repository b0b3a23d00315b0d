// processRequest on RequestRecords built without sockets: the phase sequencing, decl_die,
// normalisation errors and ErrorDocument internal redirects.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
after(() => rmSync(root, { recursive: true, force: true }));
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
          redirects: [],
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

describe('processRequest: a phase that refuses', () => {
  type Hooks = NonNullable<ModuleDef['hooks']>;
  /** A translate hook (no core module), a type checker, plus the given hooks. */
  const stage = (hooks: Hooks, handlers: ModuleDef['handlers'] = {}): ModuleDef => ({
    name: 'stage',
    hooks: {
      translateName: {
        run: (r) => {
          r.filename = join(root, 'a.txt');
          return OK;
        },
      },
      typeChecker: { run: () => OK },
      ...hooks,
    },
    handlers,
  });
  const fixed = (rv: number) => ({ run: () => rv });
  const hasLine = (lines: readonly string[], text: string) =>
    assert.ok(
      lines.some((l) => l.includes(text)),
      `no log line with ${JSON.stringify(text)} in:\n${lines.join('\n')}`,
    );

  it('answers the status post_read_request returns, before any other phase', async () => {
    let translated = false;
    const { gen } = await generation(ir(), [
      stage({
        postReadRequest: fixed(400),
        translateName: {
          run: () => {
            translated = true;
            return OK;
          },
        },
      }),
    ]);
    const r = fakeRequest(gen, { target: '/a.txt' });
    assert.equal(await processRequest(r), 400);
    assert.equal(r.res.statusCode, 400);
    assert.equal(translated, false);
  });

  /** A generation whose server defaults carry the given core per-dir settings. */
  const withCore = (core: Partial<ReturnType<typeof createCoreDir>>, hooks: Hooks = {}) =>
    generation(
      config(
        server({
          server: { core: { ...createCoreServer(), documentRoot: root } },
          dirDefaults: { core: { ...createCoreDir(), ...core } },
        }),
      ),
      [
        stage({
          accessCheckerEx: fixed(OK),
          fixups: {
            run: (r) => {
              seen.push(r.uri);
              return OK;
            },
          },
          ...hooks,
        }),
      ],
    );
  let seen: string[] = [];

  it('decodes %2F and then normalises the path under AllowEncodedSlashes On', async () => {
    seen = [];
    const { gen, log } = await withCore({ allowEncodedSlashes: 'on' });
    const st = await processRequest(fakeRequest(gen, { target: '/x%2F..%2Fa.txt' }), true);
    // httpd 2.4.71: 200, %U "/a.txt"; /x%2f%2fb.txt → %U "/x/b.txt" (merged after decoding)
    const st2 = await processRequest(fakeRequest(gen, { target: '/x%2f%2fb.txt' }), true);
    assert.deepEqual([st, st2, seen], [OK, OK, ['/a.txt', '/x/b.txt']]);
    assert.ok(!log.lines.some((l) => l.includes('AH00026')), log.lines.join('\n'));
  });

  it('answers 400 with AH03450 at debug to `*` for any method but OPTIONS', async () => {
    seen = [];
    const { gen, log } = await withCore({});
    const r = fakeRequest(gen, { target: '*', method: 'GET' });
    assert.equal(await processRequest(r), 400);
    assert.equal(r.res.statusCode, 400);
    assert.deepEqual(seen, []);
    assert.ok(
      log.lines.some((l) =>
        l.endsWith("[client 127.0.0.1:50000] AH03450: HTTP Request Line; Unable to parse URI: '*'"),
      ),
      log.lines.join('\n'),
    );
    const o = fakeRequest(gen, { target: '*', method: 'OPTIONS' });
    assert.notEqual(await processRequest(o), 400);
  });

  it('answers 404 with AH00026 for %2F under AllowEncodedSlashes Off (the default)', async () => {
    for (const core of [{}, { allowEncodedSlashes: 'off' as const }]) {
      seen = [];
      const { gen, log } = await withCore(core);
      const r = fakeRequest(gen, { target: '/x%2fb.txt' });
      assert.equal(await processRequest(r), 404);
      assert.equal(r.res.statusCode, 404);
      assert.deepEqual(seen, []);
      assert.ok(
        log.lines.some((l) =>
          l.endsWith(
            "[client 127.0.0.1:50000] AH00026: found %2f (encoded '/') in URI path (/x%2fb.txt), returning 404",
          ),
        ),
        log.lines.join('\n'),
      );
    }
  });

  it("keeps %2F (in the client's case) under AllowEncodedSlashes NoDecode, no AH00026", async () => {
    seen = [];
    const { gen, log } = await withCore({ allowEncodedSlashes: 'nodecode' });
    const st = await processRequest(fakeRequest(gen, { target: '/x%2f%2Fb%41.txt' }), true);
    // httpd 2.4.71: %U "/x%2f%2fb.txt", then AH00128 File does not exist: …/x%2f%2fb.txt
    assert.deepEqual([st, seen], [OK, ['/x%2f%2FbA.txt']]);
    assert.ok(!log.lines.some((l) => l.includes('AH00026')), log.lines.join('\n'));
  });

  it('keeps repeated slashes under MergeSlashes Off and merges them by default', async () => {
    seen = [];
    let { gen } = await withCore({ mergeSlashes: false });
    await processRequest(fakeRequest(gen, { target: '//x//b.txt' }), true);
    await processRequest(fakeRequest(gen, { target: '/y///b/' }), true);
    ({ gen } = await withCore({ mergeSlashes: false, allowEncodedSlashes: 'on' }));
    await processRequest(fakeRequest(gen, { target: '/x%2F%2Fb.txt' }), true);
    ({ gen } = await withCore({}));
    await processRequest(fakeRequest(gen, { target: '/x//b.txt' }), true);
    // httpd 2.4.71 %U: /x//b.txt, /y///b/, /x//b.txt, and /x/b.txt with MergeSlashes On
    assert.deepEqual(seen, ['/x//b.txt', '/y///b/', '/x//b.txt', '/x/b.txt']);
  });

  it('answers an error map_to_storage, header_parser or access_checker returns', async () => {
    for (const hooks of [
      { mapToStorage: fixed(404) },
      { headerParser: fixed(400) },
      { accessChecker: fixed(403) },
    ] as Hooks[]) {
      const { gen } = await generation(ir(), [stage(hooks)]);
      const r = fakeRequest(gen, { target: '/a.txt' });
      const want = Object.values(hooks)[0]?.run(r);
      assert.equal(await processRequest(r), want, Object.keys(hooks)[0]);
      assert.equal(r.res.statusCode, want);
    }
  });

  it('runs authn then authz when access_checker_ex declines, and answers their errors', async () => {
    const login = (user: string | undefined, rv = OK) => ({
      run: (r: Parameters<NonNullable<Hooks['checkUserId']>['run']>[0]) => {
        r.user = user;
        r.authType = 'Basic';
        return rv;
      },
    });
    const handled: string[] = [];
    const handler = { h: (r: { user: string | undefined }) => (handled.push(r.user ?? '-'), OK) };
    const withHandler = (hooks: Hooks) =>
      stage(
        {
          ...hooks,
          fixups: {
            run: (r) => {
              r.handler = 'h';
              return OK;
            },
          },
        },
        handler,
      );

    // authenticated and authorised: the handler runs with r.user set
    let { gen } = await generation(ir(), [
      withHandler({ checkUserId: login('ann'), authChecker: fixed(OK) }),
    ]);
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), OK);
    assert.deepEqual(handled, ['ann']);

    // check_user_id refuses (401) / authz refuses (401)
    ({ gen } = await generation(ir(), [withHandler({ checkUserId: login(undefined, 401) })]));
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), 401);
    ({ gen } = await generation(ir(), [
      withHandler({ checkUserId: login('bob'), authChecker: fixed(401) }),
    ]));
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), 401);
    assert.deepEqual(handled, ['ann']);
  });

  it('answers 500 when no module authenticates, or authn leaves no user (AH00025, AH00027)', async () => {
    let { gen, log } = await generation(ir(), [stage({})]);
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), 500);
    hasLine(
      log.lines,
      "AH00025: configuration error:  couldn't check user.  No user file?: /a.txt",
    );

    ({ gen, log } = await generation(ir(), [stage({ checkUserId: fixed(OK) })]));
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), 500);
    hasLine(
      log.lines,
      'AH00027: No authentication done but request not allowed without authentication for /a.txt. Authentication not configured?',
    );

    ({ gen, log } = await generation(ir(), [
      stage({ checkUserId: { run: (r) => ((r.user = 'u'), OK) } }),
    ]));
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), 500);
    hasLine(log.lines, "AH00025: configuration error:  couldn't check authorization: /a.txt");
  });

  it('answers an access_checker_ex error other than DECLINED', async () => {
    const { gen } = await generation(ir(), [stage({ accessCheckerEx: fixed(403) })]);
    assert.equal(await processRequest(fakeRequest(gen, { target: '/a.txt' })), 403);
  });

  it('answers 500 when no type_checker answers (AH00025 find types)', async () => {
    const { gen, log } = await generation(ir(), [
      {
        name: 'bare',
        hooks: { translateName: fixed(OK), accessCheckerEx: fixed(OK) },
      },
    ]);
    const r = fakeRequest(gen, { target: '/a.txt' });
    assert.equal(await processRequest(r), 500);
    assert.equal(r.res.statusCode, 500);
    hasLine(log.lines, "AH00025: configuration error:  couldn't find types: /a.txt");
  });

  it('answers 500 with AH00524 when no handler takes the request and there is no default', async () => {
    const { gen, log } = await generation(ir(), [
      stage({
        accessCheckerEx: fixed(OK),
        fixups: { run: (r) => ((r.handler = 'nope'), OK) },
      }),
    ]);
    const r = fakeRequest(gen, { target: '/a.txt' });
    assert.equal(await processRequest(r), 500);
    assert.equal(r.res.statusCode, 500);
    hasLine(log.lines, `AH00524: handler "nope" not found for: ${join(root, 'a.txt')}`);
  });
});
