// httpd: modules/mappers/mod_negotiation.c (get_header_line, get_body,
// strip_paren_comments, lcase_header_name_return_body, read_type_map).
//
// Reading a type map: records of `URI:`, `Content-Type:` (with qs=, level=, charset=),
// `Content-Language:`, `Content-Encoding:`, `Content-Length:`, `Description:` and `Body:`
// (the variant inline, between a tag line and its repeat), separated by blank lines; `#`
// lines are comments, indented lines continue a header.

import { readRegularFileSync } from '../../util/read-regular.js';
import type { RequestRecord } from '../../request/record.js';
import { aprStatus } from '../../util/apr-status.js';
import { getEntry, getToken, parseLanguages } from './accept.js';
import { newVariant, type NegState, type Variant } from './algorithm.js';
import type { ReadMapResult } from './multi.js';

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
export function readTypeMap(r: RequestRecord, _neg: NegState, rr: RequestRecord): ReadMapResult {
  const file = rr.filename ?? '';
  let text: string;
  try {
    text = readRegularFileSync(file).toString('latin1');
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
