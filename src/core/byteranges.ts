// httpd: modules/http/byterange_filter.c (ap_set_byterange, ap_byterange_filter),
// modules/http/http_protocol.c (ap_condition_if_range).
//
// Range requests on a static file, as Apache 2.4 answers them: the Range header is parsed
// and merged exactly as ap_set_byterange does (one syntactically bad spec ignores the whole
// header; overlapping or adjacent specs merge into the one before them; `0-` anywhere means
// the whole file), then one range → 206 + Content-Range, several → multipart/byteranges,
// none satisfiable → 416. MaxRanges / MaxRangeOverlaps / MaxRangeReversals use httpd's
// defaults (200 / 20 / 20): past a limit the header is ignored and the whole file is sent.

import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';

/** One satisfiable byte range, both ends inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What the Range header asks for: nothing (serve 200), 416, or these ranges. */
export type RangeResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

/** httpd's AP_DEFAULT_MAX_RANGES / _OVERLAPS / _REVERSALS. */
export const RANGE_LIMITS = { ranges: 200, overlaps: 20, reversals: 20 } as const;

const NONE: RangeResult = { kind: 'none' };
/** apr_off_t's range: a larger number fails ap_parse_strict_length. */
const OFF_T_MAX = (1n << 63n) - 1n;

/** ap_parse_strict_length: digits only, no sign or space, fits in an apr_off_t. */
function strictLength(s: string): bigint | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > OFF_T_MAX ? undefined : n;
}

/**
 * ap_set_byterange for a body of `size` bytes. `header` is the Range value as received
 * (several Range fields arrive joined by ", ", which makes the header invalid, as in httpd).
 */
export function parseByteRanges(
  header: string | undefined,
  size: number,
  limits: { ranges: number; overlaps: number; reversals: number } = RANGE_LIMITS,
): RangeResult {
  // The filter leaves empty bodies alone; the header must start with "bytes=" (any case).
  if (header === undefined || size <= 0 || !/^bytes=/i.test(header)) return NONE;
  const clength = BigInt(size);
  const merged: ByteRange[] = [];
  let unsatisfiable = false;
  let pending = false;
  let ostart = 0n;
  let oend = 0n;
  let sum = 0n;
  let overlaps = 0;
  let reversals = 0;
  // ap_getword(',') skips runs of commas, so an empty item is only a leading or trailing one.
  for (const cur of header.slice(6).split(/,+/)) {
    if (cur === '') break;
    const dash = cur.indexOf('-');
    if (dash < 0) return NONE;
    let start: bigint;
    let end: bigint;
    if (dash === 0) {
      const n = strictLength(cur.slice(1)); // "-5": the last five bytes
      if (n === undefined || n < 1n) return NONE;
      start = clength - n;
      end = clength - 1n;
    } else {
      const a = strictLength(cur.slice(0, dash));
      if (a === undefined) return NONE;
      start = a;
      const rest = cur.slice(dash + 1);
      if (rest !== '') {
        const b = strictLength(rest);
        if (b === undefined || a > b) return NONE;
        end = b;
      } else {
        end = clength - 1n;
        if (start === 0n) {
          // "0-": the whole body as one range, whatever came before or after.
          merged.length = 0;
          sum = 0n;
          pending = true;
          ostart = 0n;
          oend = end;
          break;
        }
      }
    }
    if (start < 0n) start = 0n;
    if (start >= clength) {
      unsatisfiable = true;
      continue;
    }
    if (end >= clength) end = clength - 1n;
    if (!pending) {
      ostart = start;
      oend = end;
      pending = true;
      continue;
    }
    // Merge into the set before this one when contained, overlapping or adjacent.
    let merges = start >= ostart && end <= oend;
    if (start < ostart && end >= ostart - 1n) {
      ostart = start;
      reversals++;
      merges = true;
    }
    if (end >= oend && start <= oend + 1n) {
      oend = end;
      merges = true;
    }
    if (merges) {
      overlaps++;
      continue;
    }
    merged.push({ start: Number(ostart), end: Number(oend) });
    sum += oend - ostart + 1n;
    ostart = start;
    oend = end;
  }
  if (pending) {
    merged.push({ start: Number(ostart), end: Number(oend) });
    sum += oend - ostart + 1n;
  } else if (unsatisfiable) {
    return { kind: 'unsatisfiable' };
  }
  if (sum > clength || merged.length === 0) return NONE; // "Sum of ranges larger than file"
  if (merged.length > limits.ranges || overlaps > limits.overlaps || reversals > limits.reversals)
    return NONE;
  return { kind: 'ranges', ranges: merged };
}

/**
 * ap_condition_if_range: false when an If-Range (sent with a Range) does not match, so the
 * Range is ignored. An entity tag must equal the ETag exactly (a weak one never does); a
 * date must equal Last-Modified to the second, and the file must be a minute old.
 */
export function ifRangeMatches(
  ifRange: string | undefined,
  range: string | undefined,
  etag: string | undefined,
  mtimeSec: number,
  requestTimeMs: number,
): boolean {
  if (ifRange === undefined || range === undefined) return true;
  if (ifRange.startsWith('"')) return etag !== undefined && ifRange === etag;
  const t = Date.parse(ifRange);
  const rtime = Number.isNaN(t) ? 0 : Math.floor(t / 1000);
  return rtime === mtimeSec && Math.floor(requestTimeMs / 1000) >= mtimeSec + 60;
}

/** ap_multipart_boundary's shape: 16 hex digits. */
export const newBoundary = (): string => randomBytes(8).toString('hex');

/** The multipart/byteranges body of `ranges`: each part's head, and the closing line. */
export interface MultipartPlan {
  readonly contentType: string;
  readonly heads: readonly string[];
  readonly tail: string;
  /** Bytes in the whole body. */
  readonly length: number;
  /**
   * False past 32 parts: the filter passes the first 32 down before the rest, so httpd drops
   * Content-Length and the body goes chunked (or to connection close).
   */
  readonly lengthKnown: boolean;
}

/** The multipart body ap_byterange_filter builds for several ranges of a `size`-byte file. */
export function planMultipart(
  ranges: readonly ByteRange[],
  size: number,
  partType: string | undefined,
  boundary: string,
): MultipartPlan {
  const typeLine = partType === undefined ? '' : `\r\nContent-type: ${partType}`;
  const heads = ranges.map(
    (g) =>
      `\r\n--${boundary}${typeLine}\r\nContent-range: bytes ${g.start}-${g.end}/${size}\r\n\r\n`,
  );
  const tail = `\r\n--${boundary}--\r\n`;
  let length = Buffer.byteLength(tail, 'latin1');
  for (const [i, g] of ranges.entries())
    length += Buffer.byteLength(heads[i] ?? '', 'latin1') + g.end - g.start + 1;
  return {
    contentType: `multipart/byteranges; boundary=${boundary}`,
    heads,
    tail,
    length,
    lengthKnown: ranges.length <= 32,
  };
}

/** Write `data` to `res`, waiting for 'drain' when node's buffer is full. */
async function put(res: ServerResponse, data: Buffer): Promise<void> {
  if (data.length > 0 && !res.write(data))
    await Promise.race([once(res, 'drain'), once(res, 'close')]);
}

/** Ranges up to this size are read whole, so a group of parts goes out in one write. */
const INLINE_PART = 64 * 1024;

/**
 * Stream the multipart body of `plan` from `file`, then end the response. Parts are passed
 * on as the filter passes them (after parts 0–32, 33–64, …, the rest with the closing line),
 * so a chunked body is cut where httpd cuts it; only a range above 64 KiB is streamed apart.
 */
export async function sendMultipart(
  res: ServerResponse,
  file: string,
  ranges: readonly ByteRange[],
  plan: MultipartPlan,
): Promise<void> {
  const fh = await open(file, 'r');
  let pending: Buffer[] = [];
  const flush = async (): Promise<void> => {
    const data = Buffer.concat(pending);
    pending = [];
    await put(res, data);
  };
  try {
    for (const [i, g] of ranges.entries()) {
      if (res.destroyed) return;
      pending.push(Buffer.from(plan.heads[i] ?? '', 'latin1'));
      const len = g.end - g.start + 1;
      if (len <= INLINE_PART) {
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, g.start);
        pending.push(buf.subarray(0, bytesRead));
      } else {
        await flush();
        const stream = fh.createReadStream({ start: g.start, end: g.end, autoClose: false });
        for await (const chunk of stream) {
          if (res.destroyed) return;
          await put(res, chunk as Buffer);
        }
      }
      if (i > 0 && i % 32 === 0) await flush();
    }
    pending.push(Buffer.from(plan.tail, 'latin1'));
    if (!res.destroyed) res.end(Buffer.concat(pending));
  } finally {
    await fh.close();
  }
}
