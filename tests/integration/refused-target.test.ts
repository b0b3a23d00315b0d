// Request-targets node's parser refuses before a request exists (`ftp:x`, `foo:bar`,
// `1ftp://h/x`, `x`), asserted against Apache 2.4.71 (Debian apache2 on this machine, same
// config, captured on a loopback port). httpd: server/protocol.c read_request_line — the
// target is not origin-form, so 400, "AH03450: HTTP Request Line; Unable to parse URI" at
// debug, and the request is still logged by mod_log_config:
//   127.0.0.1 - - [21/Nov/2026:23:39:27 +0000] "GET ftp:x HTTP/1.1" 400 341

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
ServerSignature On
LogLevel debug
DocumentRoot @DIR@/htdocs
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog @DIR@/access.log common
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
`;

/** target → the URI httpd names in AH03450 (r->uri after apr_uri_parse). */
const CASES: readonly (readonly [string, string])[] = [
  ['ftp:x', 'x'],
  ['foo:bar', 'bar'],
  ['1ftp://h/x', '1ftp'],
  ['x', 'x'],
];

describe('request-targets refused at the request line', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'htdocs/a.txt': 'a\n' });
  });
  after(() => h.stop());

  it('answers 400 with the canned page and logs each request like Apache', async () => {
    for (const [i, [target, uri]] of CASES.entries()) {
      const res = await rawRequest(
        h.port,
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.statusLine, 'HTTP/1.1 400 Bad Request', target);
      assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
      const body =
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n' +
        '<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n' +
        '<p>Your browser sent a request that this server could not understand.<br />\n</p>\n' +
        `<hr>\n<address>${res.headers['server'] ?? ''} Server at localhost Port 80</address>\n</body></html>\n`;
      assert.equal(res.body.toString('latin1'), body);
      assert.equal(res.headers['content-length'], '341');
      await res.conn.closed;
      const log = await h.accessLog(i + 1);
      assert.equal(log.length, i + 1, log.join('\n'));
      assert.match(
        log.at(-1) ?? '',
        /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET (\S+) HTTP\/1\.1" 400 341$/,
      );
      assert.ok(log.at(-1)?.endsWith(`] "GET ${target} HTTP/1.1" 400 341`), log.at(-1));
      const errors = h.errorLog().filter((l) => l.includes('AH03450'));
      assert.equal(errors.length, i + 1, errors.join('\n'));
      assert.match(
        errors.at(-1) ?? '',
        /^\[[^\]]+\] \[core:debug\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH03450: HTTP Request Line; Unable to parse URI: '(.*)'$/,
      );
      assert.ok(
        errors.at(-1)?.endsWith(`AH03450: HTTP Request Line; Unable to parse URI: '${uri}'`),
        errors.at(-1),
      );
    }
  });

  it('still serves a normal request on the same server afterwards', async () => {
    const res = await rawRequest(
      h.port,
      'GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'a\n');
    await res.conn.closed;
    const log = await h.accessLog(CASES.length + 1);
    assert.match(log.at(-1) ?? '', /"GET \/a\.txt HTTP\/1\.1" 200 2$/);
  });
});

// Requests node's parser refuses after the request line (a bad header line, a bad or
// doubled Content-Length, a control byte in a value, an obs-fold, a bare LF, a line that is
// not a request line) or dispatches and then refuses (a Transfer-Encoding whose final coding
// is not chunked). Apache 2.4.71 answered each with its canned 400 (266-byte body here,
// without ServerSignature) and logged it with the request line it read; these lines are
// what its access log showed for the same bytes (captured on a loopback port):
const PARSE_CASES: readonly (readonly [string, string, string])[] = [
  [
    'bad header line',
    'GET /h1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    '"GET /h1 HTTP/1.1" 400 266',
  ],
  ['not a request line', 'GARBAGE\r\n\r\n', '"GARBAGE" 400 266'],
  [
    'control byte in a value',
    'GET /h3 HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n',
    '"GET /h3 HTTP/1.1" 400 266',
  ],
  [
    'two Content-Lengths',
    'GET /h4 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
    '"GET /h4 HTTP/1.1" 400 266',
  ],
  [
    'bad Content-Length',
    'GET /h5 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    '"GET /h5 HTTP/1.1" 400 266',
  ],
  [
    'Transfer-Encoding gzip',
    'GET /h6 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n',
    '"GET /h6 HTTP/1.1" 400 266',
  ],
  [
    'Transfer-Encoding chunked, gzip',
    'GET /h6b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
    '"GET /h6b HTTP/1.1" 400 266',
  ],
  [
    'folded first header',
    'GET /h7 HTTP/1.1\r\nHost: x\r\n X: folded\r\n\r\n',
    '"GET /h7 HTTP/1.1" 400 266',
  ],
  ['unknown protocol', 'GET /h12 FOO\r\nHost: x\r\n\r\n', '"GET /h12 FOO" 400 266'],
  [
    'space before the colon',
    'GET /h14 HTTP/1.1\r\nHost: x\r\nX : y\r\n\r\n',
    '"GET /h14 HTTP/1.1" 400 266',
  ],
  ['bare LF line ends', 'GET /h16 HTTP/1.1\nHost: x\n\n', '"GET /h16 HTTP/1.1\\n" 400 266'],
  ['lower-case protocol', 'GET /h18 http/1.1\r\nHost: x\r\n\r\n', '"GET /h18 http/1.1" 400 266'],
];

describe('requests refused by the HTTP parser', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF.replace('ServerSignature On', 'ServerSignature Off'), {
      'htdocs/a.txt': 'a\n',
    });
  });
  after(() => h.stop());

  it('answers 400, closes the connection and logs the request line as read', async () => {
    for (const [i, [name, bytes, logged]] of PARSE_CASES.entries()) {
      const res = await rawRequest(h.port, bytes);
      assert.equal(res.statusLine, 'HTTP/1.1 400 Bad Request', name);
      assert.equal(res.headers['connection'], 'close', name);
      assert.equal(res.headers['content-length'], '266', name);
      assert.match(res.body.toString('latin1'), /<title>400 Bad Request<\/title>/, name);
      await res.conn.closed;
      const log = await h.accessLog(i + 1);
      assert.equal(log.length, i + 1, `${name}\n${log.join('\n')}`);
      assert.ok(log.at(-1)?.endsWith(`] ${logged}`), `${name}: ${log.at(-1) ?? ''}`);
    }
    // The dispatched one never reached a handler (no AH00128 for /h6); its reason is at debug.
    assert.equal(
      h.errorLog().filter((l) => l.includes('AH00128')).length,
      0,
      h.errorLog().join('\n'),
    );
    const te = h.errorLog().filter((l) => l.includes('AH02539'));
    assert.equal(te.length, 1, te.join('\n'));
    assert.match(
      te[0] ?? '',
      /\[core:debug\] .*AH02539: client sent unknown Transfer-Encoding \(gzip\): \/h6$/,
    );
  });

  it('answers 501 to an unknown method and logs it', async () => {
    const res = await rawRequest(h.port, 'get /h17 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.statusLine, 'HTTP/1.1 501 Not Implemented');
    assert.equal(res.headers['content-length'], '242');
    await res.conn.closed;
    const log = await h.accessLog(PARSE_CASES.length + 1);
    assert.ok(log.at(-1)?.endsWith('] "get /h17 HTTP/1.1" 501 242'), log.at(-1));
  });
});
