// httpd: modules/mappers/mod_negotiation.c (set_neg_headers, make_variant_list,
// store_variant_list), server/util.c (ap_escape_path_segment).
//
// What a negotiated response says about its variants: Vary (the dimensions in which the
// variants differ), Alternates and TCN for transparent negotiation (RFC 2295), and the HTML
// list the 300 and 406 pages carry.

import { escapeHtml } from '../../http/die.js';
import type { NegState, Variant } from './algorithm.js';

/** ap_escape_path_segment: %xx (lower-case hex) for all but alnum and `$-_.+!*'(),:@&=~`. */
export function escapePathSegment(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9$\-_.+!*'(),:@&=~]/.test(c) ? c : '%' + b.toString(16).padStart(2, '0');
  }
  return out;
}

/** `%1.3f` with trailing zeros stripped, as the Alternates header writes a quality. */
function qString(q: number): string {
  let s = q.toFixed(3);
  if (s[4] === '0') {
    s = s.slice(0, 4);
    if (s[3] === '0') {
      s = s.slice(0, 3);
      if (s[2] === '0') s = s.slice(0, 1);
    }
  }
  return s;
}

/**
 * set_neg_headers: Vary, Alternates and TCN, into err_headers_out (they go out with an
 * error response too). `lengthOf` answers a variant's length (-1 unknown).
 */
export function setNegHeaders(
  hdrs: Map<string, string>,
  neg: NegState,
  vars: readonly Variant[],
  result: 'choice' | 'list',
  lengthOf: (v: Variant) => number,
): void {
  const alternates: string[] = [];
  let vary = { type: false, language: false, charset: false, encoding: false };
  const first = vars[0];
  const langOf = (v: Variant): string =>
    v.languages !== undefined && v.languages.length > 0 ? v.languages.join(',') : '';
  for (const v of vars) {
    if (first !== undefined && v !== first) {
      vary = {
        type: vary.type || first.mimeType !== v.mimeType,
        charset: vary.charset || first.charset !== v.charset,
        language: vary.language || langOf(first) !== langOf(v),
        encoding: vary.encoding || (first.encoding ?? '') !== (v.encoding ?? ''),
      };
    }
    if (!neg.sendAlternates) continue;
    let e = `{"${escapePathSegment(v.fileName)}" ${qString(v.sourceQuality)}`;
    if (v.mimeType !== '') e += ` {type ${v.mimeType}}`;
    if (v.charset !== '') e += ` {charset ${v.charset}}`;
    const lang = langOf(v);
    if (lang !== '') e += ` {language ${lang}}`;
    if (v.encoding !== undefined && v.encoding !== '') e += ` {encoding ${v.encoding}}`;
    if (!v.hasHandler) {
      const len = lengthOf(v);
      if (len >= 0) e += ` {length ${String(len)}}`;
    }
    alternates.push(e + '}');
  }
  const merge = (name: string, value: string): void => {
    const old = hdrs.get(name);
    hdrs.set(name, old === undefined ? value : `${old}, ${value}`);
  };
  if (neg.sendAlternates && vars.length > 0) merge('Alternates', alternates.join(', '));
  const dims = [
    neg.isTransparent ? 'negotiate' : '',
    vary.type ? 'accept' : '',
    vary.language ? 'accept-language' : '',
    vary.charset ? 'accept-charset' : '',
    vary.encoding ? 'accept-encoding' : '',
  ].filter((d) => d !== '');
  if (dims.length > 0) merge('Vary', dims.join(', '));
  if (neg.isTransparent) hdrs.set('TCN', result);
}

/** make_variant_list: the "Available variants" list of the 300 and 406 pages. */
export function makeVariantList(vars: readonly Variant[]): string {
  let out = 'Available variants:\n<ul>\n';
  for (const v of vars) {
    out += `<li><a href="${escapePathSegment(v.fileName)}">${escapeHtml(v.fileName)}</a> ${v.description}`;
    if (v.mimeType !== '') out += `, type ${v.mimeType}`;
    if (v.languages !== undefined && v.languages.length > 0)
      out += `, language ${v.languages.join(',')}`;
    if (v.charset !== '') out += `, charset ${v.charset}`;
    if (v.encoding !== undefined) out += `, encoding ${v.encoding}`;
    out += '</li>\n';
  }
  return out + '</ul>\n';
}
