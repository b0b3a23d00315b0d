// httpd: modules/mappers/mod_negotiation.c (get_header_line, get_body,
// strip_paren_comments, lcase_header_name_return_body, read_type_map, handle_map_file).
//
// Type maps (`AddHandler type-map .var`): records of `URI:`, `Content-Type:` (with qs=,
// level=, charset=), `Content-Language:`, `Content-Encoding:`, `Content-Length:`,
// `Description:` and `Body:` (the variant inline, between a tag line and its repeat),
// separated by blank lines; `#` lines are comments, indented lines continue a header.

import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { DONE } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { internalRedirect } from '../../request/subrequest.js';
import { coreDir } from '../../core/view.js';
import { makeETag } from '../../core/default-handler.js';
import { aprStatus } from '../../util/apr-status.js';
import { setFilterHeaders } from '../../http/response-headers.js';
import { getEntry, getToken, parseLanguages } from './accept.js';
import { newVariant, type NegState, type Variant } from './algorithm.js';
import type { NegDirConf, NegServerConf } from './config.js';
import { doNegotiation, parseAcceptHeaders, uriDirOf, type ReadMapResult } from './multi.js';
import type { ModuleDef } from '../module.js';

/** MAX_STRING_LEN: httpd reads a Body: section through a buffer this big. */
const MAX_STRING_LEN = 8192;

/** One logical header line, or a record separator. */
type Line = { readonly kind: 'sep' } | { readonly kind: 'header'; readonly text: string };

/** A cursor over the map's bytes (latin1, so offsets are byte offsets). */
class MapReader {
  readonly #s: string;
  pos = 0;
  constructor(s: string) {
    this.#s = s;
  }
  get eof(): boolean {
    return this.pos >= this.#s.length;
  }
  /** apr_file_gets: up to and including '\n' (at most MAX_STRING_LEN-1 bytes). */
  gets(): string | undefined {
    if (this.eof) return undefined;
    const nl = this.#s.indexOf('\n', this.pos);
    let end = nl < 0 ? this.#s.length : nl + 1;
    if (end - this.pos > MAX_STRING_LEN - 1) end = this.pos + MAX_STRING_LEN - 1;
    const line = this.#s.slice(this.pos, end);
    this.pos = end;
    return line;
  }
  getc(): string | undefined {
    return this.eof ? undefined : this.#s[this.pos++];
  }
  ungetc(): void {
    this.pos--;
  }
  slice(from: number, to: number): string {
    return this.#s.slice(from, to);
  }
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** get_header_line: a header with its continuations, a blank separator, or EOF. */
function getHeaderLine(m: MapReader): Line | undefined {
  let buf: string | undefined;
  do {
    buf = m.gets();
    if (buf === undefined) return undefined;
  } while (buf.startsWith('#'));
  if (buf.trim() === '' && [...buf].every((c) => isSpace(c))) return { kind: 'sep' };
  // No continuation after Body: (the body follows).
  if (buf.slice(0, 5).toLowerCase() === 'body:') return { kind: 'header', text: buf };
  for (let c = m.getc(); c !== undefined; c = m.getc()) {
    if (c === '#') {
      for (c = m.getc(); c !== undefined && c !== '\n'; c = m.getc());
      continue;
    }
    if (isSpace(c)) {
      while (c !== undefined && c !== '\n' && isSpace(c)) c = m.getc();
      if (c !== undefined) m.ungetc();
      if (c === '\n' || c === undefined) return { kind: 'header', text: buf };
      for (c = m.getc(); c !== undefined && c !== '\n'; c = m.getc())
        if (buf.length < MAX_STRING_LEN - 2) buf += c;
      buf += '\n';
      continue;
    }
    m.ungetc();
    return { kind: 'header', text: buf };
  }
  return { kind: 'header', text: buf };
}

/** strip_paren_comments: (comments) become spaces, "quoted" text is kept. */
function stripParenComments(h: string): string {
  let out = '';
  for (let i = 0; i < h.length;) {
    const c = h[i] ?? '';
    if (c === '"') {
      const close = h.indexOf('"', i + 1);
      if (close < 0) return out + h.slice(i);
      out += h.slice(i, close + 1);
      i = close + 1;
    } else if (c === '(') {
      while (i < h.length && h[i] !== ')') {
        out += ' ';
        i++;
      }
      if (i < h.length) {
        out += ' ';
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A variant record being read (clean_var_rec + the fields the map sets). */
interface MapRecord {
  fileName: string;
  type: ReturnType<typeof getEntry>[0] | undefined;
  bytes: number;
  languages: string[] | undefined;
  encoding: string | undefined;
  description: string;
  body: number;
  hasContent: boolean;
}

const emptyRecord = (): MapRecord => ({
  fileName: '',
  type: undefined,
  bytes: -1,
  languages: undefined,
  encoding: undefined,
  description: '',
  body: 0,
  hasContent: false,
});

/** read_type_map: the map file `rr.filename` read as variants (errors logged on r). */
export async function readTypeMap(
  r: RequestRecord,
  _neg: NegState,
  rr: RequestRecord,
): Promise<ReadMapResult> {
  const file = rr.filename ?? '';
  let text: string;
  try {
    text = (await readFile(file)).toString('latin1');
  } catch (e) {
    r.logError(
      'error',
      'negotiation',
      'AH00683',
      `cannot access type map file: ${file}`,
      aprStatus(e),
    );
    const code = (e as NodeJS.ErrnoException).code;
    return { status: code === 'ENOENT' || code === 'ENOTDIR' ? 404 : 403 };
  }
  const m = new MapReader(text);
  const vars: Variant[] = [];
  let rec = emptyRecord();
  const push = (): void => {
    if (rec.fileName !== '' && rec.hasContent) {
      vars.push(
        newVariant({
          fileName: rec.fileName,
          type: rec.type,
          encoding: rec.encoding,
          languages: rec.languages,
          description: rec.description,
          bytes: rec.bytes,
          body: rec.body,
        }),
      );
    }
    rec = emptyRecord();
  };
  for (;;) {
    const line = getHeaderLine(m);
    if (line?.kind !== 'header') {
      push();
      if (line === undefined) break;
      continue;
    }
    const colon = line.text.indexOf(':');
    if (colon < 0) {
      r.logError(
        'error',
        'negotiation',
        'AH00681',
        `Syntax error in type map, no ':' in ${r.filename ?? ''} for header ${line.text.toLowerCase().replace(/\n/g, '\\n')}`,
      );
      return { status: 500 };
    }
    const name = line.text.slice(0, colon).toLowerCase();
    let at = colon + 1;
    while (isSpace(line.text[at])) at++;
    if (at >= line.text.length) {
      r.logError(
        'error',
        'negotiation',
        'AH00682',
        `Syntax error in type map --- no header body: ${r.filename ?? ''} for ${name}${line.text.slice(colon)}`,
      );
      return { status: 500 };
    }
    const body = stripParenComments(line.text.slice(at));
    if (name === 'uri') rec.fileName = getToken(body, 0, false)[0];
    else if (name === 'content-type') {
      rec.type = getEntry(body, 0)[0];
      rec.hasContent = true;
    } else if (name === 'content-length') {
      const tok = getToken(body, 0, false)[0];
      if (!/^\d+$/.test(tok)) {
        r.logError(
          'error',
          'negotiation',
          'AH00684',
          `Parse error in type map, Content-Length: '${tok}' in ${r.filename ?? ''} is invalid.`,
        );
        break;
      }
      rec.bytes = Number(tok);
      rec.hasContent = true;
    } else if (name === 'content-language') {
      rec.languages = parseLanguages(body);
      rec.hasContent = true;
    } else if (name === 'content-encoding') {
      rec.encoding = getToken(body, 0, false)[0];
      rec.hasContent = true;
    } else if (name === 'description') {
      const d = body.replace(/\n/g, ' ');
      rec.description = d.length > 0 ? d.slice(0, -1) : d;
    } else if (name === 'body') {
      const tag = body.replace(/\s+$/, '');
      // get_body: the tag must repeat within the next MAX_STRING_LEN-1 bytes.
      const start = m.pos;
      const window = m.slice(start, start + MAX_STRING_LEN - 1);
      const end = window.indexOf(tag);
      if (end < 0 || tag === '') {
        r.logError(
          'error',
          'negotiation',
          'AH00685',
          `Syntax error in type map, no end tag '${tag}' found in ${r.filename ?? ''} for Body: content.`,
        );
        break;
      }
      const nl = window.indexOf('\n', end + tag.length);
      m.pos = start + (nl < 0 ? window.length : nl + 1);
      rec.body = start;
      rec.bytes = end;
      rec.fileName = file.slice(file.lastIndexOf('/') + 1);
    }
  }
  // A Content-Length or Body: error stops reading; what was complete so far stays.
  return { vars, text };
}

/** handle_map_file: the `type-map` handler (and application/x-type-map). */
export function makeHandleMapFile(
  mod: ModuleDef<NegServerConf, NegDirConf>,
): (r: RequestRecord) => Promise<Outcome> {
  return async (r) => {
    const neg = parseAcceptHeaders(r, r.dirConf(mod));
    const read = await readTypeMap(r, neg, r);
    if ('status' in read) return read.status;
    const vars = read.vars;
    // set_vlist_validator(r, r): the map file's own entity tag.
    if (r.finfo !== undefined) {
      const st = statSync(r.filename ?? '', { bigint: true, throwIfNoEntry: false });
      if (st !== undefined) {
        r.vlistValidator =
          makeETag(
            coreDir(r.perDir).fileETag,
            { ino: st.ino, size: st.size, mtimeUs: st.mtimeNs / 1000n },
            r.requestTime,
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
    const out = doNegotiation(r, neg, vars, false, lengthOf, () => false);
    if ('status' in out) return out.status;
    const best = out.best;
    // HTTP/1.0 caches cannot tell variants apart (no Vary): forbid caching unless
    // CacheNegotiatedDocs (a type map counts no multiviews variants).
    if (r.serverConf(mod).cacheNegotiatedDocs !== true && r.protocol === 'HTTP/1.0')
      r.noCache = true;
    if (best.body !== 0) return serveBody(r, best, read.text);
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

/** handle_map_file's inline case: the variant's bytes from the map itself. */
function serveBody(r: RequestRecord, best: Variant, text: string): Outcome {
  r.allowed = BODY_METHODS;
  if (r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'POST') return 405;
  const res = r.res;
  res.statusCode = r.status;
  // The handler set Vary after ap_invoke_handler copied err_headers_out: send them now.
  for (const [n, v] of r.errHeadersOut) res.setHeader(n, v);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Length', best.bytes);
  if (best.mimeType !== '')
    r.contentType =
      best.charset !== '' ? `${best.mimeType}; charset=${best.charset}` : best.mimeType;
  if (r.contentType !== undefined) res.setHeader('Content-Type', r.contentType);
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
  if (r.headerOnly) res.end();
  else res.end(bytes);
  return DONE;
}
