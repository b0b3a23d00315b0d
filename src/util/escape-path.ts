// httpd: server/util.c (ap_os_escape_path, ap_escape_uri), server/gen_test_char.c
// (T_OS_ESCAPE_PATH).

/** Bytes ap_os_escape_path leaves alone: alphanumerics and `$-_.+!*'(),:;@&=/~`. */
const PATH_SAFE = /[A-Za-z0-9$\-_.+!*'(),:;@&=/~]/;

/**
 * ap_os_escape_path on a byte string (one char per byte): every other byte becomes `%xx`
 * in lower-case hex, as httpd's c2x writes it. Unless `partial`, a path whose first segment
 * holds a `:` gets `./` in front, so it cannot read as a scheme. `partial` is ap_escape_uri.
 */
export function osEscapePath(bytes: string, partial: boolean): string {
  let out = '';
  if (!partial) {
    const colon = bytes.indexOf(':');
    const slash = bytes.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) out = './';
  }
  for (const c of bytes)
    out += PATH_SAFE.test(c) ? c : '%' + c.charCodeAt(0).toString(16).padStart(2, '0');
  return out;
}
