// Shared helpers for the tests/integration/wsgi-*.test.ts files: the module preamble a
// WSGI config needs, fixture apps, request builders, and the dump.wsgi response parser.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { rawRequest } from './raw-http.js';
import type { RawConnection, RawResponse } from './raw-http.js';

/** LoadModule lines every WSGI test config starts with. */
export const WSGI_PREAMBLE = `LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule env_module modules/mod_env.so
LoadModule wsgi_module modules/mod_wsgi.so
ServerName localhost
`;

/** tests/fixtures/apps (found from dist/tests/support or tests/support). */
export const APPS_DIR = join(import.meta.dirname, '..', '..', '..', 'tests', 'fixtures', 'apps');

/** The text of a fixture app. */
export function app(name: string): string {
  return readFileSync(join(APPS_DIR, name), 'utf8');
}

/** A GET (or other method) request with Connection: close unless `keep` is true. */
export function req(
  path: string,
  opts: { method?: string; headers?: string; keep?: boolean; body?: string } = {},
): string {
  const body = opts.body ?? '';
  const cl =
    opts.body !== undefined ? `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` : '';
  return `${opts.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: localhost\r\n${opts.keep === true ? '' : 'Connection: close\r\n'}${opts.headers ?? ''}${cl}\r\n${body}`;
}

/** What dump.wsgi answers. */
export interface Dump {
  readonly environ: Readonly<Record<string, unknown>>;
  readonly body_length: number;
  readonly body_sha256: string;
}

/** Parse a dump.wsgi body, asserting the response is a well-formed 200 JSON answer. */
export function dumpOf(res: RawResponse): Dump {
  assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(Number(res.headers['content-length']), res.body.length);
  return JSON.parse(res.body.toString('utf8')) as Dump;
}

/** Send one request and return the response plus the parsed dump; the connection is closed. */
export async function dump(
  port: number,
  data: string,
): Promise<{
  res: RawResponse & { conn: RawConnection };
  env: Readonly<Record<string, unknown>>;
  d: Dump;
}> {
  const res = await rawRequest(port, data);
  res.conn.close();
  const d = dumpOf(res);
  return { res, env: d.environ, d };
}

/** Poll `cond` (every 20 ms, up to `ms`) — for log lines written asynchronously. */
export async function until<T>(cond: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Header names of a successful WSGI response on a closed (Connection: close) request. */
export const APP_HEADERS_CLOSE = ['connection', 'content-length', 'content-type', 'date', 'server'];
/** Canned Apache 2.4 500 body's first line (http_protocol.c). */
export const CANNED_DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">';
