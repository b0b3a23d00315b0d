// httpd: modules/filters/mod_deflate.c (inflate_out_filter, check_gzip, check_ratio).
//
// The INFLATE output filter: a response whose Content-Encoding ends in gzip (or x-gzip,
// identity tokens after it ignored) goes out decompressed, with that token taken off,
// no Content-Length and the ETag suffixed "-gunzip". DeflateInflateRatioLimit and
// DeflateInflateRatioBurst stop a body that inflates too much (AH02650).

import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { BodyStage } from '../../request/output-filter.js';
import type { RequestRecord } from '../../request/record.js';
import { DEFLATE_DEFAULTS, type DeflateDirConf, type DeflateServerConf } from './config.js';

const isGzip = (t: string): boolean => /^\s*(x-)?gzip\s*$/i.test(t);

/**
 * check_gzip for the output side: the Content-Encoding after removing a final gzip token
 * (trailing identity / empty tokens dropped first), or undefined if it does not end in gzip.
 * '' means the header goes.
 */
export function stripGzip(encoding: string | undefined): string | undefined {
  if (encoding === undefined || encoding === '') return undefined;
  if (isGzip(encoding)) return '';
  if (!encoding.includes(',')) return undefined;
  let rest = encoding;
  for (;;) {
    const comma = rest.lastIndexOf(',');
    if (comma < 0) return isGzip(rest) ? '' : undefined;
    const last = rest.slice(comma + 1).trim();
    if (isGzip(last)) return rest.slice(0, comma);
    if (last !== '' && last.toLowerCase() !== 'identity') return undefined;
    rest = rest.slice(0, comma);
  }
}

/** The INFLATE filter's start (inflate_out_filter without a ctx). */
export function startInflate(
  r: RequestRecord,
  conf: DeflateServerConf,
  dir: DeflateDirConf,
): BodyStage | undefined {
  const res = r.res;
  if (r.main !== undefined || res.statusCode === 204) return undefined;
  if (res.getHeader('content-range') !== undefined) return undefined;
  const ce = res.getHeader('content-encoding');
  const rest = stripGzip(ce === undefined ? undefined : String(ce));
  if (rest === undefined) return undefined;
  if (rest === '') res.removeHeader('Content-Encoding');
  else res.setHeader('Content-Encoding', rest);
  res.removeHeader('Content-Length');
  res.removeHeader('Content-MD5');
  const etagOpt = conf.etag ?? DEFLATE_DEFAULTS.etag;
  const etag = res.getHeader('etag');
  if (etagOpt === 'Remove') res.removeHeader('ETag');
  else if (
    etagOpt === 'AddSuffix' &&
    typeof etag === 'string' &&
    etag.length > 2 &&
    etag.endsWith('"')
  )
    res.setHeader('ETag', `${etag.slice(0, -1)}-gunzip"`);
  if (res.statusCode === 304) return undefined;
  return { stream: new GunzipStage(r, dir) };
}

/** Node's gunzip (header, CRC and length checked) with httpd's inflate ratio limit. */
export class GunzipStage extends Transform {
  readonly #r: RequestRecord;
  readonly #z: Gunzip;
  readonly #limit: number;
  readonly #burst: number;
  #in = 0;
  #out = 0;
  #hits = 0;

  constructor(r: RequestRecord, dir: DeflateDirConf) {
    super();
    this.#r = r;
    this.#limit = dir.ratioLimit ?? DEFLATE_DEFAULTS.ratioLimit;
    this.#burst = dir.ratioBurst ?? DEFLATE_DEFAULTS.ratioBurst;
    this.#z = createGunzip();
    this.#z.on('data', (b: Buffer) => {
      this.#out += b.length;
      this.push(b);
    });
    this.#z.on('error', (e: Error) => {
      r.logError('warn', 'deflate', 'AH01409', `Zlib error inflating data (${e.message})`);
      this.destroy(e);
    });
  }

  /** check_ratio after each piece of input. */
  #ratioOk(): boolean {
    if (this.#in === 0) return true;
    if (Math.trunc(this.#out / this.#in) < this.#limit) {
      this.#hits = 0;
      return true;
    }
    return ++this.#hits <= this.#burst;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#in += chunk.length;
    this.#z.write(chunk, () => {
      if (!this.#ratioOk()) {
        this.#r.logError(
          'warn',
          'deflate',
          'AH02650',
          `Inflated content ratio is larger than the configured limit ${this.#limit} by ${this.#burst} time(s)`,
        );
        cb(new Error('inflate ratio limit'));
        return;
      }
      cb();
    });
  }

  override _flush(cb: TransformCallback): void {
    this.#z.once('end', () => {
      this.#r.logError(
        'debug',
        'deflate',
        'AH01398',
        `Zlib: Inflated ${this.#in} to ${this.#out} : URL ${this.#r.uri}`,
      );
      cb();
    });
    this.#z.end();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.#z.destroy();
    cb(err);
  }
}
