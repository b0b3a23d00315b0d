// MD5-crypt ($1$ and APR's $apr1$) against vectors from htpasswd, openssl and perl's crypt.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encode24, md5Crypt } from './crypt-md5.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const run = (pw: string, setting: string, magic: '$1$' | '$apr1$'): string | undefined =>
  md5Crypt(utf8(pw), utf8(setting), magic)?.toString('latin1');

describe('md5Crypt', () => {
  it('matches htpasswd -m and openssl passwd -apr1', () => {
    // htpasswd -nbm u secret
    const h1 = '$apr1$JyLVTCoC$fyRaebLn9LyVSoEwRpcHX.';
    assert.equal(run('secret', h1, '$apr1$'), h1);
    // htpasswd -nbm u 'pässwörd'
    const h2 = '$apr1$KFIUdeBK$YfhcbFN7F6m/ZeWEYt61p0';
    assert.equal(run('pässwörd', h2, '$apr1$'), h2);
    // htpasswd -nbm u ''
    const h3 = '$apr1$bZ7hsS21$zj0y84VAEJdxa7DSxfe1W.';
    assert.equal(run('', h3, '$apr1$'), h3);
    // openssl passwd -apr1 -salt saltsalt secret
    assert.equal(
      run('secret', '$apr1$saltsalt', '$apr1$'),
      '$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0',
    );
    // openssl passwd -apr1 -salt 'ab!cd' secret (APR takes any salt bytes but '$')
    assert.equal(run('secret', '$apr1$ab!cd$', '$apr1$'), '$apr1$ab!cd$Bwr19jkJDz17csJ4wR.xL0');
  });

  it('matches openssl passwd -1 and perl crypt for $1$', () => {
    // openssl passwd -1 -salt saltsalt secret
    assert.equal(run('secret', '$1$saltsalt$', '$1$'), '$1$saltsalt$9xy1btjgzLYfb7hivXtC//');
    // openssl passwd -1 -salt '' secret
    assert.equal(run('secret', '$1$$', '$1$'), '$1$$ysVNzQc4CTMkp5daOdZ.3/');
    // perl -e 'print crypt("", q($1$saltsalt))'
    assert.equal(run('', '$1$saltsalt', '$1$'), '$1$saltsalt$5Jhcit4zN9UlGiA0txPkO0');
    // perl -e 'print crypt("pw", q($1$abcdefghijk$))': the salt stops at 8 characters
    assert.equal(run('pw', '$1$abcdefghijk$', '$1$'), '$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc.');
  });

  it('needs the magic at the start of the setting', () => {
    assert.equal(run('pw', '$1$abc', '$apr1$'), undefined);
    assert.equal(run('pw', '$apr1$abc', '$1$'), undefined);
  });
});

describe('encode24', () => {
  it('emits six bits at a time, least significant first', () => {
    assert.equal(encode24(0, 0, 0, 4), '....');
    assert.equal(encode24(0xff, 0xff, 0xff, 4), 'zzzz');
    assert.equal(encode24(0, 0, 1, 2), '/.');
  });
});
