// httpd: modules/mappers/mod_negotiation.c (atoq, get_entry, do_header_line,
// do_languages_line), server/util.c (ap_get_token).
//
// The Accept-family parsers, byte for byte as httpd reads them: names lower-cased, the
// "old format" `Accept: a/b c/d` (no commas) accepted, q-values read as at most three
// decimals (anything that is not `0…` or `.…` counts as 1), and text/html defaulting to
// level 2. Qualities are single-precision, as httpd's floats are (Math.fround).

/** One item of an Accept-style header (accept_rec). */
export interface AcceptRec {
  /** Lower-case media type, language, charset or coding. */
  readonly name: string;
  readonly quality: number;
  readonly level: number;
  /** The `charset=` parameter, lower-case ('' if none). */
  readonly charset: string;
}

/** Server-parsed HTML (mod_include's magic types) counts as text/html. */
export const INCLUDES_MAGIC_TYPE = 'text/x-server-parsed-html';
export const INCLUDES_MAGIC_TYPE3 = 'text/x-server-parsed-html3';
/** What a variant with a handler and no type is taken for (util_script.h). */
export const CGI_MAGIC_TYPE = 'application/x-httpd-cgi';

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/**
 * ap_get_token: skip white space, take up to `;` or `,` (or white space unless
 * `acceptWhite`), stepping over quoted strings; then skip white space again.
 */
export function getToken(s: string, at: number, acceptWhite: boolean): [string, number] {
  let p = at;
  while (isSpace(s[p])) p++;
  const start = p;
  while (p < s.length && (acceptWhite || !isSpace(s[p])) && s[p] !== ';' && s[p] !== ',') {
    if (s[p++] === '"') {
      while (p < s.length) if (s[p++] === '"') break;
    }
  }
  const tok = s.slice(start, p);
  while (isSpace(s[p])) p++;
  return [tok, p];
}

/** atoq: a q-value as httpd reads it (at most three decimals; junk counts as 1). */
export function atoq(v: string | undefined): number {
  if (v === undefined || v === '') return 1;
  let p = 0;
  while (isSpace(v[p])) p++;
  if (v[p] !== '.' && v[p++] !== '0') return 1;
  if (v[p] !== '.') return 0;
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  let i = 0;
  if (digit(v[++p])) {
    i += (Number(v[p]) || 0) * 100;
    if (digit(v[++p])) {
      i += (Number(v[p]) || 0) * 10;
      // httpd's third-digit test is `> '0'`: a trailing 0 adds nothing either way.
      if (digit(v[++p])) i += Number(v[p]) || 0;
    }
  }
  return Math.fround(i / 1000);
}

/** C's atoi: leading white space, a sign, digits; anything else stops it. */
function atoi(v: string): number {
  const m = /^\s*([+-]?\d+)/.exec(v);
  return m?.[1] === undefined ? 0 : Number.parseInt(m[1], 10) | 0;
}

/** get_entry: one media range (or language, …) and its parameters; returns the rest. */
export function getEntry(line: string, at: number): [AcceptRec, number] {
  let [name, p] = getToken(line, at, false);
  name = name.toLowerCase();
  let quality = 1;
  let level = 0;
  let charset = '';
  // KLUDGE (httpd's word): HTML is level 2 unless the client says otherwise.
  if (name === 'text/html' || name === INCLUDES_MAGIC_TYPE) level = 2;
  else if (name === INCLUDES_MAGIC_TYPE3) level = 3;
  while (line[p] === ';') {
    let parm: string;
    [parm, p] = getToken(line, p + 1, true);
    let cp = 0;
    while (cp < parm.length && !isSpace(parm[cp]) && parm[cp] !== '=') cp++;
    if (cp >= parm.length) continue; // no '=': ignored
    const attr = parm.slice(0, cp).toLowerCase();
    cp++;
    while (cp < parm.length && (isSpace(parm[cp]) || parm[cp] === '=')) cp++;
    let end: number;
    if (parm[cp] === '"') {
      cp++;
      end = cp;
      while (end < parm.length && parm[end] !== '\n' && parm[end] !== '\r' && parm[end] !== '"')
        end++;
    } else {
      end = cp;
      while (end < parm.length && !isSpace(parm[end])) end++;
    }
    const value = parm.slice(cp, end).toLowerCase();
    if (attr === 'q' || attr === 'qs') quality = atoq(value);
    else if (attr === 'level') level = atoi(value);
    else if (attr === 'charset') charset = value;
  }
  if (line[p] === ',') p++;
  return [{ name, quality, level, charset }, p];
}

/** do_header_line: every item of the header; undefined when the header is absent. */
export function parseAcceptHeader(line: string | undefined): AcceptRec[] | undefined {
  if (line === undefined) return undefined;
  const out: AcceptRec[] = [];
  let p = 0;
  while (p < line.length) {
    const [rec, next] = getEntry(line, p);
    out.push(rec);
    // Every pass consumes at least the separator; guard against a zero-width step anyway.
    p = next > p ? next : p + 1;
  }
  return out;
}

/** do_languages_line: a type map's Content-Language list, lower-cased. */
export function parseLanguages(line: string): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < line.length) {
    const [tok, next] = getToken(line, p, false);
    out.push(tok.toLowerCase());
    p = next;
    if (line[p] === ',' || line[p] === ';') p++;
    if (p === next && tok === '' && line[p] !== undefined && line[p] !== ',' && line[p] !== ';')
      p++;
  }
  return out;
}
