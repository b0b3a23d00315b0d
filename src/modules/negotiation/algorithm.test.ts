// best_match and its quality setters. Every expectation here was checked against Apache
// 2.4 (mod_negotiation + mod_mime, /etc/mime.types) with the same files and headers: the
// directory page.html.{de,en,fr} (9, 8, 7 bytes), data.{json,txt} (8, 6 bytes),
// comp.txt (7) and comp.txt.gz (3), cs.html.{iso2,utf8}.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAcceptHeader } from './accept.js';
import {
  addDefaultAccepts,
  bestMatch,
  newNegState,
  newVariant,
  parseNegotiate,
  type Variant,
} from './algorithm.js';
import { FLP } from './config.js';

interface Spec {
  name: string;
  type: string;
  bytes: number;
  lang?: string;
  enc?: string;
}
const v = (s: Spec): Variant =>
  newVariant({
    fileName: s.name,
    type: parseAcceptHeader(s.type)?.[0],
    bytes: s.bytes,
    languages: s.lang === undefined ? undefined : [s.lang],
    encoding: s.enc,
  });

const PAGE: Spec[] = [
  { name: 'page.html.de', type: 'text/html', bytes: 9, lang: 'de' },
  { name: 'page.html.en', type: 'text/html', bytes: 8, lang: 'en' },
  { name: 'page.html.fr', type: 'text/html', bytes: 7, lang: 'fr' },
];
const DATA: Spec[] = [
  { name: 'data.json', type: 'application/json', bytes: 8 },
  { name: 'data.txt', type: 'text/plain', bytes: 6 },
];
const COMP: Spec[] = [
  { name: 'comp.txt', type: 'text/plain', bytes: 7 },
  { name: 'comp.txt.gz', type: 'application/gzip', bytes: 3, enc: 'gzip' },
];
const CS: Spec[] = [
  { name: 'cs.html.iso2', type: 'text/html; charset=iso-8859-2', bytes: 2 },
  { name: 'cs.html.utf8', type: 'text/html; charset=utf-8', bytes: 2 },
];

function choose(
  specs: Spec[],
  h: { accept?: string; lang?: string; enc?: string; charset?: string; negotiate?: string },
  opts: {
    priority?: string[];
    force?: number;
    env?: { preferLanguage?: string; noGzip?: boolean };
  } = {},
): string | undefined {
  const neg = newNegState(
    {
      accept: parseAcceptHeader(h.accept),
      encodings: parseAcceptHeader(h.enc),
      charsets: parseAcceptHeader(h.charset),
      langs: parseAcceptHeader(h.lang),
    },
    opts.priority,
    opts.force,
  );
  neg.isTransparent = true;
  parseNegotiate(neg, h.negotiate, undefined);
  addDefaultAccepts(neg, false);
  const vars = specs.map(v);
  const { result, best } = bestMatch(
    neg,
    vars,
    {
      preferLanguage: opts.env?.preferLanguage,
      noGzip: opts.env?.noGzip ?? false,
      gzipOnlyTextHtml: false,
    },
    (x) => x.bytes,
  );
  return result === 'choice' ? best?.fileName : undefined;
}

describe('language negotiation', () => {
  it('takes the smallest variant when nothing distinguishes them', () => {
    assert.equal(choose(PAGE, {}), 'page.html.fr');
  });
  it('takes the Accept-Language match', () => {
    assert.equal(choose(PAGE, { lang: 'de' }), 'page.html.de');
    assert.equal(choose(PAGE, { lang: 'EN' }), 'page.html.en');
  });
  it('matches en-US and en-gb against en at 0.001 (the prefix fiddle)', () => {
    assert.equal(choose(PAGE, { lang: 'en-gb' }), 'page.html.en');
    assert.equal(choose(PAGE, { lang: 'en-US' }, { priority: ['de', 'fr', 'en'] }), 'page.html.en');
  });
  it('gives * its q for languages not named, and breaks the tie by size', () => {
    assert.equal(choose(PAGE, { lang: '*;q=0.5, fr;q=0.4' }), 'page.html.en');
  });
  it('finds nothing for an unlisted language (406) unless Fallback', () => {
    assert.equal(choose(PAGE, { lang: 'it' }, { priority: ['de', 'fr', 'en'] }), undefined);
    assert.equal(
      choose(PAGE, { lang: 'it' }, { priority: ['de', 'fr', 'en'], force: FLP.fallback }),
      'page.html.de',
    );
    assert.equal(
      choose(PAGE, { lang: 'it' }, { priority: ['de', 'fr', 'en'], force: FLP.none }),
      undefined,
    );
  });
  it('orders equal qualities by LanguagePriority (Prefer, the default)', () => {
    assert.equal(choose(PAGE, {}, { priority: ['de', 'fr', 'en'] }), 'page.html.de');
    assert.equal(choose(PAGE, { lang: 'de;q=.5, en;q=0.5' }), 'page.html.en');
  });
  it('reads q-values as httpd does: 0.0009 is 0, 1.5 is 1', () => {
    assert.equal(choose(PAGE, { lang: 'fr;q=0.0009, en;q=0.0001' }), undefined);
    assert.equal(choose(PAGE, { lang: 'de;q=1.5, en;q=0.999' }), 'page.html.de');
  });
  it('prefers the prefer-language variable, then negotiates as usual', () => {
    assert.equal(choose(PAGE, { lang: 'fr' }, { env: { preferLanguage: 'de' } }), 'page.html.de');
    assert.equal(choose(PAGE, { lang: 'fr' }, { env: { preferLanguage: 'it' } }), 'page.html.fr');
  });
});

describe('media type negotiation', () => {
  it('prefers an exact type over */* when no q is given (the */* fiddle)', () => {
    assert.equal(choose(DATA, { accept: 'text/plain, */*' }), 'data.txt');
    assert.equal(choose(DATA, { accept: 'application/json, */*' }), 'data.json');
  });
  it('uses the wildcard q as given once any q is present', () => {
    assert.equal(choose(DATA, { accept: '*/*;q=0.9, application/json;q=0.8' }), 'data.txt');
  });
  it('falls back to size between equal types', () => {
    assert.equal(choose(DATA, { accept: 'application/*, text/*' }), 'data.txt');
    assert.equal(choose(DATA, { accept: 'application/json;q=0.5, text/plain;q=0.5' }), 'data.txt');
  });
  it('finds nothing when no range matches', () => {
    assert.equal(choose(DATA, { accept: 'image/png' }), undefined);
  });
});

describe('encoding and charset negotiation', () => {
  it('prefers identity without Accept-Encoding, the coding when it is accepted', () => {
    assert.equal(choose(COMP, {}), 'comp.txt');
    assert.equal(choose(COMP, { enc: 'gzip' }), 'comp.txt.gz');
    assert.equal(choose(COMP, { enc: 'x-gzip' }), 'comp.txt.gz');
    assert.equal(choose(COMP, { enc: 'gzip;q=0, identity' }), 'comp.txt');
    assert.equal(choose(COMP, { enc: 'gzip, identity;q=0' }), 'comp.txt.gz');
  });
  it('drops encoded variants under no-gzip', () => {
    assert.equal(choose(COMP, { enc: 'gzip' }, { env: { noGzip: true } }), 'comp.txt');
  });
  it('prefers a named non-Latin-1 charset, the accepted one, and refuses others', () => {
    assert.equal(choose(CS, {}), 'cs.html.iso2');
    assert.equal(choose(CS, { charset: 'utf-8' }), 'cs.html.utf8');
    assert.equal(choose(CS, { charset: 'iso-8859-5' }), undefined);
  });
});

describe('transparent negotiation', () => {
  it('lists instead of choosing for Negotiate: trans, chooses for Negotiate: *', () => {
    assert.equal(choose(PAGE, { negotiate: 'trans' }), undefined);
    assert.equal(choose(PAGE, { negotiate: '*' }), 'page.html.fr');
  });
  it('uses RVSA/1.0 for Negotiate: 1.0 (no choice of an indefinite variant)', () => {
    assert.equal(choose(PAGE, { negotiate: '1.0' }), undefined);
    assert.equal(
      choose(PAGE, { negotiate: '1.0', lang: 'de', accept: 'text/html' }),
      'page.html.de',
    );
  });
});
