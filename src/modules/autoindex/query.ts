// httpd: modules/generators/mod_autoindex.c (index_directory's query-string parser).
//
// `?C=N|M|S|D`, `?O=A|D`, `?F=0|1|2`, `?V=0|1`, `?P=pattern`, separated by `&` or `;`; the
// first item that does not parse ends the parsing. F, V and P are carried into the column
// links.

import { osEscapePath } from '../../util/escape-path.js';
import { Opt } from './options.js';

/** What the query string asks for (index_directory's C= O= F= V= P= parser). */
export interface ListingQuery {
  readonly key: string;
  readonly direction: string;
  readonly opts: number;
  /** The `?P=` pattern, decoded; undefined if none or bad. */
  readonly pattern: string | undefined;
  readonly colargs: string;
}

/** ap_unescape_url for `?P=`: undefined on a bad escape, an encoded `/` or a NUL. */
function unescapeUrl(s: string): string | undefined {
  let bad = false;
  const out = s.replace(/%(..)?/gs, (_m, hex: string | undefined) => {
    if (hex === undefined || !/^[0-9a-fA-F]{2}$/.test(hex)) {
      bad = true;
      return '%' + (hex ?? '');
    }
    const c = parseInt(hex, 16);
    if (c === 0x2f || c === 0) bad = true;
    return String.fromCharCode(c);
  });
  return bad ? undefined : out;
}

/** Parse the client's sort/format arguments (ignored under IgnoreClient). */
export function parseQuery(
  args: string,
  opts0: number,
  key0: string,
  direction0: string,
): ListingQuery {
  let opts = opts0;
  let key = key0;
  let direction = direction0;
  if ((opts & Opt.IGNORE_CLIENT) !== 0)
    return { key, direction, opts: opts | Opt.SUPPRESS_COLSORT, pattern: undefined, colargs: '' };
  let fval = '';
  let vval = '';
  let ppre = '';
  let epattern = '';
  let pattern: string | undefined;
  let q = args;
  // One `X=v` item: exactly one value character followed by `&`, `;` or the end.
  const item = (name: string, valid: string): string | undefined => {
    const v = q[2];
    if (q[0] !== name || q[1] !== '=' || v === undefined || !valid.includes(v)) return undefined;
    const end = q[3];
    if (end !== undefined && end !== '&' && end !== ';') return undefined;
    q = q.slice(end === undefined ? 3 : 4);
    return v;
  };
  while (q !== '') {
    let v: string | undefined;
    if ((v = item('C', 'NMSD')) !== undefined) key = v;
    else if ((v = item('O', 'AD')) !== undefined) direction = v;
    else if ((v = item('F', '012')) !== undefined) {
      if (v === '0') opts &= ~(Opt.FANCY_INDEXING | Opt.TABLE_INDEXING);
      else if (v === '1') opts = (opts | Opt.FANCY_INDEXING) & ~Opt.TABLE_INDEXING;
      else opts |= Opt.FANCY_INDEXING | Opt.TABLE_INDEXING;
      fval = `;F=${v}`;
    } else if ((v = item('V', '01')) !== undefined) {
      opts = v === '0' ? opts & ~Opt.VERSION_SORT : opts | Opt.VERSION_SORT;
      vval = `;V=${v}`;
    } else if (q.startsWith('P=')) {
      const rest = q.slice(2);
      const m = /[&;]/.exec(rest);
      const eos = m === null ? rest.length : m.index;
      if (eos === 0) pattern = undefined;
      else {
        pattern = unescapeUrl(rest.slice(0, eos));
        if (pattern !== undefined) {
          ppre = ';P=';
          epattern = osEscapePath(pattern, true); // ap_escape_uri
        }
      }
      // Past the separator, if anything follows it.
      q = eos < rest.length && eos + 1 < rest.length ? rest.slice(eos + 1) : '';
    } else q = ''; // syntax error: ignore the remainder
  }
  return { key, direction, opts, pattern, colargs: fval + vval + ppre + epattern };
}
