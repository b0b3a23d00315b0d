// httpd: modules/mappers/mod_negotiation.c (mime_match, level_cmp, find_lang_index,
// set_default_lang_quality, set_language_quality, set_accept_quality,
// set_charset_quality, is_identity_encoding, set_encoding_quality).
//
// The per-dimension qualities best_match gives every variant (algorithm.ts).

import { INCLUDES_MAGIC_TYPE, INCLUDES_MAGIC_TYPE3, type AcceptRec } from './accept.js';
import type { NegState, Variant } from './algorithm.js';
import { FLP } from './config.js';

const f = Math.fround;

/** mime_match: does this range cover the variant's type (updating stars and level)? */
function mimeMatch(a: AcceptRec, v: Variant): boolean {
  const t = a.name;
  const len = t.length;
  if (t === '*' || t === '*/*') {
    if (v.mimeStars < 1) v.mimeStars = 1;
    return true;
  }
  if (
    len > 2 &&
    t.endsWith('/*') &&
    v.mimeType.startsWith(t.slice(0, len - 2)) &&
    v.mimeType[len - 2] === '/'
  ) {
    if (v.mimeStars < 2) v.mimeStars = 2;
    return true;
  }
  if (
    t === v.mimeType ||
    (t === 'text/html' &&
      (v.mimeType === INCLUDES_MAGIC_TYPE || v.mimeType === INCLUDES_MAGIC_TYPE3))
  ) {
    if (a.level >= v.level) {
      v.levelMatched = v.level;
      v.mimeStars = 3;
      return true;
    }
  }
  return false;
}

/** level_cmp: among one media type, the highest level the client named, else the lowest. */
export function levelCmp(a: Variant, b: Variant): number {
  if (a.isPseudoHtml && !b.isPseudoHtml) return 0;
  if (!a.isPseudoHtml && a.mimeType !== b.mimeType) return 0;
  if (a.levelMatched > b.levelMatched) return 1;
  if (a.levelMatched < b.levelMatched) return -1;
  if (a.level < b.level) return 1;
  if (a.level > b.level) return -1;
  return 0;
}

/** find_lang_index: the first list entry that is a (case-blind) prefix of `lang`. */
function findLangIndex(list: readonly string[] | undefined, lang: string): number {
  if (list === undefined) return -1;
  const l = lang.toLowerCase();
  return list.findIndex((x) => l.startsWith(x.toLowerCase()));
}

/** set_default_lang_quality: variants without a language only win if nothing else can. */
export function setDefaultLangQuality(neg: NegState, vars: readonly Variant[]): void {
  neg.defaultLangQuality =
    !neg.dontFiddleHeaders && vars.some((v) => (v.languages?.length ?? 0) > 0) ? f(0.0001) : 1;
}

/** set_language_quality: the best Accept-Language match of the variant's languages. */
export function setLanguageQuality(neg: NegState, v: Variant): void {
  const force = neg.forceLanguagePriority;
  const langs = v.languages;
  if (langs === undefined || langs.length === 0) {
    if (!neg.dontFiddleHeaders) v.langQuality = neg.defaultLangQuality;
    return;
  }
  if (neg.acceptLangs === undefined) {
    v.definite = false; // no Accept-Language makes the variant indefinite
  } else {
    const accs = neg.acceptLangs;
    let best: AcceptRec | undefined;
    let star: AcceptRec | undefined;
    let fiddleQ = 0;
    let anyMatchOnStar = false;
    for (const lang of langs) {
      let bestThisTag: AcceptRec | undefined;
      let longest = 0;
      for (const a of accs) {
        if (a.name === '*') {
          star ??= a;
          continue;
        }
        // The variant's tag equals the range, or starts with it up to a '-'.
        const alen = a.name.length;
        if (
          lang.length >= alen &&
          lang.startsWith(a.name) &&
          (lang.length === alen || lang[alen] === '-') &&
          alen > longest
        ) {
          longest = alen;
          bestThisTag = a;
        }
        // The fiddle: en-US in the header matches en and en-GB variants at 0.001.
        if (bestThisTag === undefined && !neg.dontFiddleHeaders) {
          const dash = a.name.indexOf('-');
          if (dash >= 0 && lang.slice(0, dash) === a.name.slice(0, dash) && lang.length >= dash)
            fiddleQ = f(0.001);
        }
      }
      if (best === undefined || (bestThisTag !== undefined && bestThisTag.quality > best.quality))
        best = bestThisTag;
      if (bestThisTag === undefined && star !== undefined) anyMatchOnStar = true;
    }
    if (
      anyMatchOnStar &&
      star !== undefined &&
      (best === undefined || star.quality > best.quality)
    ) {
      best = star;
      v.definite = false;
    }
    v.langQuality = best !== undefined ? best.quality : fiddleQ;
  }
  // ForceLanguagePriority: Prefer orders equal qualities by LanguagePriority; Fallback makes
  // an unacceptable variant acceptable at 0.0001 when it is listed there.
  if (
    ((force & FLP.prefer) !== 0 && v.langIndex < 0) ||
    ((force & FLP.fallback) !== 0 && v.langQuality === 0)
  ) {
    let bestIdx = -1;
    for (const lang of langs) {
      const idx = findLangIndex(neg.languagePriority, lang);
      if (idx >= 0 && (bestIdx === -1 || idx < bestIdx)) bestIdx = idx;
    }
    if (bestIdx >= 0) {
      if (v.langQuality !== 0) {
        if ((force & FLP.prefer) !== 0) v.langIndex = bestIdx;
      } else if ((force & FLP.fallback) !== 0) {
        v.langIndex = bestIdx;
        v.langQuality = f(0.0001);
        v.definite = false;
      }
    }
  }
}

/** set_accept_quality: the q of the most specific matching media range. */
export function setAcceptQuality(neg: NegState, v: Variant): void {
  if (neg.accepts === undefined) {
    if (v.mimeType !== '') v.definite = false;
    return;
  }
  let q = 0;
  let qDefinite = true;
  for (const a of neg.accepts) {
    const prev = v.mimeStars;
    if (!mimeMatch(a, v) || prev === v.mimeStars) continue;
    // No q anywhere in Accept: wildcards count for very little (the `*\/*` fiddle).
    if (!neg.dontFiddleHeaders && !neg.acceptQ && v.mimeStars === 1) q = f(0.01);
    else if (!neg.dontFiddleHeaders && !neg.acceptQ && v.mimeStars === 2) q = f(0.02);
    else q = a.quality;
    qDefinite = v.mimeStars === 3;
  }
  v.mimeTypeQuality = q;
  v.definite = v.definite && qDefinite;
}

/** set_charset_quality: untyped text counts as ISO-8859-1, which is acceptable by default. */
export function setCharsetQuality(neg: NegState, v: Variant): void {
  let charset = v.charset;
  if (neg.acceptCharsets === undefined) {
    if (charset !== '') v.definite = false;
    return;
  }
  if (charset === '') {
    if (!(
      v.mimeType.startsWith('text/') ||
      v.mimeType === INCLUDES_MAGIC_TYPE ||
      v.mimeType === INCLUDES_MAGIC_TYPE3
    ))
      return;
    if (neg.dontFiddleHeaders) return;
    charset = 'iso-8859-1';
  }
  let star: AcceptRec | undefined;
  for (const a of neg.acceptCharsets) {
    if (a.name === charset) {
      v.charsetQuality = a.quality;
      return;
    }
    if (a.name === '*') star = a;
  }
  if (star !== undefined) {
    v.charsetQuality = star.quality;
    v.definite = false;
    return;
  }
  v.charsetQuality = charset === 'iso-8859-1' ? 1 : 0;
}

/** is_identity_encoding (7bit, 8bit and binary are identities too). */
export const isIdentityEncoding = (enc: string | undefined): boolean =>
  enc === undefined || enc === '' || enc === '7bit' || enc === '8bit' || enc === 'binary';

/** set_encoding_quality: no header → all codings at 0.5, identity preferred. */
export function setEncodingQuality(neg: NegState, v: Variant): void {
  let enc = v.encoding;
  if (neg.acceptEncodings === undefined) {
    v.encodingQuality = isIdentityEncoding(enc) ? 1 : f(0.5);
    return;
  }
  let ifNotFound = 0;
  if (enc === undefined || isIdentityEncoding(enc)) {
    enc = 'identity';
    ifNotFound = f(0.0001);
  }
  if (enc.startsWith('x-')) enc = enc.slice(2);
  let star: AcceptRec | undefined;
  for (const a of neg.acceptEncodings) {
    const name = a.name.startsWith('x-') ? a.name.slice(2) : a.name;
    if (name === enc) {
      v.encodingQuality = a.quality;
      return;
    }
    if (name === '*') star = a;
  }
  v.encodingQuality = star !== undefined ? star.quality : ifNotFound;
}
