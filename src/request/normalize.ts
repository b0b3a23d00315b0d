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
 * ap_unescape_url_ex: decode every %XX. Returns a status: 400 for a bad escape, 404 for
 * `%00` and for `%2F` when encoded slashes are not allowed; otherwise the decoded path.
 */
export function unescapePath(
  path: string,
  slashes: EncodedSlashes,
): { status: 400 | 404 } | { path: string } {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c !== 0x25) {
      for (const b of Buffer.from(path[i] ?? '', 'utf8')) bytes.push(b);
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return { status: 400 };
    const v = parseInt(hex, 16);
    if (v === 0) return { status: 404 };
    if (v === 0x2f) {
      if (slashes === 'off') return { status: 404 };
      if (slashes === 'nodecode') {
        for (const b of Buffer.from('%' + hex, 'latin1')) bytes.push(b);
        i += 2;
        continue;
      }
    }
    bytes.push(v);
    i += 2;
  }
  // httpd keeps raw bytes; file names on Linux are bytes too. Decode as UTF-8 when valid,
  // else as latin1 so every byte survives.
  const buf = Buffer.from(bytes);
  const utf8 = buf.toString('utf8');
  return { path: Buffer.from(utf8, 'utf8').equals(buf) ? utf8 : buf.toString('latin1') };
}
