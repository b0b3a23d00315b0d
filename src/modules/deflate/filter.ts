// httpd: modules/filters/mod_deflate.c (deflate_out_filter, deflate_check_etag,
// flush_libz_buffer), server/util.c (ap_get_token).
//
// The DEFLATE output filter: the decision deflate_out_filter takes on its first brigade,
// then a gzip stream as httpd writes it: its own 10-byte header (no mtime, XFL 0, OS 3),
// zlib's raw deflate (windowBits −DeflateWindowSize), CRC32 and ISIZE. Output is passed on
// in DeflateBufferSize pieces, as httpd passes its buffer each time it fills.

import { Transform, type TransformCallback } from 'node:stream';
import { constants, createDeflateRaw, crc32, type DeflateRaw } from 'node:zlib';
import type { BodyStage, FirstBrigade } from '../../request/output-filter.js';
import type { RequestRecord } from '../../request/record.js';
import { DEFLATE_DEFAULTS, type DeflateServerConf } from './config.js';
import { tableGet } from '../../request/tables.js';

/** RFC 1952 header as mod_deflate writes it (gzip_header[]). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/** sizeof(gzip_header) + VALIDATION_SIZE + 50 (Content-Encoding, Vary, ETag suffix). */
const SMALL = 10 + 8 + 50;

/**
 * ap_get_token: skip blanks, take up to `,` or `;` (or a blank when `white`), keeping quoted
 * strings whole; the token loses trailing blanks, and the rest starts after more blanks.
 */
export function getToken(s: string, white: boolean): { token: string; rest: string } {
  let i = 0;
  while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  const start = i;
  let inQuote = false;
  for (; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === ',' || c === ';' || (white && /\s/.test(c)))) break;
  }
  const token = s.slice(start, i).replace(/\s+$/, '');
  while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  return { token, rest: s.slice(i) };
}

/**
 * deflate_out_filter's Accept-Encoding test: find a `gzip` token (parameters of other
 * tokens skipped), then its first parameter; `q=0`, `q=0.0` … refuse it.
 */
export function acceptsGzip(header: string): boolean {
  const start = getToken(header, false);
  let rest = start.rest;
  let found: string | undefined = start.token;
  while (found !== undefined && found !== '' && found.toLowerCase() !== 'gzip') {
    while (rest.startsWith(';')) rest = getToken(rest.slice(1), true).rest;
    if (rest.startsWith(',')) rest = rest.slice(1);
    if (rest === '') found = undefined;
    else ({ token: found, rest } = getToken(rest, false));
  }
  let q: string | undefined;
  if (rest !== '') {
    while (rest.startsWith(';')) rest = rest.slice(1);
    q = getToken(rest, true).token;
  }
  if (found === undefined || found === '') return false;
  return !(q !== undefined && q.length >= 3 && 'q=0.000'.startsWith(q));
}

/** The encodings deflate may stack on (mod_negotiation's "no encoding" names). */
const IDENTITY = new Set(['identity', '7bit', '8bit', 'binary']);

/** A header's value as one string (several values joined as apr_table_get would see the first). */
function header(r: RequestRecord, name: string): string | undefined {
  const v = r.res.getHeader(name);
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/** apr_table_mergen: append `value` to the field with `, `. */
function mergeHeader(r: RequestRecord, name: string, value: string): void {
  const old = header(r, name);
  r.res.setHeader(name, old === undefined ? value : `${old}, ${value}`);
}

/** deflate_check_etag: `"x"` becomes `"x-gzip"` (AddSuffix), or the ETag goes (Remove). */
export function alterEtag(
  etag: string | undefined,
  opt: 'AddSuffix' | 'Remove',
): string | undefined {
  if (opt === 'Remove') return undefined;
  if (etag === undefined || etag.length <= 2 || !etag.endsWith('"')) return etag;
  return `${etag.slice(0, -1)}-gzip"`;
}

/** Why deflate_out_filter removes itself for this response, or undefined to compress. */
function decline(r: RequestRecord, first: FirstBrigade): string | undefined {
  if (first.ended && first.length <= SMALL) return `very small response of ${first.length} bytes`;
  if (r.main !== undefined) return 'subrequest';
  if (r.res.statusCode === 204) return 'no content';
  if (tableGet(r.env, 'no-gzip') !== undefined) return 'no-gzip';
  if (r.res.getHeader('content-range') !== undefined) return 'content-range';
  const ct = header(r, 'content-type');
  if (
    (ct === undefined || !ct.startsWith('text/html')) &&
    tableGet(r.env, 'gzip-only-text/html') === '1'
  )
    return 'gzip-only-text/html';
  return undefined;
}

/** The DEFLATE filter's start (deflate_out_filter without a ctx). */
export function startDeflate(
  r: RequestRecord,
  first: FirstBrigade,
  conf: DeflateServerConf,
): BodyStage | undefined {
  const why = decline(r, first);
  if (why !== undefined) {
    r.logError('trace1', 'deflate', '', `Not compressing (${why})`);
    return undefined;
  }
  const encoding = header(r, 'content-encoding');
  if (encoding !== undefined) {
    for (const t of encoding.split(',')) {
      const token = t.trim();
      if (token !== '' && !IDENTITY.has(token)) {
        r.logError(
          'trace1',
          'deflate',
          '',
          `Not compressing (content-encoding already  set: ${token})`,
        );
        return undefined;
      }
    }
  }
  // Noted even when the client cannot take gzip: caches must know the answer varies.
  mergeHeader(r, 'Vary', 'Accept-Encoding');
  if (tableGet(r.env, 'force-gzip') === undefined) {
    const accepts = r.headersIn.headers['accept-encoding'];
    if (accepts === undefined || !acceptsGzip(accepts)) {
      r.logError('trace1', 'deflate', '', 'Not compressing (no Accept-Encoding: gzip or q=0)');
      return undefined;
    }
  }
  if (encoding === undefined || encoding.toLowerCase() === 'identity')
    r.res.setHeader('Content-Encoding', 'gzip');
  else mergeHeader(r, 'Content-Encoding', 'gzip');
  r.res.removeHeader('Content-Length');
  r.res.removeHeader('Content-MD5');
  const etagOpt = conf.etag ?? DEFLATE_DEFAULTS.etag;
  if (etagOpt !== 'NoChange') {
    const etag = alterEtag(header(r, 'etag'), etagOpt);
    if (etag === undefined) r.res.removeHeader('ETag');
    else r.res.setHeader('ETag', etag);
  }
  // A 304 only gets the headers.
  if (r.res.statusCode === 304) return undefined;
  const stage = new GzipStage(r, conf);
  return { stream: stage, flush: (done) => stage.syncFlush(done) };
}

/** gzip framing around node's raw deflate, passing output in DeflateBufferSize pieces. */
export class GzipStage extends Transform {
  readonly #r: RequestRecord;
  readonly #conf: DeflateServerConf;
  readonly #z: DeflateRaw;
  readonly #bufferSize: number;
  #crc = 0;
  #in = 0;
  #out = 0;
  #pending: Buffer[] = [GZIP_HEADER];
  #pendingLength = GZIP_HEADER.length;

  constructor(r: RequestRecord, conf: DeflateServerConf) {
    super();
    this.#r = r;
    this.#conf = conf;
    this.#bufferSize = conf.bufferSize ?? DEFLATE_DEFAULTS.bufferSize;
    this.#z = createDeflateRaw({
      level: conf.compressionLevel ?? constants.Z_DEFAULT_COMPRESSION,
      // zlib refuses a raw window of 8 (it means 9 there); httpd's zlib quietly uses 9.
      windowBits: Math.max(9, conf.windowSize ?? DEFLATE_DEFAULTS.windowSize),
      memLevel: conf.memLevel ?? DEFLATE_DEFAULTS.memLevel,
      // node's floor for chunkSize is 64.
      chunkSize: Math.max(64, this.#bufferSize),
    });
    this.#z.on('data', (b: Buffer) => {
      this.#out += b.length;
      this.#pending.push(b);
      this.#pendingLength += b.length;
      // consume_buffer: the buffer is full, pass it on.
      if (this.#pendingLength >= this.#bufferSize) this.#passPending();
    });
    this.#z.on('error', (e) => this.destroy(e));
  }

  #passPending(): void {
    if (this.#pendingLength === 0) return;
    const data =
      this.#pending.length === 1
        ? (this.#pending[0] ?? Buffer.alloc(0))
        : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingLength = 0;
    this.push(data);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#crc = crc32(chunk, this.#crc);
    this.#in += chunk.length;
    this.#z.write(chunk, () => {
      cb();
    });
  }

  /** A FLUSH bucket: Z_SYNC_FLUSH, then pass what is buffered. */
  syncFlush(done: () => void): void {
    this.#z.flush(constants.Z_SYNC_FLUSH, () => {
      this.#passPending();
      done();
    });
  }

  override _flush(cb: TransformCallback): void {
    this.#z.once('end', () => {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.#crc >>> 0, 0);
      trailer.writeUInt32LE(this.#in % 0x100000000, 4);
      this.#pending.push(trailer);
      this.#pendingLength += trailer.length;
      this.#passPending();
      this.#notes();
      this.#r.logError(
        'debug',
        'deflate',
        'AH01384',
        `Zlib: Compressed ${this.#in} to ${this.#out} : URL ${this.#r.uri}`,
      );
      cb();
    });
    this.#z.end();
    this.#z.resume();
  }

  /** DeflateFilterNote: Input, Output, Ratio for the access log (%{name}n). */
  #notes(): void {
    const c = this.#conf;
    const r = this.#r;
    if (c.noteInput !== undefined) r.notes.set(c.noteInput, this.#in > 0 ? String(this.#in) : '-');
    if (c.noteOutput !== undefined)
      r.notes.set(c.noteOutput, this.#out > 0 ? String(this.#out) : '-');
    if (c.noteRatio !== undefined)
      r.notes.set(
        c.noteRatio,
        this.#in > 0 ? String(Math.trunc((this.#out * 100) / this.#in)) : '-',
      );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.#z.destroy();
    cb(err);
  }
}
