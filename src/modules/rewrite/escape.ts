// httpd: server/util.c (ap_escape_uri = ap_os_escape_path(…, partial), ap_unescape_url),
//        modules/mappers/mod_rewrite.c (escape_backref, escape_absolute_uri).
//
// All on UTF-8 bytes, as httpd works on the raw bytes of the URL; %-escapes are lower-case
// hex (c2x's table).

const hex = (b: number): string => '%' + b.toString(16).padStart(2, '0');

/** Characters ap_os_escape_path leaves alone (besides letters and digits). */
const PATH_SAFE = "$-_.+!*'(),:;@&=/~";

const isAlnum = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** ap_escape_uri: %-escape everything but letters, digits and `$-_.+!*'(),:;@&=/~`. */
export function escapeUri(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8'))
    out +=
      isAlnum(b) || PATH_SAFE.includes(String.fromCharCode(b)) ? String.fromCharCode(b) : hex(b);
  return out;
}

/** ap_unescape_url: decode every valid %XX (a bad one is kept); the text ends at a %00. */
export function unescapeUrl(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const h = s.slice(i + 1, i + 3);
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(h)) {
      bytes.push(Number.parseInt(h, 16));
      i += 2;
    } else for (const b of Buffer.from(s[i] ?? '', 'utf8')) bytes.push(b);
  }
  const nul = bytes.indexOf(0);
  return Buffer.from(nul < 0 ? bytes : bytes.slice(0, nul)).toString('utf8');
}

/** escape_backref options, from the rule's [B=…], [BNE=…], [BNP], [BCTLS]. */
export interface BackrefEscape {
  readonly escapes: string | undefined;
  readonly noescapes: string | undefined;
  readonly noPlus: boolean;
  readonly ctls: boolean;
}

/** T_VCHAR_OBSTEXT: a visible character or obs-text (0x80–0xff). */
const vcharObstext = (b: number): boolean => (b > 0x20 && b < 0x7f) || b >= 0x80;

/** escape_backref: [B] escaping of one back-reference, like PHP's urlencode. */
export function escapeBackref(s: string, o: BackrefEscape): string {
  const out: number[] = [];
  const push = (t: string): void => {
    for (let i = 0; i < t.length; i++) out.push(t.charCodeAt(i));
  };
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    const listed = o.escapes !== undefined && o.escapes.includes(ch);
    const wanted = (o.ctls ? !vcharObstext(b) : o.escapes === undefined) || listed;
    const kept = o.noescapes !== undefined && o.noescapes.includes(ch);
    if (wanted && !kept) {
      if (isAlnum(b) || b === 0x5f) out.push(b);
      else if (b === 0x20 && !o.noPlus) push('+');
      else push(hex(b));
    } else out.push(b);
  }
  return Buffer.from(out).toString('utf8');
}

/**
 * escape_absolute_uri: escape the path (and for ldap: each `?` part) of an absolute URL,
 * leaving scheme and host alone. `schemeLen`: is_absolute_uri's answer.
 */
export function escapeAbsoluteUri(uri: string, schemeLen: number): string {
  if (schemeLen === 0 || uri.length < schemeLen) return uri;
  let cp = schemeLen;
  let head = schemeLen;
  if (uri[cp - 1] === '/') {
    while (cp < uri.length && uri[cp] !== '/') cp++;
    if (cp >= uri.length || cp + 1 >= uri.length) return uri;
    cp++;
    head = cp;
    if (uri.slice(0, 4).toLowerCase() === 'ldap') {
      const parts = uri.slice(cp).split('?');
      const first = parts.slice(0, 4);
      const last = parts.slice(4).join('?');
      const all = parts.length > 4 ? [...first, last] : first;
      return uri.slice(0, head) + all.map(escapeUri).join('?');
    }
  }
  return uri.slice(0, head) + escapeUri(uri.slice(head));
}
