// httpd: modules/http/http_protocol.c (ap_meets_conditions, ap_condition_if_match,
//        ap_condition_if_unmodified_since, ap_condition_if_none_match,
//        ap_condition_if_modified_since), server/util.c (ap_find_etag_weak/strong).
//
// The conditional-request checks for a response whose validators are in its head fields
// (a CGI script's ETag / Last-Modified): 412 when If-Match or If-Unmodified-Since fails,
// 304 for a GET whose If-None-Match / If-Modified-Since say the client's copy is current.

import type { RequestRecord } from '../request/record.js';

/** How a condition matched (ap_condition_e). */
type Cond = 'none' | 'nomatch' | 'weak' | 'strong';

/** The entity tags of a list header (quoted strings kept whole). */
function etagList(v: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    while (i < v.length && /[\s,]/.test(v[i] ?? '')) i++;
    const start = i;
    while (i < v.length && v[i] !== ',') {
      if (v[i++] === '"') while (i < v.length) if (v[i++] === '"') break;
    }
    const t = v.slice(start, i).trim();
    if (t !== '') out.push(t);
  }
  return out;
}

const opaque = (t: string): string => (t.startsWith('W/') ? t.slice(2) : t);

/** ap_find_etag_weak: any listed tag equal to `etag`, W/ ignored on both sides. */
export function findEtagWeak(list: string, etag: string): boolean {
  return etagList(list).some((t) => opaque(t) === opaque(etag));
}

/** ap_find_etag_strong: an equal tag, neither of them weak. */
export function findEtagStrong(list: string, etag: string): boolean {
  if (etag.startsWith('W/')) return false;
  return etagList(list).some((t) => !t.startsWith('W/') && t === etag);
}

/** apr_date_parse_http in seconds, or undefined. */
function seconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

/** The conditions' view of a response head. */
export interface Validators {
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
}

/**
 * ap_meets_conditions for a 2xx answer with these validators: 412, 304, or undefined when
 * the answer goes out as it is.
 */
export function meetsConditions(r: RequestRecord, v: Validators): 304 | 412 | undefined {
  const h = r.headersIn.headers;
  const get = r.method === 'GET' || r.method === 'HEAD';
  const range = h.range !== undefined;
  const nowSec = Math.floor(Date.now() / 1000);
  const mtime = seconds(v.lastModified) ?? nowSec;
  const reqtime = Math.floor(r.requestTime / 1000);
  const recent = reqtime < mtime + 60;

  const ifMatch = h['if-match'];
  if (ifMatch !== undefined) {
    const ok =
      ifMatch.trim().startsWith('*') || (v.etag !== undefined && findEtagStrong(ifMatch, v.etag));
    if (!ok) return 412;
  }
  let notModified: boolean | undefined;
  const ius = seconds(h['if-unmodified-since']);
  if (h['if-unmodified-since'] !== undefined) {
    let c: Cond = 'nomatch';
    if (ius !== undefined && mtime > ius) c = recent ? (range ? 'nomatch' : 'weak') : 'strong';
    if (c === 'nomatch') notModified = false;
    else return 412;
  }
  const inm = h['if-none-match'];
  if (inm !== undefined) {
    let c: Cond = 'nomatch';
    if (inm.trim().startsWith('*')) c = 'strong';
    else if (get) {
      if (v.etag !== undefined) {
        if (range) c = findEtagStrong(inm, v.etag) ? 'strong' : 'nomatch';
        else c = findEtagWeak(inm, v.etag) ? 'weak' : 'nomatch';
      }
    } else if (v.etag !== undefined && findEtagStrong(inm, v.etag)) c = 'strong';
    if (c === 'nomatch') notModified = false;
    else if (!get) return 412;
    else if (notModified !== false) notModified = true;
  }
  const imsText = h['if-modified-since'];
  if (imsText !== undefined) {
    const ims = seconds(imsText);
    let c: Cond = 'nomatch';
    if (ims !== undefined && ims >= mtime && ims <= reqtime)
      c = recent ? (range ? 'nomatch' : 'weak') : 'strong';
    if (c === 'nomatch') notModified = false;
    else if (get && notModified !== false) notModified = true;
  }
  // ap_condition_if_range: a Range the If-Range lets through is served, not 304.
  if (range && h['if-range'] !== undefined) return undefined;
  return notModified === true ? 304 : undefined;
}
