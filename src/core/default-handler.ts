// httpd: server/core.c (default_handler), modules/http/http_protocol.c
// (ap_meets_conditions, ap_set_last_modified), modules/http/byterange_filter.c,
// modules/http/http_etag.c (ap_make_etag).
//
// A directory reaching the default handler (no DirectoryIndex file, no handler) gets 404 and
// an info-level AH00129, as in core.c. With mod_autoindex loaded a directory goes to its
// handler for httpd/unix-directory instead (listing, or 403 AH01276).
//
// Static files: Content-Type from the type checker, Last-Modified, ETag (FileETag, default
// MTime Size), If-None-Match / If-Modified-Since → 304 (412 for POST), Range and If-Range
// (byteranges.ts: 206, multipart/byteranges, 416), HEAD, streaming. POST serves the file
// too; OPTIONS, 405 and 501 carry the methods allowed here (http-methods.ts).

import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  readSync,
  type BigIntStats,
  type ReadStream,
} from 'node:fs';
import { finished } from 'node:stream/promises';
import { DONE } from '../request/hooks.js';
import type { Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import { hasOutputFilters, startOutputFilters } from '../request/output-filter.js';
import { coreDir } from './view.js';
import { setFilterHeaders } from '../http/response-headers.js';
import { reasonPhrase } from '../http/status.js';
import {
  ifRangeMatches,
  newBoundary,
  parseByteRanges,
  planMultipart,
  sendMultipart,
} from './byteranges.js';
import { DEFAULT_HANDLER_METHODS, KNOWN_METHODS, makeAllow } from './http-methods.js';
import { SmallFileCache } from './small-file-cache.js';
import type { CachedFile } from './small-file-cache.js';

/** Small files served before, checked against each request's stat (small-file-cache.ts). */
export const smallFiles = new SmallFileCache();

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

/**
 * ap_make_etag_ex with r->vlist_validator (a negotiated response): the variant's tag loses
 * its closing quote, then `;` and the validator without its opening quote — and, as httpd's
 * apr_cpystrn copies one byte short, without its closing quote too. A weak validator makes
 * the whole tag weak.
 */
export function withVlist(etag: string | undefined, vlv: string | undefined): string | undefined {
  if (etag === undefined || vlv === undefined || etag === '') return etag;
  const vlvWeak = vlv.startsWith('W/');
  const body = vlv.slice(vlvWeak ? 3 : 1, -1);
  const base = etag.slice(0, -1);
  return (vlvWeak && !base.startsWith('W/') ? 'W/' : '') + base + ';' + body;
}

/**
 * ap_meets_conditions (If-None-Match, If-Modified-Since): 304 when the validators match a
 * GET/HEAD, 412 when an If-None-Match matches any other method, else undefined.
 */
function conditionStatus(
  r: RequestRecord,
  etag: string | undefined,
  mtimeSec: number,
): 304 | 412 | undefined {
  const h = r.headersIn.headers;
  const isGet = r.method === 'GET' || r.method === 'HEAD';
  const inm = h['if-none-match'];
  if (inm !== undefined) {
    let match: boolean;
    if (inm.trim() === '*') match = true;
    else if (etag === undefined) match = false;
    // Weak comparison for GET without Range (httpd: strstr); strong if a Range is present.
    else if (h.range !== undefined)
      match = !etag.startsWith('W/') && inm.split(',').some((t) => t.trim() === etag);
    else match = inm.includes(etag.replace(/^W\//, ''));
    if (!match) return undefined;
    return isGet ? 304 : 412;
  }
  const ims = h['if-modified-since'];
  if (ims !== undefined && isGet) {
    const t = Date.parse(ims);
    if (Number.isNaN(t)) return undefined;
    const imsSec = Math.floor(t / 1000);
    if (imsSec >= mtimeSec && imsSec <= Math.floor(r.requestTime / 1000)) return 304;
  }
  return undefined;
}

/** The content type with AddDefaultCharset applied (text/plain and text/html only). */
function contentTypeOf(r: RequestRecord): string | undefined {
  const ct = r.contentType;
  const cs = coreDir(r.perDir).defaultCharset;
  if (ct === undefined || cs === undefined || ct.includes('charset=')) return ct;
  return ct === 'text/plain' || ct === 'text/html' ? `${ct}; charset=${cs}` : ct;
}

/** ap_discard_request_body: read and drop the body (LimitRequestBody still applies). */
async function discardBody(r: RequestRecord): Promise<void> {
  const req = r.headersIn;
  if (req.readableEnded || req.destroyed || r.main !== undefined) return;
  // No body framed: nothing to read (and no await for every GET).
  const h = req.headers;
  if (h['transfer-encoding'] === undefined && (h['content-length'] ?? '0') === '0') return;
  for await (const chunk of r.readBody()) void chunk;
}

/** The file r.filename names, or the status (and AH log line) httpd answers instead. */
function checkFile(r: RequestRecord): number | undefined {
  const full = (r.filename ?? '') + r.pathInfo;
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
  return undefined;
}

/**
 * core's default_handler (REALLY_LAST): GET, HEAD and POST serve r.filename (httpd's
 * deliver_script is always on); OPTIONS answers the Allow header; a method httpd does not
 * know is 501 (AH00135); any other one 405. The body is read and dropped first.
 */
export async function defaultHandler(r: RequestRecord): Promise<Outcome> {
  r.allowed = DEFAULT_HANDLER_METHODS;
  await discardBody(r);
  const res = r.res;
  if (r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'POST') {
    if (!KNOWN_METHODS.has(r.method)) {
      r.logError('error', 'core', 'AH00135', `Invalid method in request ${r.theRequest}`);
      return 501;
    }
    if (r.method !== 'OPTIONS') return 405;
    // ap_send_http_options: the Allow header; the type found for the file stays.
    res.setHeader('Allow', makeAllow(r));
    res.setHeader('Content-Length', 0);
    const ct = contentTypeOf(r);
    if (ct !== undefined) res.setHeader('Content-Type', ct);
    res.end();
    return DONE;
  }
  const bad = checkFile(r);
  if (bad !== undefined) return bad;
  return serveFile(r);
}

/** The rest of default_handler for a regular file: validators, conditions, ranges, body. */
async function serveFile(r: RequestRecord): Promise<Outcome> {
  const file = r.filename ?? '';
  // An unchanged small file (the same one translate just stat'ed): no open, no read.
  // EnableMMAP Off (httpd: do not map files, e.g. on NFS) keeps no file in memory either.
  const finfo = coreDir(r.perDir).enableMMAP ? r.finfo : undefined;
  const cached = finfo === undefined ? undefined : smallFiles.get(file, finfo);
  if (cached !== undefined) return serveOpenFile(r, file, { fd: -1, handedOver: false, cached });
  const keep = finfo !== undefined && smallFiles.accepts(finfo);
  // default_handler: apr_file_open first (AH00132 when it fails), then the validators from
  // the open file. O_NONBLOCK: a FIFO put where the file was opens at once (and reads as
  // empty) instead of blocking the event loop until a writer comes; a regular file ignores it.
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    r.logError('error', 'core', 'AH00132', `file permissions deny server access: ${file}`);
    return 403;
  }
  const f: OpenFile = { fd, handedOver: false, keep };
  try {
    return await serveOpenFile(r, file, f);
  } finally {
    if (!f.handedOver) closeSync(fd);
  }
}

/**
 * An open file descriptor and whether a ReadStream took it over (and closes it); or, with
 * `cached`, no descriptor (fd -1) and the file's bytes and validators from smallFiles.
 */
interface OpenFile {
  readonly fd: number;
  handedOver: boolean;
  readonly cached?: CachedFile;
  /** Whether a whole small file read from it may go into smallFiles (accepts() said so). */
  readonly keep?: boolean;
}

/** What the response's validators (ETag, Last-Modified) and length come from. */
function validatorsOf(st: BigIntStats): { ino: bigint; size: bigint; mtimeUs: bigint } {
  return { ino: st.ino, size: st.size, mtimeUs: st.mtimeNs / 1000n };
}

/** serveFile with the file open; serveFile closes it unless a stream took it over. */
async function serveOpenFile(r: RequestRecord, file: string, f: OpenFile): Promise<Outcome> {
  const res = r.res;
  const big = f.cached ?? validatorsOf(fstatSync(f.fd, { bigint: true }));
  const size = Number(big.size);
  const mtimeUs = big.mtimeUs;
  // ap_rationalize_mtime: never claim a modification time in the future.
  const mtimeMs = Math.min(Number(mtimeUs / 1000n), r.requestTime);
  const etag = withVlist(
    makeETag(coreDir(r.perDir).fileETag, { ino: big.ino, size: big.size, mtimeUs }, r.requestTime),
    r.vlistValidator,
  );
  const ok = r.status >= 200 && r.status < 300;
  res.statusCode = r.status;
  res.statusMessage = reasonPhrase(r.status);
  res.setHeader('Last-Modified', new Date(mtimeMs).toUTCString());
  if (etag !== undefined) res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  const cond = ok ? conditionStatus(r, etag, Math.floor(mtimeMs / 1000)) : undefined;
  if (cond !== undefined) {
    // httpd sets r->status and sends the headers with an empty body (no ErrorDocument).
    r.status = cond;
    res.statusCode = cond;
    res.statusMessage = reasonPhrase(cond);
    if (cond === 412) {
      res.setHeader('Content-Length', 0);
      const ct = contentTypeOf(r);
      if (ct !== undefined) res.setHeader('Content-Type', ct);
    }
    res.end();
    return DONE;
  }
  // Expires for r->no_cache (mod_negotiation, HTTP/1.0); the entity headers come from the
  // pipeline (invokeHandler).
  if (r.noCache) setFilterHeaders(res, { expires: new Date(r.requestTime).toUTCString() });
  if (hasOutputFilters(res)) {
    // default_handler passes the file and EOS in one brigade: the filters decide now,
    // seeing the whole length, before Range is looked at.
    const ct = contentTypeOf(r);
    res.setHeader('Content-Length', size);
    if (ct !== undefined) res.setHeader('Content-Type', ct);
    if (startOutputFilters(res, { ended: true, length: size })) {
      // The body is transformed (DEFLATE): Range does not apply to it (httpd's byterange
      // filter ignores a Range it cannot satisfy from a streamed body), and a HEAD answer
      // is produced in full so its Content-Length is the filtered length.
      await sendRange(r, f, 0, size - 1);
      return DONE;
    }
  }
  const h = r.headersIn.headers;
  const ifRange = h['if-range'];
  const wanted =
    r.status === 200 &&
    ifRangeMatches(
      typeof ifRange === 'string' ? ifRange : ifRange?.join(', '),
      h.range,
      etag,
      Math.floor(mtimeMs / 1000),
      r.requestTime,
    )
      ? parseByteRanges(h.range, size)
      : undefined;
  // 416 goes through ap_die, which drops the file's headers.
  if (wanted?.kind === 'unsatisfiable') {
    // The byterange filter's error path clears err_headers_out too (Vary, TCN, …).
    r.errHeadersOut.clear();
    return 416;
  }
  const ranges = wanted?.kind === 'ranges' ? wanted.ranges : undefined;
  const ct = contentTypeOf(r);
  if (ranges !== undefined) {
    r.status = 206;
    res.statusCode = 206;
    res.statusMessage = reasonPhrase(206);
  }
  if (ranges !== undefined && ranges.length > 1) {
    const plan = planMultipart(ranges, size, ct, newBoundary());
    if (plan.lengthKnown) res.setHeader('Content-Length', plan.length);
    else if (res.useChunkedEncodingByDefault && !r.headerOnly)
      res.setHeader('Transfer-Encoding', 'chunked');
    res.setHeader('Content-Type', plan.contentType);
    if (r.headerOnly) res.end();
    else await sendMultipart(res, file, ranges, plan);
    return DONE;
  }
  const { start, end } = ranges?.[0] ?? { start: 0, end: size - 1 };
  // Content-Length first: default_handler sets it, the byterange filter adds Content-Range.
  res.setHeader('Content-Length', Math.max(0, end - start + 1));
  if (ranges !== undefined) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  if (ct !== undefined) res.setHeader('Content-Type', ct);
  if (r.headerOnly) {
    res.end();
    return DONE;
  }
  await sendRange(r, f, start, end);
  return DONE;
}

/** Fill `buf` from `fd` at `position`; the bytes read (short at end of file). */
function readFully(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * A range up to this size is read on the event loop, with one read into a buffer of its
 * length, and sent with one write; larger ones stream from libuv's thread pool. The stat
 * before it runs on the event loop too (translate), and for a small file the read costs
 * little more: a ReadStream took 33–63 µs of CPU for a 375-byte file and asynchronous
 * open + read + close 8–12 µs (thread-pool hand-offs), against 4.5 µs for the synchronous
 * calls (32 concurrent readers); served by tswsgi, 138 µs of front-end CPU per request
 * with the ReadStream, 62 µs now (benchmarks/http/cpu-per-request.sh /hello.wsgi).
 */
const WHOLE_READ_MAX = 64 * 1024;

/**
 * Send bytes start..end (inclusive) of the open file. A file that shrank below the length
 * already promised in Content-Length cannot be answered honestly: the connection is cut,
 * as httpd's core output filter ends one whose file read fails.
 */
async function sendRange(r: RequestRecord, f: OpenFile, start: number, end: number): Promise<void> {
  const res = r.res;
  const length = end - start + 1;
  if (length <= 0) {
    res.end();
    return;
  }
  if (f.cached !== undefined) {
    res.end(f.cached.body.subarray(start, end + 1));
    return;
  }
  if (length > WHOLE_READ_MAX) {
    f.handedOver = true;
    await pipeFile(res, createReadStream('', { fd: f.fd, start, end }));
    return;
  }
  const buf = Buffer.allocUnsafe(length);
  let n: number;
  try {
    n = readFully(f.fd, buf, start);
  } catch {
    n = -1;
  }
  if (n !== length) {
    res.destroy();
    return;
  }
  if (f.keep === true && start === 0 && r.finfo !== undefined && length === r.finfo.size)
    smallFiles.put(r.filename ?? '', r.finfo, fstatSync(f.fd, { bigint: true }), buf);
  res.end(buf);
}

/** Stream a file to the client until it is sent or the client went away. */
async function pipeFile(res: RequestRecord['res'], stream: ReadStream): Promise<void> {
  stream.pipe(res);
  try {
    await finished(res);
  } catch {
    stream.destroy(); // client went away
  }
}
