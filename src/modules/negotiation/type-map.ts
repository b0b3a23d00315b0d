// httpd: modules/mappers/mod_negotiation.c (handle_map_file).
//
// The `type-map` handler (`AddHandler type-map .var`): the map is read (type-map-read.ts),
// negotiated, and the request redirected to the chosen variant, or the variant's inline
// Body: served from the map itself.

import { statSync } from 'node:fs';
import { DONE } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { internalRedirect } from '../../request/subrequest.js';
import { coreDir } from '../../core/view.js';
import { makeETag, withVlist } from '../../core/default-handler.js';
import {
  ifRangeMatches,
  newBoundary,
  parseByteRanges,
  planMultipart,
} from '../../core/byteranges.js';
import { setFilterHeaders } from '../../http/response-headers.js';
import type { Variant } from './algorithm.js';
import type { NegDirConf, NegServerConf } from './config.js';
import { choiceLookup, doNegotiation, parseAcceptHeaders, uriDirOf } from './multi.js';
import { readTypeMap } from './type-map-read.js';
import type { ModuleDef } from '../module.js';

/** handle_map_file: the `type-map` handler (and application/x-type-map). */
export function makeHandleMapFile(
  mod: ModuleDef<NegServerConf, NegDirConf>,
): (r: RequestRecord) => Promise<Outcome> {
  return async (r) => {
    const neg = parseAcceptHeaders(r, r.dirConf(mod));
    const read = readTypeMap(r, neg, r);
    if ('status' in read) return read.status;
    const vars = read.vars;
    // set_vlist_validator(r, r): the map file's own entity tag (and r->mtime).
    let mapMtimeSec = 0;
    if (r.finfo !== undefined) {
      const st = statSync(r.filename ?? '', { bigint: true, throwIfNoEntry: false });
      if (st !== undefined) {
        mapMtimeSec = Number(st.mtimeNs / 1_000_000_000n);
        // ap_make_etag merges a validator r already has (a type map redirected to another).
        r.vlistValidator =
          withVlist(
            makeETag(
              coreDir(r.perDir).fileETag,
              { ino: st.ino, size: st.size, mtimeUs: st.mtimeNs / 1000n },
              r.requestTime,
            ),
            r.vlistValidator,
          ) ?? '';
      }
    }
    const dir = (r.filename ?? '').slice(0, (r.filename ?? '').lastIndexOf('/') + 1);
    const lengthOf = (v: Variant): number => {
      if (v.bytes < 0) {
        const st = statSync(dir + v.fileName, { throwIfNoEntry: false });
        if (st !== undefined) v.bytes = st.size;
      }
      return v.bytes;
    };
    const out = await doNegotiation(r, neg, vars, false, lengthOf, (v) =>
      choiceLookup(r, dir, undefined, v),
    );
    if ('status' in out) return out.status;
    const best = out.best;
    // HTTP/1.0 caches cannot tell variants apart (no Vary): forbid caching unless
    // CacheNegotiatedDocs (a type map counts no multiviews variants).
    if (r.serverConf(mod).cacheNegotiatedDocs !== true && r.protocol === 'HTTP/1.0')
      r.noCache = true;
    if (best.body !== 0) return serveBody(r, best, read.text, mapMtimeSec);
    const udir = encodeURI(uriDirOf(r)).replace(
      /[?#]/g,
      (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
    );
    const target = udir + best.fileName + r.pathInfo + (r.args !== '' ? '?' + r.args : '');
    // The redirected request answers for itself (ap_internal_redirect; handler OK).
    await internalRedirect(r, target);
    return DONE;
  };
}

/** The methods a Body: variant allows (ap_allow_standard_methods GET, OPTIONS, POST). */
const BODY_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST'];

/**
 * ap_meets_conditions for an inline variant: no entity tag, r->mtime is the map file's
 * (set_vlist_validator). `If-None-Match: *` always matches.
 */
function bodyCondition(r: RequestRecord, mapMtimeSec: number): 304 | 412 | undefined {
  const h = r.headersIn.headers;
  const isGet = r.method === 'GET' || r.method === 'HEAD';
  const inm = h['if-none-match'];
  if (inm !== undefined) return inm.trim() === '*' ? (isGet ? 304 : 412) : undefined;
  const ims = h['if-modified-since'];
  if (ims === undefined || !isGet) return undefined;
  const t = Date.parse(ims);
  if (Number.isNaN(t)) return undefined;
  const imsSec = Math.floor(t / 1000);
  return imsSec >= mapMtimeSec && imsSec <= Math.floor(r.requestTime / 1000) ? 304 : undefined;
}

/**
 * handle_map_file's inline case: the variant's bytes from the map itself, through the
 * conditions and the byterange filter (206, multipart/byteranges, 416).
 */
function serveBody(r: RequestRecord, best: Variant, text: string, mapMtimeSec: number): Outcome {
  r.allowed = BODY_METHODS;
  if (r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'POST') return 405;
  const res = r.res;
  res.statusCode = r.status;
  // The handler set Vary after ap_invoke_handler copied err_headers_out: send them now.
  for (const [n, v] of r.errHeadersOut) res.setHeader(n, v);
  res.setHeader('Accept-Ranges', 'bytes');
  const cond = bodyCondition(r, mapMtimeSec);
  if (cond === 412) return 412;
  if (cond === 304) {
    r.status = 304;
    res.statusCode = 304;
    res.end();
    return DONE;
  }
  if (best.mimeType !== '')
    r.contentType =
      best.charset !== '' ? `${best.mimeType}; charset=${best.charset}` : best.mimeType;
  const entity: [string, string][] = [];
  if (best.encoding !== undefined && best.encoding !== '')
    entity.push(['Content-Encoding', best.encoding]);
  if (best.languages !== undefined && best.languages.length > 0)
    entity.push(['Content-Language', best.languages.join(',')]);
  setFilterHeaders(res, {
    entity,
    ...(r.noCache ? { expires: new Date(r.requestTime).toUTCString() } : {}),
  });
  const bytes = Buffer.from(text.slice(best.body, best.body + best.bytes), 'latin1');
  const h = r.headersIn.headers;
  const ifRange = h['if-range'];
  const wanted =
    r.status === 200 &&
    ifRangeMatches(
      typeof ifRange === 'string' ? ifRange : ifRange?.join(', '),
      h.range,
      undefined,
      mapMtimeSec,
      r.requestTime,
    )
      ? parseByteRanges(h.range, bytes.length)
      : undefined;
  if (wanted?.kind === 'unsatisfiable') {
    // The byterange filter's error path clears err_headers_out too (Vary).
    r.errHeadersOut.clear();
    return 416;
  }
  let body = bytes;
  if (wanted?.kind === 'ranges') {
    r.status = 206;
    res.statusCode = 206;
    const ranges = wanted.ranges;
    const [only] = ranges;
    if (ranges.length === 1 && only !== undefined) {
      body = bytes.subarray(only.start, only.end + 1);
      res.setHeader('Content-Length', body.length);
      res.setHeader('Content-Range', `bytes ${only.start}-${only.end}/${bytes.length}`);
    } else {
      const plan = planMultipart(ranges, bytes.length, r.contentType, newBoundary());
      const parts: Buffer[] = [];
      for (const [i, g] of ranges.entries())
        parts.push(Buffer.from(plan.heads[i] ?? '', 'latin1'), bytes.subarray(g.start, g.end + 1));
      parts.push(Buffer.from(plan.tail, 'latin1'));
      body = Buffer.concat(parts);
      res.setHeader('Content-Length', body.length);
      res.setHeader('Content-Type', plan.contentType);
    }
  } else res.setHeader('Content-Length', body.length);
  if (!res.hasHeader('Content-Type') && r.contentType !== undefined)
    res.setHeader('Content-Type', r.contentType);
  if (r.headerOnly) res.end();
  else res.end(body);
  return DONE;
}
