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
