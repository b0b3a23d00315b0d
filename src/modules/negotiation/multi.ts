// httpd: modules/mappers/mod_negotiation.c (parse_accept_headers, read_types_multi,
// variantsortf, set_vlist_validator, do_negotiation, setup_choice_response, handle_multi,
// fix_encoding), server/request.c (ap_sub_req_lookup_dirent), modules/http/http_request.c
// (ap_internal_fast_redirect).
//
// MultiViews: a request for /dir/foo where foo does not exist looks at dir/foo.* . Each
// candidate is looked up as a sub-request (so access control, mod_mime's metadata and
// handlers apply to it), the variants are negotiated (algorithm.ts), and the winner's
// sub-request takes over the main request.

import { readdir, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { fastRedirect, lookupFile } from '../../request/subrequest.js';
import { coreDir } from '../../core/view.js';
import { withVlist } from '../../core/default-handler.js';
import { aprStatus } from '../../util/apr-status.js';
import { CGI_MAGIC_TYPE, getEntry, parseAcceptHeader } from './accept.js';
import {
  addDefaultAccepts,
  bestMatch,
  newNegState,
  newVariant,
  parseNegotiate,
  type NegState,
  type Variant,
} from './algorithm.js';
import type { NegDirConf, NegServerConf } from './config.js';
import { makeVariantList, setNegHeaders, escapePathSegment } from './response.js';
import type { ModuleDef } from '../module.js';

/** The type and handler that make a file a type map. */
export const MAP_FILE_MAGIC_TYPE = 'application/x-type-map';
/** The note mod_mime leaves on a sub-request (see mime/find-ct.ts MIME_EXCEPTIONS_NOTE). */
const MIME_EXCEPTIONS_NOTE = 'ap-mime-exceptions-list';

/** A header as one string (node joins repeated Accept-* headers with ", "). */
function headerOf(r: RequestRecord, name: string): string | undefined {
  const v = r.headersIn.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** parse_accept_headers. */
export function parseAcceptHeaders(r: RequestRecord, conf: NegDirConf): NegState {
  return newNegState(
    {
      accept: parseAcceptHeader(headerOf(r, 'accept')),
      encodings: parseAcceptHeader(headerOf(r, 'accept-encoding')),
      charsets: parseAcceptHeader(headerOf(r, 'accept-charset')),
      langs: parseAcceptHeader(headerOf(r, 'accept-language')),
    },
    conf.languagePriority,
    conf.forceLanguagePriority,
  );
}

/** A variant found on disk, with the sub-request that looked it up. */
export interface FoundVariant {
  readonly v: Variant;
  readonly rr: RequestRecord | undefined;
}

/** ap_make_etag for the directory listing (the NOFILE finfo carries the directory's times). */
export function vlistValidatorOf(mtimeUs: bigint, requestTimeMs: number, none: boolean): string {
  if (none) return '';
  const weak = BigInt(requestTimeMs) * 1000n - mtimeUs < 1_000_000n ? 'W/' : '';
  return `${weak}"${mtimeUs.toString(16)}"`;
}

/** r.uri without its path_info (ap_find_path_info), then up to the last '/'. */
export function uriDirOf(r: RequestRecord): string {
  let uri = r.uri;
  if (r.pathInfo !== '' && uri.endsWith(r.pathInfo)) uri = uri.slice(0, -r.pathInfo.length);
  return uri.slice(0, uri.lastIndexOf('/') + 1);
}

/**
 * Each unrecognised part of the variant's name must appear, in order, among the dot-parts
 * of the requested name: index.html.foo matches index.foo or index.html.foo, never a
 * transposition.
 */
export function exceptionsMatch(requested: string, exceptions: readonly string[]): boolean {
  let n = 0;
  for (const seg of requested.split('.')) {
    if (n >= exceptions.length) break;
    if (seg === exceptions[n]) n++;
  }
  return n >= exceptions.length;
}

/** The outcome of reading variants: an error status, nothing, or the variants. */
type ReadResult =
  | { readonly status: number }
  | { readonly typeMap: RequestRecord }
  | { readonly vars: FoundVariant[] };

/** read_types_multi: the directory's `name.*` files that are negotiable variants. */
async function readTypesMulti(r: RequestRecord, dirName: string): Promise<ReadResult> {
  const filename = r.filename ?? '';
  const filp = filename.slice(filename.lastIndexOf('/') + 1);
  let entries: Dirent[];
  try {
    entries = await readdir(dirName, { withFileTypes: true });
  } catch (e) {
    r.logError(
      'error',
      'negotiation',
      'AH00686',
      `cannot read directory for multi: ${dirName}`,
      aprStatus(e),
    );
    return { status: 403 };
  }
  let anyMatch = false;
  const vars: FoundVariant[] = [];
  const base = uriDirOf(r);
  for (const dirent of entries) {
    const name = dirent.name;
    if (!name.startsWith(filp) || name[filp.length] !== '.') continue;
    if (dirent.isDirectory()) continue;
    anyMatch = true;
    // ap_sub_req_lookup_dirent with AP_SUBREQ_MERGE_ARGS: path_info and query go along.
    const { rr } = await lookupFile(r, {
      filename: dirName + name,
      uri: base + name + r.pathInfo,
      pathInfo: r.pathInfo,
      args: r.args,
    });
    if (rr.finfo?.isFile() !== true) continue;
    if (rr.handler !== undefined && rr.contentType === undefined) rr.contentType = CGI_MAGIC_TYPE;
    const note = rr.notes.get(MIME_EXCEPTIONS_NOTE);
    if (note === undefined) continue;
    if (!exceptionsMatch(filp, JSON.parse(note) as string[])) continue;
    if (rr.status !== 200 || rr.contentType === undefined) continue;
    if (rr.contentType === MAP_FILE_MAGIC_TYPE || rr.handler === 'type-map') return { typeMap: rr };
    const [type] = getEntry(rr.contentType, 0);
    vars.push({
      v: newVariant({
        fileName: name,
        type,
        encoding: rr.contentEncoding,
        languages: rr.contentLanguages,
        hasHandler: rr.handler !== undefined,
      }),
      rr,
    });
  }
  if (anyMatch && vars.length === 0) {
    r.logError(
      'error',
      'negotiation',
      'AH00687',
      `Negotiation: discovered file(s) matching request: ${filename} (None could be negotiated).`,
    );
    return { status: 404 };
  }
  // variantsortf: source quality (descending), then the name, so the choice does not depend
  // on the order readdir happens to return.
  vars.sort(
    (a, b) =>
      b.v.sourceQuality - a.v.sourceQuality ||
      Buffer.compare(Buffer.from(a.v.fileName), Buffer.from(b.v.fileName)),
  );
  return { vars };
}

/** find_content_length: the map's Content-Length, else the file's size. */
export function lengthFinder(
  dirName: string,
  found: readonly FoundVariant[],
): (v: Variant) => number {
  return (v) => {
    if (v.bytes < 0) {
      const rr = found.find((x) => x.v === v)?.rr;
      if (rr?.finfo !== undefined) v.bytes = rr.finfo.size;
      else {
        const st = tryStat(dirName + v.fileName);
        if (st !== undefined) v.bytes = st.size;
      }
    }
    return v.bytes;
  };
}

function tryStat(p: string): Stats | undefined {
  try {
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * setup_choice_response's sub-request: the variant's own, or (a type map's variant) a file
 * lookup, whose failure (not carrying TCN) is the answer.
 */
export async function choiceLookup(
  r: RequestRecord,
  dirName: string,
  rr: RequestRecord | undefined,
  v: Variant,
): Promise<RequestRecord | number> {
  if (rr !== undefined) return rr;
  const sub = await lookupFile(r, {
    filename: dirName + v.fileName,
    uri: uriDirOf(r) + v.fileName,
    pathInfo: '',
    args: '',
  });
  return sub.rr.status !== 200 && !sub.rr.errHeadersOut.has('TCN') ? sub.rr.status : sub.rr;
}

/** What do_negotiation decided. */
export type NegOutcome =
  { readonly status: number } | { readonly best: Variant; readonly neg: NegState };

/**
 * do_negotiation: transparency (GET/HEAD, no path_info, only neighbouring variants), the
 * Negotiate header, the choice; 300 for a TCN client with no choice, 406 for the others.
 * On a choice, the response headers are set (Content-Location, Vary, TCN) and the chosen
 * variant returned.
 */
export async function doNegotiation(
  r: RequestRecord,
  neg: NegState,
  vars: readonly Variant[],
  preferScripts: boolean,
  lengthOf: (v: Variant) => number,
  choiceSubRequest: (v: Variant) => Promise<RequestRecord | number>,
): Promise<NegOutcome> {
  if (r.method === 'GET' || r.method === 'HEAD') {
    neg.isTransparent =
      r.pathInfo === '' && vars.every((v) => !v.fileName.includes('/') && v.body === 0);
  }
  if (neg.isTransparent) {
    parseNegotiate(neg, headerOf(r, 'negotiate'), headerOf(r, 'user-agent'));
  } else neg.mayChoose = true;
  addDefaultAccepts(neg, preferScripts);
  const env = {
    preferLanguage: r.env.get('prefer-language'),
    noGzip: r.env.has('no-gzip'),
    gzipOnlyTextHtml: r.env.get('gzip-only-text/html') === '1',
  };
  const { result, best } = bestMatch(neg, vars, env, lengthOf);
  const hdrs = r.errHeadersOut;
  if (result === 'list') {
    neg.sendAlternates = true; // always include Alternates
    setNegHeaders(hdrs, neg, vars, result, lengthOf);
    (r.main ?? r).notes.set('variant-list', makeVariantList(vars));
    if (neg.isTransparent && neg.uaSupportsTrans) return { status: 300 };
    if (best === undefined) {
      r.logError('error', 'negotiation', 'AH00690', `no acceptable variant: ${r.filename ?? ''}`);
      return { status: 406 };
    }
  }
  if (best === undefined) return { status: 406 }; // unreachable: a choice has a best
  if (neg.isTransparent) {
    // setup_choice_response: the chosen variant's sub-request must succeed, and must not
    // negotiate itself (a transparent resource or another type map: 506).
    const sub = await choiceSubRequest(best);
    if (typeof sub === 'number') return { status: sub };
    if (sub.errHeadersOut.has('TCN') || sub.handler === 'type-map') return { status: 506 };
    const subVary = sub.errHeadersOut.get('Vary');
    if (subVary !== undefined) {
      // A MultiViews variant's own Vary becomes Variant-Vary (and moves up).
      hdrs.set('Variant-Vary', subVary);
      hdrs.set('Vary', subVary);
      sub.errHeadersOut.delete('Vary');
    }
    hdrs.set('Content-Location', escapePathSegment(best.fileName));
    setNegHeaders(hdrs, neg, vars, 'choice', lengthOf);
  } else setNegHeaders(hdrs, neg, vars, result, lengthOf);
  return { best, neg };
}

/** handle_multi (type_checker, FIRST): MultiViews for a request whose file does not exist. */
export function makeHandleMulti(
  mod: ModuleDef<NegServerConf, NegDirConf>,
  readTypeMap: (r: RequestRecord, neg: NegState, rr: RequestRecord) => ReadMapResult,
): (r: RequestRecord) => Outcome | Promise<Outcome> {
  return (r) => {
    // The cheap tests first: a request that exists or has no MultiViews pays nothing more.
    if (r.finfo !== undefined || r.filename === undefined || !r.filename.startsWith('/'))
      return DECLINED;
    if (!coreDir(r.perDir).options.has('MultiViews')) return DECLINED;
    return handleMulti(r, r.dirConf(mod), readTypeMap);
  };
}

/** What reading a type map gives: an error status or the variants (with their offsets). */
export type ReadMapResult =
  { readonly status: number } | { readonly vars: Variant[]; readonly text: string };

async function handleMulti(
  r: RequestRecord,
  conf: NegDirConf,
  readTypeMap: (r: RequestRecord, neg: NegState, rr: RequestRecord) => ReadMapResult,
): Promise<Outcome> {
  const filename = r.filename ?? '';
  const dirName = filename.slice(0, filename.lastIndexOf('/') + 1);
  const neg = parseAcceptHeaders(r, conf);
  const read = await readTypesMulti(r, dirName);
  if ('status' in read) return read.status;
  let found: FoundVariant[];
  if ('typeMap' in read) {
    const map = readTypeMap(r, neg, read.typeMap);
    if ('status' in map) return map.status;
    found = map.vars.map((v) => ({ v, rr: undefined }));
  } else {
    found = read.vars;
    if (found.length > 0) {
      // set_vlist_validator(r, r): the directory's own entity tag.
      try {
        const st = await stat(dirName, { bigint: true });
        const own = vlistValidatorOf(
          st.mtimeNs / 1000n,
          r.requestTime,
          coreDir(r.perDir).fileETag.length === 0,
        );
        r.vlistValidator = own === '' ? own : (withVlist(own, r.vlistValidator) ?? own);
      } catch {
        // the directory went away between readdir and stat: no validator
      }
    }
  }
  if (found.length === 0) return DECLINED;
  const vars = found.map((x) => x.v);
  const lengthOf = lengthFinder(dirName, found);
  const preferScripts =
    r.method !== 'GET' && r.method !== 'HEAD' ? true : r.args !== '' || r.pathInfo !== '';
  const out = await doNegotiation(r, neg, vars, preferScripts, lengthOf, (v) =>
    choiceLookup(r, dirName, found.find((x) => x.v === v)?.rr, v),
  );
  if ('status' in out) return out.status;
  let rr = found.find((x) => x.v === out.best)?.rr;
  if (rr === undefined) {
    // From a map file: no sub-request yet (ap_sub_req_lookup_file).
    // (ap_sub_req_lookup_file: relative to r's file and URI, no path info, no query)
    const sub = await lookupFile(r, {
      filename: dirName + out.best.fileName,
      uri: uriDirOf(r) + out.best.fileName,
      pathInfo: '',
      args: '',
    });
    if (sub.rr.status !== 200) return sub.rr.status;
    rr = sub.rr;
  }
  if (rr.args === '') rr.args = r.args;
  fastRedirect(rr, r);
  return OK;
}

/**
 * fix_encoding (fixups, MIDDLE): answer with the client's spelling of the coding (`gzip`
 * or `x-gzip`) when its Accept-Encoding names one of them.
 */
export function fixEncoding(r: RequestRecord): Outcome {
  let enc = r.contentEncoding;
  if (enc === undefined || enc === '') return DECLINED;
  if (enc.startsWith('x-')) enc = enc.slice(2);
  const accepts = parseAcceptHeader(headerOf(r, 'accept-encoding'));
  if (accepts === undefined) return DECLINED;
  let xEnc: string | undefined;
  for (const a of accepts) {
    if (a.name === enc) {
      r.contentEncoding = a.name;
      return OK;
    }
    if (a.name.startsWith('x-') && a.name.slice(2) === enc) xEnc = a.name;
  }
  if (xEnc === undefined) return DECLINED;
  r.contentEncoding = xEnc;
  return OK;
}
