import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveOptions, mergeSslOptions, parseProtocols } from './config.js';
import type { SslOptionsConf } from './config.js';
import { cipherBits, dnString, sessionIdOf, signatureAlgorithm } from './vars.js';

describe('SSLProtocol (ssl_cmd_protocol_parse)', () => {
  const parse = (s: string): { r: ReturnType<typeof parseProtocols>; warnings: string[] } => {
    const warnings: string[] = [];
    const r = parseProtocols(s.split(' '), (m) => warnings.push(m));
    return { r, warnings };
  };

  it('starts from all and removes with -', () => {
    assert.deepEqual(parse('all -SSLv3').r, ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    assert.deepEqual(parse('all -TLSv1 -TLSv1.1').r, ['TLSv1.2', 'TLSv1.3']);
    assert.deepEqual(parse('-all +TLSv1.3').r, ['TLSv1.3']);
  });

  it('is case-insensitive and warns when a bare name overrides earlier ones (AH02532)', () => {
    const { r, warnings } = parse('tlsv1.2 TLSv1.3');
    assert.deepEqual(r, ['TLSv1.3']);
    assert.deepEqual(warnings, [
      "AH02532: SSLProtocol: Protocol 'TLSv1.3' overrides already set parameter(s). Check if a +/- prefix is missing.",
    ]);
  });

  it('refuses unknown protocols, SSLv2 and SSLv3 unless removed', () => {
    assert.equal(parse('TLSv9').r, "SSLProtocol: Illegal protocol 'TLSv9'");
    assert.equal(parse('+SSLv3').r, 'SSLv3 not supported by this version of OpenSSL');
    assert.equal(parse('SSLv2').r, 'SSLProtocol: SSLv2 is no longer supported');
    assert.deepEqual(parse('all -SSLv2 -SSLv3').r, ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
  });
});

describe('SSLOptions merging (ssl_config_perdir_merge)', () => {
  const opts = (
    base: SslOptionsConf['base'],
    add: SslOptionsConf['add'] = [],
    del: SslOptionsConf['del'] = [],
  ): SslOptionsConf => ({ base, add, del });
  const eff = (o: SslOptionsConf): string[] =>
    [...effectiveOptions({ options: o, requireSsl: undefined })].sort();

  it('adds and removes relative to the outer section', () => {
    const outer = opts(undefined, ['StdEnvVars', 'ExportCertData']);
    assert.deepEqual(eff(mergeSslOptions(outer, opts(undefined, [], ['ExportCertData']))), [
      'StdEnvVars',
    ]);
    assert.deepEqual(eff(mergeSslOptions(outer, opts(undefined, ['StrictRequire']))), [
      'ExportCertData',
      'StdEnvVars',
      'StrictRequire',
    ]);
  });

  it('lets an absolute list replace what it merges over', () => {
    const outer = opts(undefined, ['StdEnvVars']);
    assert.deepEqual(eff(mergeSslOptions(outer, opts(['ExportCertData']))), ['ExportCertData']);
  });

  it('lets an inner + undo an outer -', () => {
    const outer = opts(['StdEnvVars'], [], ['StdEnvVars']);
    assert.deepEqual(eff(outer), []);
    assert.deepEqual(eff(mergeSslOptions(outer, opts(undefined, ['StdEnvVars']))), ['StdEnvVars']);
  });
});

describe('SSL_* variable helpers', () => {
  it('writes DNs in RFC 2253 order, or the legacy slash form', () => {
    assert.equal(dnString('C=DE\nO=Tst\nCN=client one', false), 'CN=client one,O=Tst,C=DE');
    assert.equal(dnString('C=DE\nO=Tst\nCN=client one', true), '/C=DE/O=Tst/CN=client one');
  });

  it('derives key sizes from cipher names', () => {
    assert.equal(cipherBits('TLS_AES_256_GCM_SHA384'), 256);
    assert.equal(cipherBits('TLS_AES_128_GCM_SHA256'), 128);
    assert.equal(cipherBits('TLS_CHACHA20_POLY1305_SHA256'), 256);
    assert.equal(cipherBits('ECDHE-RSA-AES128-GCM-SHA256'), 128);
    assert.equal(cipherBits('NULL-SHA'), 0);
  });

  it('reads the session id from an encoded SSL_SESSION, and tolerates garbage', () => {
    // SEQUENCE { INTEGER 1, INTEGER 0x0304, OCTET STRING 13 02, OCTET STRING ab cd ef }
    const der = Buffer.from('300e020101020203040402130204' + '03abcdef', 'hex');
    assert.equal(sessionIdOf(der), 'abcdef');
    assert.equal(sessionIdOf(undefined), '');
    assert.equal(sessionIdOf(Buffer.from('3005020101', 'hex')), '');
    assert.equal(sessionIdOf(Buffer.from('ff', 'hex')), '');
  });

  it('names the signature algorithm of a certificate, UNKNOWN for garbage', () => {
    // Certificate ::= SEQUENCE { tbs SEQUENCE {}, sigAlg SEQUENCE { OID sha256WithRSA }, … }
    const der = Buffer.from('3011' + '3000' + '300b0609' + '2a864886f70d01010b' + '0300', 'hex');
    assert.equal(signatureAlgorithm(der), 'sha256WithRSAEncryption');
    const unknown = Buffer.from('300c' + '3000' + '30060604' + '2a030405' + '0300', 'hex');
    assert.equal(signatureAlgorithm(unknown), '1.2.3.4.5');
    assert.equal(signatureAlgorithm(Buffer.from('00', 'hex')), 'UNKNOWN');
  });
});
