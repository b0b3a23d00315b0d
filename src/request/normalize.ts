// httpd: server/util.c (ap_normalize_path, ap_unescape_url_ex), server/request.c (the
// normalisation and unescape steps of ap_process_request_internal).
//
// Step 1 works on the still-%-encoded path: decode only unreserved characters (so
// `%2e%2e` becomes `..` and is resolved here, never later), drop `.`/`..` segments, merge
// slashes, and refuse to climb above `/`. Step 4 then decodes everything else.

/** Unreserved characters (RFC 3986 §2.3) that step 1 decodes. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * ap_normalize_path with DECODE_UNRESERVED | NOT_ABOVE_ROOT (| MERGE_SLASHES).
 * Returns undefined for an invalid path (httpd answers 400).
 */
export function normalizePath(path: string, mergeSlashes: boolean): string | undefined {
  if (!path.startsWith('/')) return undefined;
  // Decode %XX of unreserved characters; an invalid escape makes the path invalid.
  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i] ?? '';
    if (c !== '%') {
      decoded += c;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return undefined;
    const ch = String.fromCharCode(parseInt(hex, 16));
    decoded += UNRESERVED.test(ch) ? ch : '%' + hex; // the client's case, as httpd
    i += 2;
  }
  const segs = decoded.split('/');
  const out: string[] = [];
  // segs[0] is '' (leading slash). Walk the rest.
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i] ?? '';
    const last = i === segs.length - 1;
    if (s === '.') {
      if (last) out.push('');
      continue;
    }
    if (s === '..') {
      if (out.length === 0) return undefined; // above the root
      out.pop();
      if (last) out.push('');
      continue;
    }
    if (s === '' && mergeSlashes && !last) continue;
    if (s === '' && mergeSlashes && last && out.length > 0 && out[out.length - 1] === '') continue;
    out.push(s);
  }
  return '/' + out.join('/');
}

/** How %2F is treated (AllowEncodedSlashes Off | On | NoDecode). */
export type EncodedSlashes = 'off' | 'on' | 'nodecode';

/**
 * ap_unescape_url_ex: decode every %XX. Returns the decoded path, with a status when the
 * path is refused: 400 for a bad escape (kept as written), 404 for `%00` and for `%2F` when
 * encoded slashes are not allowed. httpd decodes in place and goes on past a refused
 * escape, so a refused path is still fully decoded (and, being a C string, ends at the
 * first NUL): that is the r->uri `%U` logs.
 */
export function unescapePath(
  path: string,
  slashes: EncodedSlashes,
): { status: 400 | 404; path: string } | { path: string } {
  if (!path.includes('%')) return { path };
  const bytes: number[] = [];
  let badEscape = false;
  let badPath = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c !== 0x25) {
      for (const b of Buffer.from(path[i] ?? '', 'utf8')) bytes.push(b);
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!HEX.test(hex)) {
      badEscape = true;
      bytes.push(c);
      continue;
    }
    const v = parseInt(hex, 16);
    if (v === 0 || (v === 0x2f && slashes === 'off')) badPath = true;
    else if (v === 0x2f && slashes === 'nodecode') {
      for (const b of Buffer.from('%' + hex, 'latin1')) bytes.push(b);
      i += 2;
      continue;
    }
    bytes.push(v);
    i += 2;
  }
  // httpd keeps raw bytes; file names on Linux are bytes too. Decode as UTF-8 when valid,
  // else as latin1 so every byte survives.
  const nul = bytes.indexOf(0);
  const buf = Buffer.from(nul < 0 ? bytes : bytes.slice(0, nul));
  const utf8 = buf.toString('utf8');
  const out = Buffer.from(utf8, 'utf8').equals(buf) ? utf8 : buf.toString('latin1');
  if (badEscape) return { status: 400, path: out };
  if (badPath) return { status: 404, path: out };
  return { path: out };
}
