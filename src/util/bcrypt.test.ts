// bcrypt ($2a$/$2b$/$2x$/$2y$) against vectors from htpasswd (APR's crypt_blowfish) and
// perl's crypt (libxcrypt), and the pi-derived Blowfish tables.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bcryptHash, blowfishPiWords } from './bcrypt.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('blowfishPiWords', () => {
  it('is the hex fraction of pi: P starts 243F6A88 85A308D3, S3 ends 3AC372E6', () => {
    const w = blowfishPiWords();
    assert.equal(w.length, 1042);
    assert.equal(w[0]! >>> 0, 0x243f6a88);
    assert.equal(w[1]! >>> 0, 0x85a308d3);
    assert.equal(w[17]! >>> 0, 0x8979fb1b); // last P entry
    assert.equal(w[18]! >>> 0, 0xd1310ba6); // first S-box word
    assert.equal(w[1041]! >>> 0, 0x3ac372e6);
  });
  it('is computed once and cached', () => {
    assert.equal(blowfishPiWords(), blowfishPiWords());
  });
});

describe('bcryptHash', () => {
  it('matches htpasswd -B output', async () => {
    // htpasswd -nbB -C 5 u secret
    const h1 = '$2y$05$./Q8GNFDQNCokSNg7E2Dfu6Kf51i4J3HeR1cG9dzKAuBP/w2ImMoO';
    assert.equal(await bcryptHash(utf8('secret'), h1), h1);
    // htpasswd -nbB -C 5 u 'pässwörd'
    const h2 = '$2y$05$XwvRv0dudoC4LkbBw6J2h.1XG/GLZOw5QnJUf/WpoN3t..oN1fVu.';
    assert.equal(await bcryptHash(utf8('pässwörd'), h2), h2);
    // htpasswd -nbB -C 5 u ''
    const h3 = '$2y$05$9XhwZ9l.htwEsnOlF8dLvuP9mb.0Jto2v83W915h3JtGHfV2RsPyK';
    assert.equal(await bcryptHash(utf8(''), h3), h3);
  });

  it('hashes $2b$ like $2y$, and a setting with only the salt', async () => {
    // perl -e 'print crypt("secret", q($2b$05$abcdefghijklmnopqrstuu))'
    assert.equal(
      await bcryptHash(utf8('secret'), '$2b$05$abcdefghijklmnopqrstuu'),
      '$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a',
    );
    assert.equal(
      await bcryptHash(utf8('secret'), '$2y$05$abcdefghijklmnopqrstuu'),
      '$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a',
    );
  });

  it('ignores password bytes past the 72nd', async () => {
    // htpasswd -nbB -C 5 u $(printf 'a%.0s' {1..72})
    const h = '$2y$05$mjYIFAwylErsd95WlAtWEeAz/g67U3tcCMJ2tHhJRajL4qiXii7tW';
    assert.equal(await bcryptHash(utf8('a'.repeat(72)), h), h);
    assert.equal(await bcryptHash(utf8('a'.repeat(72) + 'anything'), h), h);
    assert.notEqual(await bcryptHash(utf8('a'.repeat(71)), h), h);
    // perl -e 'print crypt("\xc3\xa9" x 40, q($2b$05$abcdefghijklmnopqrstuu))' (80 bytes),
    // the same string as for "\xc3\xa9" x 36 (exactly 72 bytes)
    const e = '$2b$05$abcdefghijklmnopqrstuu9CyuiEyTnupb4rnoYIlshaDzoYa6ZaS';
    assert.equal(await bcryptHash(utf8('é'.repeat(40)), e), e);
    assert.equal(await bcryptHash(utf8('é'.repeat(36)), e), e);
  });

  it('ends the password at a NUL, as a C string', async () => {
    const h = '$2y$05$./Q8GNFDQNCokSNg7E2Dfu6Kf51i4J3HeR1cG9dzKAuBP/w2ImMoO';
    assert.equal(await bcryptHash(utf8('secret\0more'), h), h);
  });

  it('keeps crypt_blowfish’s $2x$ bug and $2a$ countermeasure for bytes >= 0x80', async () => {
    const salt = '/OK.fbVrR/bpIqNJ5ianF.';
    // perl -e 'print crypt("\xa3", q($2x$05$/OK.fbVrR/bpIqNJ5ianF.))' (and $2a$, $2y$)
    assert.equal(
      await bcryptHash(bytes(0xa3), `$2x$05$${salt}`),
      `$2x$05$${salt}CE5elHaaO4EbggVDjb8P19RukzXSM3e`,
    );
    assert.equal(
      await bcryptHash(bytes(0xa3), `$2a$05$${salt}`),
      `$2a$05$${salt}Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq`,
    );
    assert.equal(
      await bcryptHash(bytes(0xa3), `$2y$05$${salt}`),
      `$2y$05$${salt}Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq`,
    );
    // perl -e 'print crypt("\xff\xff\xa3", q($2a$05$/OK.fbVrR/bpIqNJ5ianF.))' (and $2y$):
    // the bug leaves this key unchanged, so $2a$ flips a bit to keep it apart from $2x$.
    assert.equal(
      await bcryptHash(bytes(0xff, 0xff, 0xa3), `$2a$05$${salt}`),
      `$2a$05$${salt}nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.`,
    );
    assert.equal(
      await bcryptHash(bytes(0xff, 0xff, 0xa3), `$2y$05$${salt}`),
      `$2y$05$${salt}CE5elHaaO4EbggVDjb8P19RukzXSM3e`,
    );
    // perl -e 'print crypt("\xff\xa3345", q($2x$05$/OK.fbVrR/bpIqNJ5ianF.))' (and $2a$)
    const pw = bytes(0xff, 0xa3, 0x33, 0x34, 0x35);
    assert.equal(
      await bcryptHash(pw, `$2x$05$${salt}`),
      `$2x$05$${salt}o./n25XVfn6oAPaUvHe.Csk4zRfsYPi`,
    );
    assert.equal(
      await bcryptHash(pw, `$2a$05$${salt}`),
      `$2a$05$${salt}nRht2l/HRhr6zmCp9vYUvvsqynflf9e`,
    );
  });

  it('prints the salt canonically (unused bits of the 22nd character cleared)', async () => {
    // perl -e 'print crypt("pw", q($2y$05$abcdefghijklmnopqrstuv))' prints ...stuu...
    assert.equal(
      await bcryptHash(utf8('pw'), '$2y$05$abcdefghijklmnopqrstuv'),
      '$2y$05$abcdefghijklmnopqrstuuHIrMEWpUCQe2YqFR3sXwQ75u4od..9q',
    );
  });

  it('rejects malformed settings', async () => {
    for (const s of [
      '$2y$03$abcdefghijklmnopqrstuu', // cost below 4
      '$2y$32$abcdefghijklmnopqrstuu', // cost above 31
      '$2y$4$abcdefghijklmnopqrstuu', // one-digit cost
      '$2y$05$abcdefghijklmnopqrstu', // 21-character salt
      '$2y$05$abcdefghijklmnopqrstu!', // character outside the alphabet
      '$2c$05$abcdefghijklmnopqrstuu', // unknown variant
      '$2$05$abcdefghijklmnopqrstuu',
      '',
    ])
      assert.equal(await bcryptHash(utf8('pw'), s), undefined, s);
  });
});
