// httpd: server/core.c (default_handler), modules/http/http_protocol.c
// (ap_meets_conditions, ap_set_last_modified), modules/http/byterange_filter.c,
// modules/http/http_etag.c (ap_make_etag).
//
// A directory reaching the default handler (no DirectoryIndex file, no handler) gets 404 and
// an info-level AH00129, as in core.c. httpd's 403 AH01276 comes from mod_autoindex's
// handler for httpd/unix-directory, and tswsgi has no mod_autoindex (LoadModule refuses it).
//
// Static files: Content-Type from the type checker, Last-Modified, ETag (FileETag, default
// MTime Size), If-None-Match / If-Modified-Since → 304, one Range → 206, HEAD, streaming.

import { createReadStream, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { DONE } from '../request/hooks.js';
import type { Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import { coreDir } from './view.js';
import { reasonPhrase } from '../http/status.js';

/** ap_make_etag: `"size-mtime"` (hex, mtime in µs) per FileETag; W/ if modified within 1 s. */
export function makeETag(
  parts: readonly ('inode' | 'mtime' | 'size')[],
  st: { ino: bigint; size: bigint; mtimeUs: bigint },
  requestTimeMs: number,
): string | undefined {
  if (parts.length === 0) return undefined;
  const vals = parts.map((p) =>
    (p === 'inode' ? st.ino : p === 'size' ? st.size : st.mtimeUs).toString(16),
  );
  const weak = BigInt(requestTimeMs) * 1000n - st.mtimeUs <= 1_000_000n ? 'W/' : '';
  return `${weak}"${vals.join('-')}"`;
}

/** A single byte range resolved against `size`, 'unsatisfiable', or undefined (ignore). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return undefined; // several ranges or junk: serve the whole file
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/** ap_meets_conditions for GET/HEAD: 304 when the validators match, else undefined. */
function notModified(r: RequestRecord, etag: string | undefined, mtimeSec: number): boolean {
  const h = r.headersIn.headers;
  const inm = h['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    if (etag === undefined) return false;
    // Weak comparison for GET without Range (httpd: strstr); strong if a Range is present.
    if (h.range !== undefined)
      return !etag.startsWith('W/') && inm.split(',').some((t) => t.trim() === etag);
    return inm.includes(etag.replace(/^W\//, ''));
  }
  const ims = h['if-modified-since'];
  if (ims !== undefined) {
    const t = Date.parse(ims);
    if (Number.isNaN(t)) return false;
    const imsSec = Math.floor(t / 1000);
    return imsSec >= mtimeSec && imsSec <= Math.floor(r.requestTime / 1000);
  }
  return false;
}

/** The content type with AddDefaultCharset applied (text/plain and text/html only). */
function contentTypeOf(r: RequestRecord): string | undefined {
  const ct = r.contentType;
  const cs = coreDir(r.perDir).defaultCharset;
  if (ct === undefined || cs === undefined || ct.includes('charset=')) return ct;
  return ct === 'text/plain' || ct === 'text/html' ? `${ct}; charset=${cs}` : ct;
}

/** core's default_handler (REALLY_LAST): serve r.filename. */
export async function defaultHandler(r: RequestRecord): Promise<Outcome> {
  const res = r.res;
  if (r.method === 'OPTIONS') {
    res.setHeader('Allow', 'GET,POST,OPTIONS,HEAD');
    res.setHeader('Content-Length', 0);
    res.end();
    return DONE;
  }
  const full = (r.filename ?? '') + r.pathInfo;
  if (r.method === 'GET' || r.method === 'HEAD' || r.method === 'POST') {
    if (r.finfo === undefined) {
      r.logError('info', 'core', 'AH00128', `File does not exist: ${full}`);
      return 404;
    }
    if (r.finfo.isDirectory()) {
      r.logError('info', 'core', 'AH00129', `Attempt to serve directory: ${r.filename ?? ''}`);
      return 404;
    }
    if (r.pathInfo !== '' && coreDir(r.perDir).acceptPathInfo !== 'on') {
      r.logError('info', 'core', 'AH00130', `File does not exist: ${full}`);
      return 404;
    }
    if (r.method === 'POST') {
      r.logError(
        'error',
        'core',
        'AH00131',
        `This resource does not accept the ${r.method} method.`,
      );
      return 405;
    }
  } else {
    return 405;
  }
  const file = r.filename ?? '';
  let big;
  try {
    big = statSync(file, { bigint: true });
  } catch {
    r.logError('error', 'core', 'AH00132', `file permissions deny server access: ${file}`);
    return 403;
  }
  const size = Number(big.size);
  const mtimeUs = big.mtimeNs / 1000n;
  // ap_rationalize_mtime: never claim a modification time in the future.
  const mtimeMs = Math.min(Number(mtimeUs / 1000n), r.requestTime);
  const etag = makeETag(
    coreDir(r.perDir).fileETag,
    { ino: big.ino, size: big.size, mtimeUs },
    r.requestTime,
  );
  const ok = r.status >= 200 && r.status < 300;
  res.statusCode = r.status;
  res.statusMessage = reasonPhrase(r.status);
  res.setHeader('Last-Modified', new Date(mtimeMs).toUTCString());
  if (etag !== undefined) res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  if (ok && notModified(r, etag, Math.floor(mtimeMs / 1000))) {
    r.status = 304;
    res.statusCode = 304;
    res.statusMessage = reasonPhrase(304);
    res.end();
    return DONE;
  }
  const range = ok ? parseRange(r.headersIn.headers.range, size) : undefined;
  if (range === 'unsatisfiable') {
    res.removeHeader('Accept-Ranges');
    res.setHeader('Content-Range', `bytes */${size}`);
    return 416;
  }
  const ct = contentTypeOf(r);
  let start = 0;
  let end = size - 1;
  if (range !== undefined) {
    ({ start, end } = range);
    r.status = 206;
    res.statusCode = 206;
    res.statusMessage = reasonPhrase(206);
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('Content-Length', Math.max(0, end - start + 1));
  if (ct !== undefined) res.setHeader('Content-Type', ct);
  if (r.headerOnly || size === 0) {
    res.end();
    return DONE;
  }
  const stream = createReadStream(file, { start, end });
  stream.pipe(res);
  try {
    await finished(res);
  } catch {
    stream.destroy(); // client went away
  }
  return DONE;
}
