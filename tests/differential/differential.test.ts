// Differential test (STYLE §4 level 4): the same httpd.conf template and the same raw requests
// against real Apache httpd + mod_wsgi (the oracle) and against tswsgi
// (`bin/tswsgi -f conf -DFOREGROUND`), comparing status, the headers that matter, the body and,
// for dump.wsgi, the WSGI environ. Counterpart: mod_wsgi's own behaviour as documented in
// /work/shared/reference/mod_wsgi.md; httpd server/util_script.c ap_add_common_vars.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  APACHE_BIN,
  DIFF_CONF_TEMPLATE,
  MOD_WSGI_SO,
  STATIC_BODY,
  TSWSGI_BIN,
  prepareTree,
  startHttpd,
  type DiffTree,
  type RunningServer,
} from './apache.js';
import { header, rawRequest, type RawResponse } from './raw-client.js';

/** One request sent to both servers, plus what Apache is known to answer. */
interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly extraHeaders?: string;
  readonly body?: string;
  readonly expectStatus: number;
  /** The response is dump.wsgi's JSON: compare the environ, not the bytes. */
  readonly dump?: boolean;
  /** Extra assertions on the Apache response (documents the oracle's behaviour). */
  readonly check?: (res: RawResponse, env: Env | undefined) => void;
}
type Env = Readonly<Record<string, unknown>>;

const POST_BODY = 'a=1&b=' + 'x'.repeat(5000);

const CASES: readonly Case[] = [
  {
    name: 'GET /dump runs the file-target WSGIScriptAlias in daemon group diff',
    path: '/dump', expectStatus: 200, dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/dump');
      assert.equal(env?.['PATH_INFO'], ''); // mod_wsgi sets it, empty
      assert.equal(env?.['mod_wsgi.process_group'], 'diff');
    },
  },
  {
    name: 'GET /dump/a/b?x=1 gives PATH_INFO /a/b and QUERY_STRING x=1',
    path: '/dump/a/b?x=1', expectStatus: 200, dump: true,
    check: (_r, env) => {
      assert.equal(env?.['PATH_INFO'], '/a/b');
      assert.equal(env?.['QUERY_STRING'], 'x=1');
    },
  },
  { name: 'GET /dump//a///b (repeated slashes)', path: '/dump//a///b', expectStatus: 200, dump: true },
  { name: 'GET /dumpx does not match the /dump alias (404)', path: '/dumpx', expectStatus: 404 },
  {
    name: 'GET /scripts/dump.wsgi/extra runs the directory-target alias with PATH_INFO /extra',
    path: '/scripts/dump.wsgi/extra', expectStatus: 200, dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/scripts/dump.wsgi');
      assert.equal(env?.['PATH_INFO'], '/extra');
    },
  },
  { name: 'GET /scripts/ (directory, no index) is 403', path: '/scripts/', expectStatus: 403 },
  { name: 'GET /scripts/missing is 404', path: '/scripts/missing', expectStatus: 404 },
  {
    name: 'GET /hello.txt serves the static file',
    path: '/hello.txt', expectStatus: 200,
    check: (r) => {
      assert.equal(r.body.toString(), STATIC_BODY);
      assert.equal(header(r, 'Content-Type'), 'text/plain');
    },
  },
  {
    name: 'HEAD /hello.txt sends the GET headers and no body',
    method: 'HEAD', path: '/hello.txt', expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Content-Length'), String(STATIC_BODY.length));
    },
  },
  { name: 'GET /missing.txt is 404 with the canned body', path: '/missing.txt', expectStatus: 404 },
  {
    name: 'POST /dump passes the body through wsgi.input',
    method: 'POST', path: '/dump', expectStatus: 200, dump: true, body: POST_BODY,
    extraHeaders: 'Content-Type: application/x-www-form-urlencoded\r\n',
    check: (_r, env) => {
      assert.equal(env?.['REQUEST_METHOD'], 'POST');
      assert.equal(env?.['CONTENT_LENGTH'], String(POST_BODY.length));
    },
  },
  {
    name: 'a header sent twice (X-Multi) is joined with ", "',
    path: '/dump', expectStatus: 200, dump: true, extraHeaders: 'X-Multi: one\r\nX-Multi: two\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_X_MULTI'], 'one, two');
    },
  },
  {
    name: 'a header with an underscore (X_Foo) is not passed to the app',
    path: '/dump', expectStatus: 200, dump: true, extraHeaders: 'X_Foo: bar\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_X_FOO'], undefined);
    },
  },
  {
    name: 'Authorization is withheld from the app (WSGIPassAuthorization Off)',
    path: '/dump', expectStatus: 200, dump: true, extraHeaders: 'Authorization: Basic dTpw\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_AUTHORIZATION'], undefined);
    },
  },
];

/** Environ keys whose values legitimately differ between two servers/runs. */
const ENV_VALUE_IGNORED = new Set([
  'REMOTE_PORT', 'SERVER_SOFTWARE', 'apache.version', 'mod_wsgi.version', 'mod_wsgi.script_start',
  'mod_wsgi.request_start', 'mod_wsgi.queue_start', 'mod_wsgi.daemon_start',
  'mod_wsgi.request_id', 'mod_wsgi.thread_id', 'mod_wsgi.thread_requests',
  'mod_wsgi.total_requests', 'mod_wsgi.connection_id', 'mod_wsgi.daemon_connects',
  'mod_wsgi.daemon_restarts', 'mod_wsgi.ignore_activity', 'mod_wsgi.listener_port',
  'wsgi.input', 'wsgi.errors', 'wsgi.file_wrapper', 'DOCUMENT_ROOT',
]);
/** Headers whose presence may differ (per brief). */
const HEADER_NAMES_IGNORED = new Set(['date', 'server', 'etag', 'keep-alive']);

function requestBytes(c: Case, port: number): string {
  const body = c.body ?? '';
  const length = c.body === undefined ? '' : `Content-Length: ${String(Buffer.byteLength(body))}\r\n`;
  return `${c.method ?? 'GET'} ${c.path} HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\n` +
    `${c.extraHeaders ?? ''}${length}Connection: close\r\n\r\n${body}`;
}

async function send(c: Case, port: number): Promise<RawResponse> {
  return rawRequest(port, requestBytes(c, port), { head: c.method === 'HEAD' });
}

/** Replace the server's own port by a token so two servers' texts compare. */
function norm(text: string, port: number): string {
  return text.replaceAll(`:${String(port)}`, ':PORT').replace(new RegExp(`^${String(port)}$`), 'PORT');
}

interface DumpDoc { environ: Env; body_length: number; body_sha256: string }
function parseDump(res: RawResponse): DumpDoc {
  const doc: unknown = JSON.parse(res.body.toString('utf8'));
  assert.ok(typeof doc === 'object' && doc !== null && 'environ' in doc, 'dump.wsgi JSON');
  const { environ, body_length, body_sha256 } = doc as Record<string, unknown>;
  assert.ok(typeof environ === 'object' && environ !== null);
  return { environ: environ as Env, body_length: Number(body_length), body_sha256: String(body_sha256) };
}

function comparableEnv(env: Env, port: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) {
    out[k] = ENV_VALUE_IGNORED.has(k) ? '<present>' : typeof v === 'string' ? norm(v, port) : v;
  }
  return out;
}

function headerNames(res: RawResponse): string[] {
  return [...new Set(res.headers.map(([n]) => n.toLowerCase()))]
    .filter((n) => !HEADER_NAMES_IGNORED.has(n))
    .sort();
}

const apacheMissing = !existsSync(APACHE_BIN) || !existsSync(MOD_WSGI_SO);

describe('differential: Apache + mod_wsgi vs tswsgi on one httpd.conf', {
  skip: apacheMissing ? 'apache2 not installed' : false,
}, () => {
  let tree: DiffTree | undefined;
  let apache: RunningServer | undefined;
  let tswsgi: RunningServer | undefined;
  let tswsgiError = '';
  const oracle = new Map<string, RawResponse>();
  const record: unknown[] = [];

  before(async () => {
    tree = await prepareTree();
    apache = await startHttpd('apache', APACHE_BIN, DIFF_CONF_TEMPLATE, tree);
    if (!existsSync(TSWSGI_BIN)) {
      tswsgiError = `${TSWSGI_BIN} does not exist`;
      return;
    }
    try {
      tswsgi = await startHttpd('tswsgi', TSWSGI_BIN, DIFF_CONF_TEMPLATE, tree);
    } catch (e) {
      tswsgiError = e instanceof Error ? e.message : String(e);
    }
  });

  after(async () => {
    // DIFF_RECORD=path.json keeps Apache's exact answers for inspection.
    const out = process.env['DIFF_RECORD'];
    if (out !== undefined) await writeFile(out, JSON.stringify(record, null, 1));
    await tswsgi?.stop();
    await apache?.stop();
    if (tree) await rm(tree.base, { recursive: true, force: true });
  });

  describe('Apache + mod_wsgi (oracle)', () => {
    for (const c of CASES) {
      it(c.name, async (t) => {
        assert.ok(apache, 'apache started');
        const res = await send(c, apache.port);
        oracle.set(c.name, res);
        assert.equal(res.status, c.expectStatus, `${res.statusLine}\n${res.body.toString().slice(0, 500)}`);
        const env = c.dump === true ? parseDump(res).environ : undefined;
        c.check?.(res, env);
        t.diagnostic(`${res.statusLine} | headers: ${res.headers.map(([n]) => n).join(', ')}`);
        if (env) {
          t.diagnostic(`environ keys: ${Object.keys(env).sort().join(' ')}`);
          const shown = ['SCRIPT_NAME', 'PATH_INFO', 'PATH_TRANSLATED', 'QUERY_STRING', 'REQUEST_URI',
            'HTTP_X_MULTI', 'CONTENT_LENGTH', 'CONTENT_TYPE'];
          t.diagnostic(`environ: ${JSON.stringify(Object.fromEntries(shown.filter((k) => k in env).map((k) => [k, env[k]])))}`);
        } else {
          t.diagnostic(`body: ${JSON.stringify(res.body.toString('latin1').slice(0, 400))}`);
        }
        record.push({ case: c.name, request: requestBytes(c, apache.port), statusLine: res.statusLine,
          headers: res.headers, body: env ? parseDump(res) : res.body.toString('latin1') });
      });
    }
  });

  describe('tswsgi answers like Apache', () => {
    for (const c of CASES) {
      it(c.name, async () => {
        assert.ok(apache, 'apache started');
        assert.ok(
          tswsgi,
          `tswsgi is not runnable from the same conf (\`bin/tswsgi -f conf -DFOREGROUND\`): ${tswsgiError}`,
        );
        const want = oracle.get(c.name) ?? (await send(c, apache.port));
        const got = await send(c, tswsgi.port);
        assert.equal(got.status, want.status, `status line: ${got.statusLine}`);
        assert.deepEqual(headerNames(got), headerNames(want), 'header name set');
        for (const h of ['Content-Type', 'Location', 'Allow'] as const) {
          const [g, w] = [header(got, h), header(want, h)];
          assert.equal(g && norm(g, tswsgi.port), w && norm(w, apache.port), `${h} header`);
        }
        if (c.dump === true) {
          for (const r of [got, want]) assert.equal(header(r, 'Content-Length'), String(r.body.length));
          const [g, w] = [parseDump(got), parseDump(want)];
          assert.deepEqual(comparableEnv(g.environ, tswsgi.port), comparableEnv(w.environ, apache.port), 'environ');
          assert.equal(g.body_length, w.body_length, 'body length seen by the app');
          assert.equal(g.body_sha256, w.body_sha256, 'body sha256 seen by the app');
        } else {
          assert.equal(header(got, 'Content-Length'), header(want, 'Content-Length'), 'Content-Length header');
          assert.equal(norm(got.body.toString('latin1'), tswsgi.port), norm(want.body.toString('latin1'), apache.port), 'body');
        }
      });
    }
  });
});
