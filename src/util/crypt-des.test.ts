// DES and traditional DES crypt(3) against vectors from openssl, htpasswd -d and perl's crypt.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DES_SBOXES, desCrypt, desEncrypt } from './crypt-des.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('desEncrypt', () => {
  it('has S-box rows that are permutations of 0..15', () => {
    for (const box of DES_SBOXES)
      for (let row = 0; row < 4; row++)
        assert.deepEqual(
          [...box.slice(row * 16, row * 16 + 16)].sort((a, b) => a - b),
          Array.from({ length: 16 }, (_, i) => i),
        );
  });
  it('encrypts like OpenSSL', () => {
    // printf '\x01\x23\x45\x67\x89\xab\xcd\xef' | openssl enc -des-ecb -K 133457799BBCDFF1
    //   -nopad -provider legacy -provider default | xxd -p
    assert.deepEqual(
      Buffer.from(desEncrypt(hex('133457799bbcdff1'), hex('0123456789abcdef'))),
      hex('85e813540f0ab405'),
    );
  });
});

describe('desCrypt', () => {
  it('matches htpasswd -d', () => {
    // htpasswd -nbd u secret
    assert.equal(desCrypt(utf8('secret'), 'rpRV1kQICaCY.'), 'rpRV1kQICaCY.');
    // htpasswd -nbd u ''
    assert.equal(desCrypt(utf8(''), '6RqN5CCc1zuVE'), '6RqN5CCc1zuVE');
  });

  it('uses only the first 8 bytes', () => {
    // htpasswd -nbd u password123 ("Password truncated to 8 characters")
    assert.equal(desCrypt(utf8('password123'), 'aq'), 'aqLHSkrbhfU1.');
    assert.equal(desCrypt(utf8('password'), 'aq'), 'aqLHSkrbhfU1.');
    assert.notEqual(desCrypt(utf8('passwor'), 'aq'), 'aqLHSkrbhfU1.');
  });

  it('uses 7 bits of each byte', () => {
    // perl -e 'print crypt("p\xc3\xa4ssw\xc3\xb6rd", "ab")' and crypt("pC\$sswC6", "ab")
    assert.equal(desCrypt(utf8('pässwörd'), 'ab'), 'abzp3RXJm5gNA');
    assert.equal(desCrypt(utf8('pC$sswC6'), 'ab'), 'abzp3RXJm5gNA');
  });

  it('perturbs E with every salt character', () => {
    // perl -e 'print crypt("pw", $_), "\n" for qw(ab a. .a a/ /a .. zz)'
    const cases: [string, string][] = [
      ['ab', 'abzlUXK5ed5rs'],
      ['a.', 'a.hXJwB2XNXxE'],
      ['.a', '.adA2QJcJYUro'],
      ['a/', 'a/0Kp5mCyQcNo'],
      ['/a', '/aiOxiBZl.Ip.'],
      ['..', '..BM9atuun6Gs'],
      ['zz', 'zzUY6Qtlt705M'],
    ];
    for (const [salt, want] of cases) assert.equal(desCrypt(utf8('pw'), salt), want, salt);
    // only the first two characters of the setting count
    assert.equal(desCrypt(utf8('pw'), 'abcdefghijklmnopqrs'), 'abzlUXK5ed5rs');
  });

  it('rejects salts outside ./0-9A-Za-z and short settings', () => {
    for (const s of ['a#', '#a', 'a$', '', 'a']) assert.equal(desCrypt(utf8('pw'), s), undefined);
  });
});
