// apr_password_validate: dispatch, matches and mismatches for every format, malformed and
// unsupported hashes, and the event-loop friendliness of bcrypt. Every expected result
// was also checked with APR itself: printf 'u:%s\n' HASH > f; htpasswd -vb f u PASSWORD.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { passwordValidate } from './password.js';

const ok = { ok: true };
const no = { ok: false };

/** Checks that `hash` accepts `good` and refuses each of `bad`. */
async function accepts(hash: string, good: string | Uint8Array, ...bad: string[]): Promise<void> {
  assert.deepEqual(await passwordValidate(good, hash), ok, `${hash} should accept the password`);
  for (const b of bad) assert.deepEqual(await passwordValidate(b, hash), no, `${hash} vs ${b}`);
}

describe('passwordValidate', () => {
  it('checks bcrypt ($2y$ from htpasswd -B, $2b$/$2a$ via crypt)', async () => {
    // htpasswd -nbB -C 5 u secret
    await accepts(
      '$2y$05$./Q8GNFDQNCokSNg7E2Dfu6Kf51i4J3HeR1cG9dzKAuBP/w2ImMoO',
      'secret',
      'secreT',
      'secret ',
      '',
    );
    // htpasswd -nbB -C 5 u 'pässwörd'
    await accepts(
      '$2y$05$XwvRv0dudoC4LkbBw6J2h.1XG/GLZOw5QnJUf/WpoN3t..oN1fVu.',
      'pässwörd',
      'passwörd',
    );
    // htpasswd -nbB -C 5 u ''
    await accepts('$2y$05$9XhwZ9l.htwEsnOlF8dLvuP9mb.0Jto2v83W915h3JtGHfV2RsPyK', '', 'x');
    // perl -e 'print crypt("secret", q($2b$05$abcdefghijklmnopqrstuu))'
    await accepts(
      '$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a',
      'secret',
      'secre',
    );
    // perl -e 'print crypt("\xa3", q($2a$05$/OK.fbVrR/bpIqNJ5ianF.))' (bytes, not UTF-8)
    await accepts(
      '$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq',
      Uint8Array.of(0xa3),
      '\u00a3', // "£" as UTF-8 is c2 a3
    );
  });

  it('ignores bcrypt password bytes past 72', async () => {
    // htpasswd -nbB -C 5 u $(printf 'a%.0s' {1..72})
    const h = '$2y$05$mjYIFAwylErsd95WlAtWEeAz/g67U3tcCMJ2tHhJRajL4qiXii7tW';
    await accepts(h, 'a'.repeat(72), 'a'.repeat(71));
    assert.deepEqual(await passwordValidate('a'.repeat(72) + 'zzz', h), ok);
  });

  it('refuses bcrypt hashes that crypt_blowfish would print differently or reject', async () => {
    const h = '$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a';
    for (const bad of [
      h.replace('stuu', 'stuv'), // non-canonical 22nd salt character
      h.replace('$05$', '$03$'), // cost below 4
      h.replace('$05$', '$5$'),
      h.slice(0, -1), // truncated
      h + 'x', // trailing garbage
      '$2y$05$abcdefghijklmnopqrstu',
      '$2y$',
    ])
      assert.deepEqual(await passwordValidate('secret', bad), no, bad);
  });

  it('checks $apr1$ (htpasswd -m, openssl passwd -apr1)', async () => {
    // htpasswd -nbm u secret
    await accepts('$apr1$JyLVTCoC$fyRaebLn9LyVSoEwRpcHX.', 'secret', 'Secret', 'secre');
    // htpasswd -nbm u 'pässwörd'
    await accepts('$apr1$KFIUdeBK$YfhcbFN7F6m/ZeWEYt61p0', 'pässwörd', 'pässwörd2');
    // htpasswd -nbm u ''
    await accepts('$apr1$bZ7hsS21$zj0y84VAEJdxa7DSxfe1W.', '', ' ');
    // openssl passwd -apr1 -salt 'ab!cd' secret: APR's own code takes any salt byte
    await accepts('$apr1$ab!cd$Bwr19jkJDz17csJ4wR.xL0', 'secret', 'secreu');
    assert.deepEqual(await passwordValidate('secret', '$apr1$JyLVTCoC$fyRaebLn9LyVSoEwRpcHX'), no);
  });

  it('checks {SHA} (htpasswd -s)', async () => {
    // htpasswd -nbs u secret
    await accepts('{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'secret', 'secrex');
    // htpasswd -nbs u 'pässwörd'
    await accepts('{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc=', 'pässwörd', 'passwörd');
    // htpasswd -nbs u ''
    await accepts('{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk=', '', 'a');
    assert.deepEqual(await passwordValidate('secret', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=x'), no);
  });

  it('checks $1$ MD5-crypt (openssl passwd -1)', async () => {
    // openssl passwd -1 -salt saltsalt secret
    await accepts('$1$saltsalt$9xy1btjgzLYfb7hivXtC//', 'secret', 'secreT');
    // perl -e 'print crypt("", q($1$saltsalt))'
    await accepts('$1$saltsalt$5Jhcit4zN9UlGiA0txPkO0', '', 'secret');
  });

  it('checks $5$ and $6$ SHA-crypt with and without rounds=', async () => {
    // openssl passwd -5 -salt saltsalt secret
    await accepts('$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA', 'secret', 'secrets');
    // openssl passwd -6 -salt saltsalt 'pässwörd'
    await accepts(
      '$6$saltsalt$TQjRhpJdqmLx0U8it3EsUajwkmOMMvw5vhUFc7mohzFFoj/QHrfYUHU1oSkwyCEoTUCDOiAOW135nel3bqtKe.',
      'pässwörd',
      'passwörd',
    );
    // perl -e 'print crypt("secret", q($5$rounds=1000$saltsalt))'
    const r5 = '$5$rounds=1000$saltsalt$eKLZU9t9OoPWrqOQsoTIKG0aYkZ5rGOoOQhiIvoSWX2';
    await accepts(r5, 'secret', 'secreT');
    // perl -e 'print crypt("secret", q($6$rounds=1000$saltsalt))'
    await accepts(
      '$6$rounds=1000$saltsalt$LAV5VE5Y7w1d73x1mFNspYWUpazfmwv2SoepNXNKJ/otop/Zok96Hr8Q13LEv0DRY/x8v0/crpIjl8NJSAqXV/',
      'secret',
      'secreT',
    );
    // perl -e 'print crypt("", q($6$saltsalt))'
    await accepts(
      '$6$saltsalt$qkTgsCrWMTAS9gBGcf9W60sFfH.hU0oTCAOJjhbz5tSp/sU3/xXZK4OFwCtq8lIIdpJ6CatVdOTSHKp97TPkt/',
      '',
      ' ',
    );
    // Counts written other than as the clamped number never match (libxcrypt: *0).
    for (const rounds of ['999', '01000', '1', '1000000000', '', 'x'])
      assert.deepEqual(
        await passwordValidate('secret', r5.replace('1000', rounds)),
        no,
        `rounds=${rounds}`,
      );
  });

  it('checks traditional DES crypt (htpasswd -d)', async () => {
    // htpasswd -nbd u secret
    await accepts('rpRV1kQICaCY.', 'secret', 'secreT', 'secre');
    // htpasswd -nbd u password123: only the first 8 bytes count
    await accepts('aqLHSkrbhfU1.', 'password123', 'passwor');
    assert.deepEqual(await passwordValidate('password', 'aqLHSkrbhfU1.'), ok);
    assert.deepEqual(await passwordValidate('passwordXYZ', 'aqLHSkrbhfU1.'), ok);
    // htpasswd -nbd u ''
    await accepts('6RqN5CCc1zuVE', '', 'a');
    // perl -e 'print crypt("p\xc3\xa4ssw\xc3\xb6rd", "ab")': 7 bits of each UTF-8 byte
    await accepts('abzp3RXJm5gNA', 'pässwörd', 'passwörd');
    assert.deepEqual(await passwordValidate('pC$sswC6', 'abzp3RXJm5gNA'), ok);
  });

  it('never accepts a plaintext "hash"', async () => {
    for (const pw of ['secret', 'password1234', 'x', 'abcdefghijklm', '$notahash$', ''])
      assert.deepEqual(await passwordValidate(pw, pw), no, pw);
    // 13 characters that are not DES-crypt output: a salt outside the alphabet
    assert.deepEqual(await passwordValidate('#abcdefghijkl', '#abcdefghijkl'), no);
  });

  it('fails what libxcrypt refuses: empty, unknown $ methods, bad characters', async () => {
    for (const h of [
      '',
      'a',
      '$9$abc$def',
      '$2$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a',
      '$apr1',
      '*0',
      '!rpRV1kQICaCY.', // a locked account
      'rpRV1kQICaCY.!',
      '$1$ab;cd$9xy1btjgzLYfb7hivXtC//',
      '$5$ab cd$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA',
      '$y$j9T$abc:def$xxI14acrF4kcY59GsyqJ1DqdhVdc9N0f1.omTKnq.61',
    ])
      assert.deepEqual(await passwordValidate('secret', h), no, h);
  });

  it('ends password and hash at a NUL, as the C code does', async () => {
    assert.deepEqual(
      await passwordValidate('secret\0junk', '$1$saltsalt$9xy1btjgzLYfb7hivXtC//'),
      ok,
    );
    assert.deepEqual(
      await passwordValidate('secret', '$1$saltsalt$9xy1btjgzLYfb7hivXtC//\0junk'),
      ok,
    );
  });

  it('reads a string hash byte per character, like a latin1 line from the file', async () => {
    // openssl passwd -apr1 -salt "$(printf 'ab\xe9cd')" secret (a raw 0xe9 byte in the salt;
    // htpasswd -v accepts it)
    const full = '$apr1$ab\u00e9cd$LEMdCc/6dS7.uuitUPCdD/';
    assert.deepEqual(await passwordValidate('secret', full), ok);
    assert.deepEqual(await passwordValidate('secret', Buffer.from(full, 'latin1')), ok);
    assert.deepEqual(await passwordValidate('secreT', full), no);
  });

  it('reports formats it does not compute as unsupported', async () => {
    const cases: [string, string][] = [
      // perl -e 'print crypt("x", q($y$j9T$abcdefghijklmnop))'
      ['$y$j9T$abcdefghijklmnop$xxI14acrF4kcY59GsyqJ1DqdhVdc9N0f1.omTKnq.61', 'yescrypt ($y$)'],
      // perl -e 'print crypt("x", q($gy$j9T$abcdefghijklmnop))'
      [
        '$gy$j9T$abcdefghijklmnop$iAhyhrFG8gN3RUpwkuadelXVBU0Zpz893kYISCCQqMA',
        'gost-yescrypt ($gy$)',
      ],
      // perl -e 'print crypt("x", q($7$CU..../....abcdefgh))'
      ['$7$CU..../....abcdefgh$19TzpFZ5AwP26vdEMbfvWacoVUfd2MfVusFAVFilh.C', 'scrypt ($7$)'],
      // perl -e 'print crypt("x", q(_J9..abcd))'
      ['_J9..abcd5WNy9VUCfAY', 'BSDi extended DES (_)'],
      // perl -e 'print crypt("x", q($sha1$40000$abcdefgh))'
      ['$sha1$40000$abcdefgh$J2S3Jd4LxTWQywgvIqKyDWuOJ2ZF', 'SHA1-crypt ($sha1$)'],
      // perl -e 'print crypt("x", q($md5,rounds=5000$abcdefgh$))'
      ['$md5,rounds=5000$abcdefgh$$vbGmPlCrlWSt0UR3BzdEG/', 'Sun MD5-crypt ($md5$)'],
      // perl -e 'print crypt("x", q($3$))'
      ['$3$$a9f0dd57e1edab5bb55a9ac0a99c15ec', 'NT hash ($3$)'],
    ];
    for (const [h, name] of cases) {
      assert.deepEqual(await passwordValidate('x', h), { unsupported: name });
      assert.deepEqual(await passwordValidate('y', h), { unsupported: name });
    }
  });

  it('lets other callbacks run while a cost-10 bcrypt check is under way', async () => {
    // htpasswd -nbB -C 10 u secret
    const h = '$2y$10$1dTOwTItjKnnjvyIp09gGeuxowkuU0snQ17xCLpmXajZ4kji5KIxa';
    let done = false;
    let ranBeforeDone = false;
    let ticks = 0;
    setImmediate(() => (ranBeforeDone = !done));
    const tick = (): void => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const res = await passwordValidate('secret', h);
    done = true;
    assert.deepEqual(res, ok);
    assert.ok(ranBeforeDone, 'a setImmediate callback ran before the check completed');
    assert.ok(ticks >= 3, `the check yielded several times (${ticks} ticks)`);
  });
});
