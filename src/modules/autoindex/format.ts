// httpd: apr strings/apr_strings.c (apr_strfsize), strings/apr_strnatcmp.c,
// server/util.c (ap_escape_html), mod_autoindex.c
// (terminate_description, find_title's scan).
//
// Everything here works on byte strings: one JS char per byte (latin1), so lengths,
// truncation and comparisons are httpd's strlen / memcpy / strcmp on the raw bytes.

export { osEscapePath } from '../../util/escape-path.js';

/** A UTF-8 JS string as a byte string. */
export const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

/** ap_escape_html (toasc 0): & < > " only. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** apr_strfsize: a size in at most 4 characters (`  - ` for none). */
export function strfsize(size: number): string {
  if (size < 0) return '  - ';
  if (size < 973) return String(size).padStart(3, ' ') + ' ';
  const ord = 'KMGTPE';
  let o = 0;
  let n = size;
  for (;;) {
    let remain = n % 1024;
    n = Math.floor(n / 1024);
    if (n >= 973) {
      ++o;
      continue;
    }
    const unit = ord[o] ?? 'E';
    if (n < 9 || (n === 9 && remain < 973)) {
      remain = Math.floor((remain * 5 + 256) / 512);
      if (remain >= 10) {
        ++n;
        remain = 0;
      }
      return `${String(n)}.${String(remain)}${unit}`.slice(0, 4);
    }
    if (remain >= 512) ++n;
    return `${String(n).padStart(3, ' ')}${unit}`.slice(0, 4);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * apr_time_exp_lt + apr_strftime with mod_autoindex's two formats: `%Y-%m-%d %H:%M`, or
 * `%d-%b-%Y %H:%M` (UseOldDateFormat). Local time, as httpd.
 */
export function listingDate(ms: number, old: boolean): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const y = String(d.getFullYear()).padStart(4, '0');
  return old
    ? `${pad2(d.getDate())}-${MONTHS[d.getMonth()] ?? ''}-${y} ${hm}`
    : `${y}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
}

/** C's signed char for bytes ≥ 0x80 (apr_strnatcmp compares `char`s). */
const schar = (c: number): number => (c >= 128 ? c - 256 : c);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : 0);

function compareRight(a: string, ai: number, b: string, bi: number): number {
  let bias = 0;
  for (; ; ai++, bi++) {
    const ca = at(a, ai);
    const cb = at(b, bi);
    if (!isDigit(ca) && !isDigit(cb)) return bias;
    if (!isDigit(ca)) return -1;
    if (!isDigit(cb)) return 1;
    if (ca < cb) {
      if (bias === 0) bias = -1;
    } else if (ca > cb) {
      if (bias === 0) bias = 1;
    }
  }
}

function compareLeft(a: string, ai: number, b: string, bi: number): number {
  for (; ; ai++, bi++) {
    const ca = at(a, ai);
    const cb = at(b, bi);
    if (!isDigit(ca) && !isDigit(cb)) return 0;
    if (!isDigit(ca)) return -1;
    if (!isDigit(cb)) return 1;
    if (ca < cb) return -1;
    if (ca > cb) return 1;
  }
}

const upper = (c: number): number => (c >= 0x61 && c <= 0x7a ? c - 32 : c);

/** apr_strnatcmp / apr_strnatcasecmp (Martin Pool's natural order). */
export function strnatcmp(a: string, b: string, foldCase = false): number {
  let ai = 0;
  let bi = 0;
  for (;;) {
    let ca = at(a, ai);
    let cb = at(b, bi);
    while (isSpace(ca)) ca = at(a, ++ai);
    while (isSpace(cb)) cb = at(b, ++bi);
    if (isDigit(ca) && isDigit(cb)) {
      const fractional = ca === 0x30 || cb === 0x30;
      const result = fractional ? compareLeft(a, ai, b, bi) : compareRight(a, ai, b, bi);
      if (result !== 0) return result;
    }
    if (ca === 0 && cb === 0) return 0;
    if (foldCase) {
      ca = upper(ca);
      cb = upper(cb);
    }
    if (schar(ca) < schar(cb)) return -1;
    if (schar(ca) > schar(cb)) return 1;
    ++ai;
    ++bi;
  }
}

/** strcmp on byte strings. */
export function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** strcasecmp (C locale: ASCII letters only). */
export function strcasecmp(a: string, b: string): number {
  return strcmp(lower(a), lower(b));
}

/**
 * terminate_description: cut a description to `maxsize` visible characters (tags free,
 * an entity counts one), ending a cut one with `>` as httpd does ("Grump").
 */
export function terminateDescription(desc: string, maxsize0: number): string {
  let maxsize = maxsize0;
  const ch = (i: number): string => desc[i] ?? '\0';
  let x = 0;
  for (; ch(x) !== '\0' && (maxsize > 0 || ch(x) === '<'); x++) {
    if (ch(x) === '<') {
      while (ch(x) !== '>') {
        if (ch(x) === '\0') {
          maxsize = 0;
          break;
        }
        ++x;
      }
    } else if (ch(x) === '&') {
      --maxsize;
      for (; ch(x) !== ';'; ++x) {
        if (ch(x) === '\0') {
          maxsize = 0;
          break;
        }
      }
    } else --maxsize;
  }
  if (maxsize === 0 && ch(x) !== '\0') return x === 0 ? '' : desc.slice(0, x - 1) + '>';
  return desc;
}

/**
 * find_title's scan of a file's first bytes: the text after the first `<title>` (matched
 * case-insensitively with httpd's restart-less matcher) up to the next `<`, leading line
 * breaks dropped and the others turned into spaces. Undefined if there is none.
 */
export function scanTitle(buf: string): string | undefined {
  const find = '<title>';
  let p = 0;
  // The buffer is a C string: it ends at the first NUL.
  const nul = buf.indexOf('\0');
  const text = nul < 0 ? buf : buf.slice(0, nul);
  for (let x = 0; x < text.length; x++) {
    if (lower(text[x] ?? '') === find[p]) {
      if (++p === find.length) {
        let start = x + 1;
        const lt = text.indexOf('<', start);
        let title = lt < 0 ? text.slice(start) : text.slice(start, lt);
        // A line break right at the start moves the start (only while it is at the start).
        let out = '';
        for (let y = 0; y < title.length; y++) {
          const c = title[y];
          if (c === '\r' || c === '\n') {
            if (y === start - (x + 1)) start++;
            else out += ' ';
          } else out += c;
        }
        title = out;
        return title;
      }
    } else p = 0;
  }
  return undefined;
}
