// mod_ssl (httpd modules/ssl): TLS listeners with per-vhost certificates chosen by SNI,
// 421 for a Host that names a server with another SSL setup (AH02032), httpd's 400 page
// for plain HTTP on a TLS port (AH01996), client certificates (SSLVerifyClient), the
// environ a WSGI app sees (HTTPS, wsgi.url_scheme, SSL_* with SSLOptions +StdEnvVars),
// SSLRequireSSL, and a reload picking up a new certificate.
//
// The expected statuses, pages, log ids and variable values were recorded by hand from
// Apache 2.4 + mod_ssl (Debian) on the same configuration shape (tests/differential does
// not speak TLS).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';
import type { RawResponse } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, dumpOf, until } from '../support/wsgi.js';
import { makeCerts } from '../support/certs.js';
import type { TestCerts } from '../support/certs.js';
import { loadConfig } from '../../src/config/load.js';
import { toEphemeralPorts } from '../support/harness.js';
import { verifyChain } from '../../src/modules/ssl/index.js';

const get = (path: string, host: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

async function tlsGet(
  port: number,
  path: string,
  host: string,
  opts: { servername?: string; cert?: Buffer; key?: Buffer } = {},
): Promise<RawResponse & { peer: X509Certificate | undefined }> {
  const conn = await RawConnection.openTls(port, {
    servername: opts.servername ?? host,
    ...(opts.cert === undefined ? {} : { cert: opts.cert, key: opts.key }),
  });
  const tls = conn.socket as TLSSocket;
  const peer = tls.getPeerX509Certificate();
  conn.send(get(path, host));
  const res = await conn.read();
  conn.close();
  return { ...res, peer };
}

const PAGE_421 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>421 Misdirected Request</title>\n</head><body>\n<h1>Misdirected Request</h1>\n<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n</body></html>\n';

const PAGE_400_PLAIN =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\nReason: You\'re speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n</p>\n</body></html>\n';

describe('mod_ssl: TLS virtual hosts', () => {
  let h: Harness;
  let certs: TestCerts;
  before(async () => {
    certs = makeCerts(['a.test', 'b.test']);
    const conf = `${WSGI_PREAMBLE}
LoadModule ssl_module modules/mod_ssl.so
LoadModule rewrite_module modules/mod_rewrite.so
LogLevel info
LogFormat "%h \\"%r\\" %>s %b %{HTTPS}e %{SSL_PROTOCOL}x %{HTTPS}x" t
CustomLog @DIR@/access.log t
SSLRandomSeed startup builtin
SSLSessionCache shmcb:@DIR@/scache(512000)
SSLPassPhraseDialog builtin
WSGIDaemonProcess tls threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup tls
<VirtualHost *:@PORT@>
  ServerName a.test
  DocumentRoot @DIR@/a
  SSLEngine on
  SSLCertificateFile ${certs.crt('a.test')}
  SSLCertificateKeyFile ${certs.key('a.test')}
  SSLProtocol all -TLSv1 -TLSv1.1
  WSGIScriptAlias /dump @DIR@/dump.wsgi
  WSGIScriptAlias /std @DIR@/dump.wsgi
  <Location /std>
    SSLOptions +StdEnvVars
  </Location>
  <Location /secure>
    SSLRequireSSL
  </Location>
  <Location /expr-yes>
    Require expr "%{SSL_PROTOCOL} == 'TLSv1.3' && %{HTTPS} == 'on' && %{SSL_TLS_SNI} == 'a.test'"
  </Location>
  <Location /expr-no>
    Require expr "%{SSL_PROTOCOL} == 'TLSv1.2'"
  </Location>
  RewriteEngine on
  RewriteRule ^/proto$ /%{SSL:SSL_PROTOCOL}-%{HTTPS}-%{REQUEST_SCHEME}.txt [PT]
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName b.test
  DocumentRoot @DIR@/b
  SSLEngine on
  SSLCertificateFile ${certs.crt('b.test')}
  SSLCertificateKeyFile ${certs.key('b.test')}
  SSLVerifyClient optional
  SSLCACertificateFile ${certs.crt('ca')}
  WSGIScriptAlias /std @DIR@/dump.wsgi
  <Location /std>
    SSLOptions +StdEnvVars +ExportCertData
  </Location>
</VirtualHost>
<Directory @DIR@>
  Require all granted
</Directory>
`;
    h = await startServer(conf, {
      'dump.wsgi': app('dump.wsgi'),
      'a/page.txt': 'a page\n',
      'a/secure/s.txt': 'secret\n',
      'a/TLSv1.3-on-https.txt': 'rewritten\n',
      'a/expr-yes/e.txt': 'expr\n',
      'a/expr-no/e.txt': 'expr\n',
      'b/page.txt': 'b page\n',
    });
  });
  after(async () => {
    await h.stop();
    certs.remove();
  });

  it('serves each name-based vhost with its own certificate (SNI)', async () => {
    const a = await tlsGet(h.port, '/page.txt', 'a.test');
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), 'a page\n');
    assert.equal(a.peer?.subject, 'CN=a.test');
    const b = await tlsGet(h.port, '/page.txt', 'b.test');
    assert.equal(b.status, 200);
    assert.equal(b.body.toString(), 'b page\n');
    assert.equal(b.peer?.subject, 'CN=b.test');
    const log = await h.accessLog(2);
    assert.ok(
      log.some((l) => l.endsWith('"GET /page.txt HTTP/1.1" 200 7 on TLSv1.3 on')),
      log.join('\n'),
    );
  });

  it('uses the first vhost (and its certificate) without SNI or for an unknown name', async () => {
    const none = await tlsGet(h.port, '/page.txt', 'a.test', { servername: '' });
    assert.equal(none.status, 200);
    assert.equal(none.peer?.subject, 'CN=a.test');
    const other = await tlsGet(h.port, '/page.txt', 'zzz.test');
    assert.equal(other.status, 200);
    assert.equal(other.body.toString(), 'a page\n');
    assert.equal(other.peer?.subject, 'CN=a.test');
  });

  it('answers 421 when Host names a vhost with another SSL setup than SNI (AH02032)', async () => {
    const res = await tlsGet(h.port, '/page.txt', 'b.test', { servername: 'a.test' });
    assert.equal(res.status, 421);
    assert.equal(res.reason, 'Misdirected Request');
    assert.equal(res.body.toString(), PAGE_421);
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    await until(() => h.errorLog().find((l) => l.includes('AH02032')));
    const line = h.errorLog().find((l) => l.includes('AH02032')) ?? '';
    assert.match(
      line,
      /\[ssl:error\] .*AH02032: Hostname a\.test provided via SNI and hostname b\.test provided via HTTP have no compatible SSL setup/,
    );
    // Without SNI the handshake server is the first vhost: the same refusal.
    const noSni = await tlsGet(h.port, '/page.txt', 'b.test', { servername: '' });
    assert.equal(noSni.status, 421);
    await until(() =>
      h.errorLog().find((l) => l.includes('(default host as no SNI was provided)')),
    );
    const log = await h.accessLog(1);
    assert.ok(
      log.some((l) => l.endsWith('"GET /page.txt HTTP/1.1" 421 362 - TLSv1.3 on')),
      log.join('\n'),
    );
  });

  it("answers plain HTTP on the TLS port with httpd's 400 page (AH01996)", async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(get('/page.txt', 'a.test'));
    const res = await conn.read();
    assert.equal(res.status, 400);
    assert.equal(res.body.toString(), PAGE_400_PLAIN);
    assert.equal(res.headers['connection'], 'close');
    await conn.closed;
    await until(() => h.errorLog().find((l) => l.includes('AH01996')));
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[ssl:info\] .*AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page/.test(
            l,
          ),
        ),
    );
    const log = await h.accessLog(1);
    assert.ok(
      log.some((l) => l.endsWith('"GET / HTTP/1.0" 400 402 - - off')),
      log.join('\n'),
    );
  });

  it('gives the WSGI app wsgi.url_scheme https and port 443, no SSL_* by default', async () => {
    const res = await tlsGet(h.port, '/dump', 'a.test');
    const env = dumpOf(res).environ;
    // mod_wsgi turns HTTPS=on into wsgi.url_scheme and drops it from the environ.
    assert.equal(env['HTTPS'], undefined);
    assert.equal(env['wsgi.url_scheme'], 'https');
    assert.equal(env['REQUEST_SCHEME'], 'https');
    assert.equal(env['SERVER_PORT'], '443');
    assert.equal(env['SSL_PROTOCOL'], undefined);
    assert.equal(env['SSL_CIPHER'], undefined);
  });

  it('adds the SSL_* variables with SSLOptions +StdEnvVars', async () => {
    const res = await tlsGet(h.port, '/std', 'a.test');
    const env = dumpOf(res).environ;
    assert.equal(env['SSL_PROTOCOL'], 'TLSv1.3');
    assert.equal(env['SSL_CIPHER'], 'TLS_AES_256_GCM_SHA384');
    assert.equal(env['SSL_CIPHER_USEKEYSIZE'], '256');
    assert.equal(env['SSL_CIPHER_ALGKEYSIZE'], '256');
    assert.equal(env['SSL_CIPHER_EXPORT'], 'false');
    assert.equal(env['SSL_CLIENT_VERIFY'], 'NONE');
    assert.equal(env['SSL_SERVER_S_DN'], 'CN=a.test');
    assert.equal(env['SSL_SERVER_S_DN_CN'], 'a.test');
    assert.equal(env['SSL_SERVER_I_DN'], 'CN=a.test');
    assert.equal(env['SSL_SERVER_A_KEY'], 'rsaEncryption');
    assert.equal(env['SSL_SERVER_A_SIG'], 'sha256WithRSAEncryption');
    assert.equal(env['SSL_SERVER_M_VERSION'], '3');
    const own = new X509Certificate(readFileSync(certs.crt('a.test')));
    assert.equal(env['SSL_SERVER_M_SERIAL'], own.serialNumber.toUpperCase());
    assert.match(
      String(env['SSL_SERVER_V_END']),
      /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/,
    );
    assert.match(String(env['SSL_SESSION_ID']), /^[0-9a-f]{64}$/);
    assert.equal(env['SSL_SESSION_RESUMED'], 'Initial');
    assert.equal(env['SSL_TLS_SNI'], 'a.test');
    assert.equal(env['SSL_COMPRESS_METHOD'], 'NULL');
    assert.equal(env['SSL_SECURE_RENEG'], 'true');
    assert.match(String(env['SSL_VERSION_LIBRARY']), /^OpenSSL\/3\./);
    assert.equal(env['SSL_SERVER_CERT'], undefined);
  });

  it('verifies an optional client certificate against SSLCACertificateFile', async () => {
    const cert = readFileSync(certs.crt('client'));
    const key = readFileSync(certs.key('client'));
    const res = await tlsGet(h.port, '/std', 'b.test', { cert, key });
    const env = dumpOf(res).environ;
    assert.equal(env['SSL_CLIENT_VERIFY'], 'SUCCESS');
    assert.equal(env['SSL_CLIENT_S_DN'], 'CN=client one,O=Tst,C=DE');
    assert.equal(env['SSL_CLIENT_S_DN_CN'], 'client one');
    assert.equal(env['SSL_CLIENT_S_DN_O'], 'Tst');
    assert.equal(env['SSL_CLIENT_S_DN_C'], 'DE');
    assert.equal(env['SSL_CLIENT_I_DN'], 'CN=Test CA');
    assert.equal(env['SSL_CLIENT_M_VERSION'], '3');
    assert.equal(env['SSL_CLIENT_V_REMAIN'], '1');
    assert.equal(
      String(env['SSL_CLIENT_CERT']).trim(),
      readFileSync(certs.crt('client'), 'utf8').trim(),
    );
    assert.equal(
      String(env['SSL_SERVER_CERT']).trim(),
      readFileSync(certs.crt('b.test'), 'utf8').trim(),
    );
    // Without a certificate, optional lets the client in.
    const anon = dumpOf(await tlsGet(h.port, '/std', 'b.test')).environ;
    assert.equal(anon['SSL_CLIENT_VERIFY'], 'NONE');
  });

  it('refuses a client certificate that does not verify under SSLVerifyClient optional', async () => {
    const conn = await RawConnection.openTls(h.port, {
      servername: 'b.test',
      cert: readFileSync(certs.crt('stranger')),
      key: readFileSync(certs.key('stranger')),
    });
    conn.send(get('/page.txt', 'b.test'));
    await conn.closed;
    await assert.rejects(conn.read());
    const line = await until(() => h.errorLog().find((l) => l.includes('AH02039')));
    assert.match(
      line,
      /\[ssl:info\] .*AH02039: Certificate Verification: Error \(18\): self-signed certificate$/,
    );
  });

  it('gives mod_rewrite %{SSL:…}, %{HTTPS} and REQUEST_SCHEME of the TLS connection', async () => {
    const res = await tlsGet(h.port, '/proto', 'a.test');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'rewritten\n');
  });

  it('gives ap_expr the SSL_* variables and HTTPS', async () => {
    const yes = await tlsGet(h.port, '/expr-yes/e.txt', 'a.test');
    assert.equal(yes.status, 200);
    assert.equal(yes.body.toString(), 'expr\n');
    const no = await tlsGet(h.port, '/expr-no/e.txt', 'a.test');
    assert.equal(no.status, 403);
  });

  it('sends a session ticket by default', async () => {
    const conn = await RawConnection.openTls(h.port, {
      servername: 'a.test',
      maxVersion: 'TLSv1.2',
    });
    conn.send(get('/page.txt', 'a.test'));
    assert.equal((await conn.read()).status, 200);
    const ticket = (conn.socket as TLSSocket).getTLSTicket();
    conn.close();
    assert.ok(ticket !== undefined && ticket.length > 0);
  });

  it('lets SSLRequireSSL pass on a TLS connection', async () => {
    const res = await tlsGet(h.port, '/secure/s.txt', 'a.test');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'secret\n');
  });
});

describe('mod_ssl: SSLRequireSSL and variables on a plain connection', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so
LoadModule ssl_module modules/mod_ssl.so
LoadModule rewrite_module modules/mod_rewrite.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Location /secure>
  SSLRequireSSL
</Location>
RewriteEngine on
RewriteCond %{HTTPS} =off
RewriteRule ^/plain$ /scheme-%{REQUEST_SCHEME}.txt [PT]
RewriteRule ^/sslproto$ /proto-%{SSL:SSL_PROTOCOL}.txt [PT]
<Location /expr>
  Require expr "%{SSL_PROTOCOL} == '' && %{HTTPS} == 'off'"
</Location>
`,
      {
        'htdocs/secure/s.txt': 'secret\n',
        'htdocs/scheme-http.txt': 'http\n',
        'htdocs/proto-.txt': 'no tls\n',
        'htdocs/expr/e.txt': 'plain\n',
      },
    );
  });
  after(() => h.stop());

  it('answers 403 and logs AH02219 without TLS', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(get('/secure/s.txt', 'localhost'));
    const res = await conn.read();
    conn.close();
    assert.equal(res.status, 403);
    assert.match(res.body.toString(), /You don't have permission to access this resource/);
    await until(() => h.errorLog().find((l) => l.includes('AH02219')));
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[ssl:error\] .*AH02219: access to .*secure\/s\.txt failed, reason: SSL connection required/.test(
            l,
          ),
        ),
    );
  });

  it('keeps %{HTTPS} off and REQUEST_SCHEME http for mod_rewrite', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(get('/plain', 'localhost'));
    const res = await conn.read();
    conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'http\n');
  });

  it('has empty SSL_* variables for mod_rewrite and ap_expr', async () => {
    for (const [path, body] of [
      ['/sslproto', 'no tls\n'],
      ['/expr/e.txt', 'plain\n'],
    ] as const) {
      const conn = await RawConnection.open(h.port);
      conn.send(get(path, 'localhost'));
      const res = await conn.read();
      conn.close();
      assert.equal(res.status, 200, path);
      assert.equal(res.body.toString(), body);
    }
  });
});

describe('mod_ssl: certificate problems are startup errors', () => {
  let certs: TestCerts;
  before(() => {
    certs = makeCerts(['a.test', 'b.test']);
  });
  after(() => certs.remove());

  const vhost = (lines: string): string => `LoadModule ssl_module modules/mod_ssl.so
ServerName localhost
<VirtualHost *:@PORT@>
  ServerName a.test
  SSLEngine on
${lines}
</VirtualHost>
`;

  it('refuses SSLEngine on without a certificate (AH02572)', async () => {
    await assert.rejects(
      startServer(vhost('')),
      /AH02572: Failed to configure at least one certificate and key for a\.test:/,
    );
  });

  it('refuses a key that does not match the certificate (AH02565)', async () => {
    await assert.rejects(
      startServer(
        vhost(
          `SSLCertificateFile ${certs.crt('a.test')}\nSSLCertificateKeyFile ${certs.key('b.test')}`,
        ),
      ),
      new RegExp(
        `AH02565: Certificate and private key a\\.test:\\d+:0 from ${certs.crt('a.test')} and ${certs.key('b.test')} do not match`,
      ),
    );
  });

  it('refuses a certificate file that is not a certificate (AH02562)', async () => {
    await assert.rejects(
      startServer(
        vhost(
          `SSLCertificateFile ${certs.key('a.test')}\nSSLCertificateKeyFile ${certs.key('a.test')}`,
        ),
      ),
      /AH02562: Failed to configure certificate a\.test:\d+:0 \(with chain\), check /,
    );
  });

  it('refuses a certificate without a key when its file holds none (AH02579)', async () => {
    await assert.rejects(
      startServer(vhost(`SSLCertificateFile ${certs.crt('a.test')}`)),
      /AH02579: Init: Private key not found/,
    );
  });

  it('accepts the key in the certificate file (no SSLCertificateKeyFile)', async () => {
    const both = `${certs.dir}/both.pem`;
    copyFileSync(certs.crt('a.test'), both);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(both, readFileSync(certs.key('a.test')));
    const h = await startServer(vhost(`SSLCertificateFile ${both}`));
    try {
      const res = await tlsGet(h.port, '/', 'a.test');
      assert.equal(res.peer?.subject, 'CN=a.test');
    } finally {
      await h.stop();
    }
  });
});

describe('mod_ssl: a reload serves the new certificate', () => {
  it('picks up a replaced certificate file on graceful reload', async () => {
    const certs = makeCerts(['a.test', 'b.test']);
    const live = `${certs.dir}/live`;
    copyFileSync(certs.crt('a.test'), `${live}.crt`);
    copyFileSync(certs.key('a.test'), `${live}.key`);
    const h = await startServer(`LoadModule ssl_module modules/mod_ssl.so
ServerName localhost
<VirtualHost *:@PORT@>
  ServerName a.test
  SSLEngine on
  SSLCertificateFile ${live}.crt
  SSLCertificateKeyFile ${live}.key
</VirtualHost>
`);
    try {
      const before = await tlsGet(h.port, '/', 'a.test');
      assert.equal(before.peer?.subject, 'CN=a.test');
      copyFileSync(certs.crt('b.test'), `${live}.crt`);
      copyFileSync(certs.key('b.test'), `${live}.key`);
      const ir = toEphemeralPorts(loadConfig({ file: `${h.dir}/httpd.conf`, serverRoot: h.dir }));
      await h.server.reload(ir, { graceful: true });
      const after = await tlsGet(h.port, '/', 'a.test');
      assert.equal(after.peer?.subject, 'CN=b.test');
    } finally {
      await h.stop();
      certs.remove();
    }
  });
});

describe('mod_ssl: SSLStrictSNIVHostCheck and SSLVerifyClient require', () => {
  let h: Harness;
  let certs: TestCerts;
  before(async () => {
    certs = makeCerts(['a.test', 'b.test']);
    h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so
LoadModule ssl_module modules/mod_ssl.so
LogLevel info
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<VirtualHost *:@PORT@>
  ServerName a.test
  SSLEngine on
  SSLStrictSNIVHostCheck on
  SSLSessionTickets off
  SSLCertificateFile ${certs.crt('a.test')}
  SSLCertificateKeyFile ${certs.key('a.test')}
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName b.test
  SSLEngine on
  SSLStrictSNIVHostCheck on
  SSLCertificateFile ${certs.crt('b.test')}
  SSLCertificateKeyFile ${certs.key('b.test')}
  SSLVerifyClient require
  SSLVerifyDepth 1
  SSLCACertificateFile ${certs.crt('ca')}
</VirtualHost>
`,
      { 'htdocs/page.txt': 'page\n' },
    );
  });
  after(async () => {
    await h.stop();
    certs.remove();
  });

  it('refuses a client without SNI with 403 and the reason (AH02033)', async () => {
    const res = await tlsGet(h.port, '/page.txt', 'a.test', { servername: '' });
    assert.equal(res.status, 403);
    assert.match(
      res.body.toString(),
      /<p>You don't have permission to access this resource\.Reason: The client software did not provide a hostname using Server Name Indication \(SNI\), which is required to access this server\.<br \/>\n<\/p>/,
    );
    const line = await until(() => h.errorLog().find((l) => l.includes('AH02033')));
    assert.match(
      line,
      /\[ssl:info\] .*AH02033: No hostname was provided via SNI for a name based virtual host$/,
    );
    const ok = await tlsGet(h.port, '/page.txt', 'a.test');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), 'page\n');
  });

  // SSL_OP_NO_TICKET: no stateless (RFC 5077) ticket. TLSv1.3 then issues stateful tickets
  // (a session id), in httpd as here, so TLSv1.2 shows the difference.
  const ticketOf = async (servername: string): Promise<Buffer | undefined> => {
    const conn = await RawConnection.openTls(h.port, { servername, maxVersion: 'TLSv1.2' });
    conn.send(get('/page.txt', servername));
    const res = await conn.read();
    assert.equal(res.status, 200);
    const ticket = (conn.socket as TLSSocket).getTLSTicket();
    conn.close();
    return ticket;
  };

  it('sends no session ticket with SSLSessionTickets off', async () => {
    assert.equal(await ticketOf('a.test'), undefined);
  });

  it('refuses a handshake without a client certificate under require (AH02261)', async () => {
    const conn = await RawConnection.openTls(h.port, { servername: 'b.test' });
    conn.send(get('/page.txt', 'b.test'));
    await conn.closed;
    await assert.rejects(conn.read());
    await until(() =>
      h
        .errorLog()
        .find((l) =>
          l.includes(
            'AH02261: Re-negotiation handshake failed: No required SSL certificate was sent',
          ),
        ),
    );
  });

  it('serves a client whose certificate the CA signed', async () => {
    const res = await tlsGet(h.port, '/page.txt', 'b.test', {
      cert: readFileSync(certs.crt('client')),
      key: readFileSync(certs.key('client')),
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'page\n');
  });
});

describe('mod_ssl: client chain verification (SSLVerifyDepth, SSLCACertificateFile)', () => {
  let certs: TestCerts;
  before(() => {
    certs = makeCerts([]);
  });
  after(() => certs.remove());

  /** A TLSSocket whose peer sent `name`'s certificate (undefined: none). */
  const peerSocket = (name: string | undefined): TLSSocket =>
    ({
      getPeerCertificate: () => {
        if (name === undefined) return {};
        const raw = new X509Certificate(readFileSync(certs.crt(name))).raw;
        const leaf: Record<string, unknown> = { raw };
        leaf['issuerCertificate'] = leaf;
        return leaf;
      },
    }) as unknown as TLSSocket;
  const ca = (): X509Certificate[] => [new X509Certificate(readFileSync(certs.crt('ca')))];

  it('accepts a certificate the CA signed within the depth, not beyond it', () => {
    assert.equal(verifyChain(peerSocket('client'), ca(), 1), 'SUCCESS');
    assert.equal(verifyChain(peerSocket('client'), ca(), 0), 'FAILED:certificate chain too long');
  });

  it("gives OpenSSL's reasons for unknown issuers and self-signed certificates", () => {
    assert.equal(
      verifyChain(peerSocket('client'), [], 1),
      'FAILED:unable to get local issuer certificate',
    );
    assert.equal(verifyChain(peerSocket('stranger'), ca(), 1), 'FAILED:self-signed certificate');
    assert.equal(verifyChain(peerSocket(undefined), ca(), 1), 'NONE');
  });
});
