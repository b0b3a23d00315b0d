// Differential test (STYLE §4 level 4): the same httpd.conf template and the same raw requests
// against real Apache httpd + mod_wsgi (the oracle) and against tswsgi
// (`bin/tswsgi -f conf -DFOREGROUND`), comparing status, the headers that matter, the body and,
// for dump.wsgi, the WSGI environ. Counterpart: mod_wsgi's own behaviour as documented in
// /work/shared/reference/mod_wsgi.md; httpd server/util_script.c ap_add_common_vars.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  APACHE_BIN,
  DIFF_CONF_TEMPLATE,
  MOD_WSGI_SO,
  freePort,
  TSWSGI_BIN,
  prepareTree,
  startHttpd,
  type DiffTree,
  type RunningServer,
} from './apache.js';
import { CASES, type Case, type Env } from './cases.js';
import { header, rawRequest, type RawResponse } from './raw-client.js';
import { startProxyBackend, type ProxyBackend } from './proxy.js';

/*
 * Comparison rules (tswsgi must answer like Apache):
 * - status code: exact.
 * - headers: the same set of names; values exact except HEADER_VALUE_IGNORED (Date, Server:
 *   presence only); the order of names too unless the case says `ordered: false` (and why).
 *   Dump responses: Content-Length must equal each body's own length (the JSON differs by
 *   the ignored environ values below), not Apache's.
 * - body: exact after the server's own port is replaced by PORT; dump.wsgi's JSON instead
 *   compares the environ (below) plus the body length/sha256 the app read from wsgi.input.
 * - environ: the same keys; values exact (strings with the port normalised) except
 *   ENV_VALUE_IGNORED, which must be present with the same JSON type: ports, pids, timings,
 *   ids, counters and versions differ between two servers, and wsgi.input / wsgi.errors /
 *   wsgi.file_wrapper are objects whose class names differ.
 * - error log: each case's `logs` patterns must appear in both servers' error logs.
 */

/** Environ keys whose values legitimately differ between two servers/runs: presence + type. */
const ENV_VALUE_IGNORED = new Set([
  'REMOTE_PORT',
  'SERVER_SOFTWARE',
  'apache.version',
  'mod_wsgi.version',
  'mod_wsgi.script_start',
  'mod_wsgi.request_start',
  'mod_wsgi.queue_start',
  'mod_wsgi.daemon_start',
  'mod_wsgi.request_id',
  'mod_wsgi.thread_id',
  'mod_wsgi.thread_requests',
  'mod_wsgi.total_requests',
  'mod_wsgi.connection_id',
  'mod_wsgi.daemon_connects',
  'mod_wsgi.daemon_restarts',
  'mod_wsgi.listener_port',
  'REDIRECT_mod_wsgi.request_start',
  'REDIRECT_mod_wsgi.queue_start',
  'REDIRECT_mod_wsgi.request_id',
  'REDIRECT_mod_wsgi.daemon_connects',
  'REDIRECT_mod_wsgi.daemon_restarts',
  'REDIRECT_mod_wsgi.listener_port',
  'REDIRECT_REMOTE_PORT',
  // mod_unique_id: a fresh id per request.
  'UNIQUE_ID',
  'REDIRECT_UNIQUE_ID',
  'REDIRECT_SERVER_SOFTWARE',
  'wsgi.input',
  'wsgi.errors',
  'wsgi.file_wrapper',
]);
/** Headers compared for presence only (the banner and the clock differ). */
const HEADER_VALUE_IGNORED = new Set(['date', 'server']);

function requestBytes(c: Case, port: number): string {
  const body = c.rawBody ?? c.body ?? '';
  const length =
    c.body === undefined ? '' : `Content-Length: ${String(Buffer.byteLength(body))}\r\n`;
  const one = (conn: string): string =>
    `${c.method ?? 'GET'} ${c.path} HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\n` +
    `${c.extraHeaders ?? ''}${length}${conn}\r\n${body}`;
  const mode = c.connection ?? 'close';
  if (mode === 'close') return one('Connection: close\r\n');
  // The second request on the same connection proves the first answer kept it open.
  return (
    one(mode === 'keep-alive' ? 'Connection: keep-alive\r\n' : '') + one('Connection: close\r\n')
  );
}

async function send(c: Case, port: number): Promise<RawResponse> {
  const res = await rawRequest(port, requestBytes(c, port), { head: c.method === 'HEAD' });
  if ((c.connection ?? 'close') === 'close') {
    assert.equal(res.rest?.length ?? 0, 0, 'nothing after the response on a closed connection');
  } else if (c.method !== 'HEAD') {
    assert.match(
      res.rest?.toString('latin1') ?? '',
      /^HTTP\/1\.1 \d{3} /,
      'second response on the kept connection',
    );
  }
  return res;
}

/** Replace the server's own port by a token so two servers' texts compare. */
function norm(text: string, port: number): string {
  return text
    .replaceAll(`:${String(port)}`, ':PORT')
    .replace(new RegExp(`^${String(port)}$`), 'PORT');
}

interface DumpDoc {
  environ: Env;
  body_length: number;
  body_sha256: string;
}
function parseDump(res: RawResponse): DumpDoc {
  const doc: unknown = JSON.parse(res.body.toString('utf8'));
  assert.ok(typeof doc === 'object' && doc !== null && 'environ' in doc, 'dump.wsgi JSON');
  const { environ, body_length, body_sha256 } = doc as Record<string, unknown>;
  assert.ok(typeof environ === 'object' && environ !== null);
  return {
    environ: environ as Env,
    body_length: Number(body_length),
    body_sha256: String(body_sha256),
  };
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * Keys only Apache + mod_wsgi has, left out of the comparison: mod_wsgi.magic is the token
 * an Apache child proves itself with to a daemon socket (each tswsgi worker has one private
 * connection; an internal redirect shows it as REDIRECT_mod_wsgi.magic).
 */
const ENV_APACHE_ONLY = new Set(['REDIRECT_mod_wsgi.magic']);

function comparableEnv(env: Env, port: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) {
    if (ENV_APACHE_ONLY.has(k)) continue;
    out[k] = ENV_VALUE_IGNORED.has(k)
      ? `<present: ${jsonType(v)}>`
      : typeof v === 'string'
        ? norm(v, port)
        : v;
  }
  return out;
}

/** Header names (lower case) in wire order. */
function headerNames(res: RawResponse): string[] {
  return res.headers.map(([n]) => n.toLowerCase());
}

/** Wait (bounded) until every pattern matches the server's error log; returns the misses. */
async function missingLogLines(
  server: RunningServer,
  patterns: readonly RegExp[],
): Promise<RegExp[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const text = await server.logs();
    const missing = patterns.filter((p) => !p.test(text));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((res) => setTimeout(res, 50));
  }
}

const apacheMissing = !existsSync(APACHE_BIN) || !existsSync(MOD_WSGI_SO);

describe(
  'differential: Apache + mod_wsgi vs tswsgi on one httpd.conf',
  {
    skip: apacheMissing ? 'apache2 not installed' : false,
  },
  () => {
    let tree: DiffTree | undefined;
    let apache: RunningServer | undefined;
    let tswsgi: RunningServer | undefined;
    let tswsgiError = '';
    let backend: ProxyBackend | undefined;
    const oracle = new Map<string, RawResponse>();
    const record: unknown[] = [];

    before(async () => {
      backend = await startProxyBackend();
      tree = {
        ...(await prepareTree()),
        backendPort: backend.port,
        backendDeadPort: await freePort(),
      };
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
      await backend?.close();
      if (tree) await rm(tree.base, { recursive: true, force: true });
    });

    describe('Apache + mod_wsgi (oracle)', () => {
      for (const c of CASES) {
        it(c.name, async (t) => {
          assert.ok(apache, 'apache started');
          const res = await send(c, apache.port);
          oracle.set(c.name, res);
          assert.equal(
            res.status,
            c.expectStatus,
            `${res.statusLine}\n${res.body.toString().slice(0, 500)}`,
          );
          const env = c.dump === true ? parseDump(res).environ : undefined;
          c.check?.(res, env);
          if (c.logs)
            assert.deepEqual(await missingLogLines(apache, c.logs), [], 'Apache error log');
          t.diagnostic(`${res.statusLine} | headers: ${res.headers.map(([n]) => n).join(', ')}`);
          if (env) {
            t.diagnostic(`environ keys: ${Object.keys(env).sort().join(' ')}`);
            const shown = [
              'SCRIPT_NAME',
              'PATH_INFO',
              'PATH_TRANSLATED',
              'QUERY_STRING',
              'REQUEST_URI',
              'HTTP_X_MULTI',
              'CONTENT_LENGTH',
              'CONTENT_TYPE',
            ];
            t.diagnostic(
              `environ: ${JSON.stringify(Object.fromEntries(shown.filter((k) => k in env).map((k) => [k, env[k]])))}`,
            );
          } else {
            t.diagnostic(`body: ${JSON.stringify(res.body.toString('latin1').slice(0, 400))}`);
          }
          record.push({
            case: c.name,
            request: requestBytes(c, apache.port),
            statusLine: res.statusLine,
            headers: res.headers,
            body: env ? parseDump(res) : res.body.toString('latin1'),
          });
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
          const [gn, wn] = [headerNames(got), headerNames(want)];
          if (c.ordered === false) assert.deepEqual([...gn].sort(), [...wn].sort(), 'header names');
          else assert.deepEqual(gn, wn, 'header names in order');
          for (const [name] of want.headers) {
            const lower = name.toLowerCase();
            if (HEADER_VALUE_IGNORED.has(lower) || (c.dump === true && lower === 'content-length'))
              continue;
            const [g, w] = [header(got, name), header(want, name)];
            assert.equal(g && norm(g, tswsgi.port), w && norm(w, apache.port), `${name} header`);
          }
          if (c.dump === true) {
            for (const r of [got, want])
              assert.equal(header(r, 'Content-Length'), String(r.body.length));
            const [g, w] = [parseDump(got), parseDump(want)];
            assert.deepEqual(
              comparableEnv(g.environ, tswsgi.port),
              comparableEnv(w.environ, apache.port),
              'environ',
            );
            assert.equal(g.body_length, w.body_length, 'body length seen by the app');
            assert.equal(g.body_sha256, w.body_sha256, 'body sha256 seen by the app');
          } else if (c.gunzip === true) {
            // DEFLATE (deflate helper): the same content, whatever deflate bytes zlib chose.
            assert.equal(
              gunzipSync(got.body).toString('latin1'),
              gunzipSync(want.body).toString('latin1'),
              'gunzipped body',
            );
          } else {
            assert.equal(
              norm(got.body.toString('latin1'), tswsgi.port),
              norm(want.body.toString('latin1'), apache.port),
              'body',
            );
          }
          if (c.logs)
            assert.deepEqual(await missingLogLines(tswsgi, c.logs), [], 'tswsgi error log');
        });
      }
    });
  },
);
