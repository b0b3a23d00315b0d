// Request-target corner cases through the whole pipeline, asserted against Apache 2.4.71
// (Debian apache2 on this machine, same files and config, captured on a loopback port):
// - httpd: server/request.c — a `%2F` 404 leaves r->uri decoded in place (`%U`);
// - httpd: server/protocol.c ap_post_read_request — a scheme other than http(s) → 400,
//   nothing in the error log;
// - httpd: server/request.c ap_directory_walk — r->filename is made canonical
//   (apr_filepath_merge) before the walk, so under MergeSlashes Off `%f`, AH01630 and
//   AH00128 show `/x/b.txt` for `/x//b.txt`;
// - httpd: server/core.c ap_get_server_port — UseCanonicalName On with no port in
//   ServerName gives 80, not the listener's port;
// - httpd: server/request.c ap_file_walk — <Files> nested in a <Directory> apply.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule authz_core_module modules/mod_authz_core.so
ServerName canon.test
UseCanonicalName On
MergeSlashes Off
LogLevel info
DocumentRoot @DIR@/htdocs
LogFormat "%h \\"%r\\" %>s %b U=%U f=%f" t
CustomLog @DIR@/access.log t
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/deny>
  Require all denied
</Directory>
<Directory @DIR@/htdocs/locked>
  Require all denied
  <Files open.txt>
    Require all granted
  </Files>
</Directory>
`;

const FILES = {
  'htdocs/x/b.txt': 'hello\n',
  'htdocs/d/i.txt': 'd\n',
  'htdocs/deny/f.txt': 'no\n',
  'htdocs/locked/open.txt': 'open\n',
  'htdocs/locked/shut.txt': 'shut\n',
};

const BODY_400 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n' +
  '<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n' +
  '<p>Your browser sent a request that this server could not understand.<br />\n</p>\n' +
  '</body></html>\n';
const BODY_404 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n' +
  '<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on this server.</p>\n</body></html>\n';

const get = (target: string, host = 'canon.test'): string =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('request targets (Apache 2.4.71 parity)', () => {
  let h: Harness;
  let seen = 0;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  /** The access-log line of the request just answered. */
  const lastAccess = async (): Promise<string | undefined> => (await h.accessLog(++seen)).at(-1);
  /** Error-log lines mentioning `id`, without the time/pid prefix. */
  const errors = (id: string): string[] =>
    h
      .errorLog()
      .filter((l) => l.includes(` ${id}: `))
      .map((l) => l.slice(l.indexOf(`${id}: `)));

  it('logs the decoded path as %U after a %2F 404 (AllowEncodedSlashes Off)', async () => {
    const res = await rawRequest(h.port, get('/x%2Fb.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.equal(res.headers['content-length'], '236');
    assert.equal(res.body.toString(), BODY_404);
    assert.equal(await lastAccess(), '127.0.0.1 "GET /x%2Fb.txt HTTP/1.1" 404 236 U=/x/b.txt f=-');
    assert.deepEqual(errors('AH00026'), [
      "AH00026: found %2f (encoded '/') in URI path (/x%2Fb.txt), returning 404",
    ]);
  });

  it('answers 400 to a target with a scheme other than http(s), logging no error', async () => {
    const before = h.errorLog().length;
    const res = await rawRequest(h.port, get('ftp://host/x'));
    assert.equal(res.statusLine, 'HTTP/1.1 400 Bad Request');
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.equal(res.headers['content-length'], '266');
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.body.toString(), BODY_400);
    assert.equal(await lastAccess(), '127.0.0.1 "GET ftp://host/x HTTP/1.1" 400 266 U=/x f=-');
    assert.deepEqual(h.errorLog().slice(before), []);
    // No path at all: r->uri is "/"; still 400.
    const bare = await rawRequest(h.port, get('FTP://host'));
    assert.equal(bare.statusLine, 'HTTP/1.1 400 Bad Request');
    assert.equal(await lastAccess(), '127.0.0.1 "GET FTP://host HTTP/1.1" 400 266 U=/ f=-');
  });

  it('answers 400 to `*` except for OPTIONS (AH03450 at debug level)', async () => {
    const before = h.errorLog().length;
    const res = await rawRequest(h.port, get('*'));
    assert.equal(res.statusLine, 'HTTP/1.1 400 Bad Request');
    assert.equal(res.headers['content-length'], '266');
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.body.toString(), BODY_400);
    assert.equal(await lastAccess(), '127.0.0.1 "GET * HTTP/1.1" 400 266 U=* f=-');
    const head = await rawRequest(h.port, get('*').replace(/^GET/, 'HEAD'), { head: true });
    assert.equal(head.statusLine, 'HTTP/1.1 400 Bad Request');
    assert.equal(head.body.length, 0);
    const options = await rawRequest(h.port, get('*').replace(/^GET/, 'OPTIONS'));
    assert.equal(options.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(options.headers['content-length'], '0');
    assert.deepEqual(h.errorLog().slice(before), [], 'AH03450 is a debug line; LogLevel info');
  });

  it('serves an absolute http(s) target in any case, as Apache does', async () => {
    const res = await rawRequest(h.port, get('HTTPS://elsewhere/x/b.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'hello\n');
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET HTTPS://elsewhere/x/b.txt HTTP/1.1" 200 6 U=/x/b.txt f=${h.dir}/htdocs/x/b.txt`,
    );
  });

  it('MergeSlashes Off keeps `//` in %U but the file name is canonical', async () => {
    const ok = await rawRequest(h.port, get('/x//b.txt'));
    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(ok.body.toString(), 'hello\n');
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET /x//b.txt HTTP/1.1" 200 6 U=/x//b.txt f=${h.dir}/htdocs/x/b.txt`,
    );

    const denied = await rawRequest(h.port, get('/deny//f.txt'));
    assert.equal(denied.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.equal(denied.headers['content-length'], '239');
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET /deny//f.txt HTTP/1.1" 403 239 U=/deny//f.txt f=${h.dir}/htdocs/deny/f.txt`,
    );
    assert.deepEqual(errors('AH01630'), [
      `AH01630: client denied by server configuration: ${h.dir}/htdocs/deny/f.txt`,
    ]);

    const missing = await rawRequest(h.port, get('/x//nope.txt'));
    assert.equal(missing.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(missing.body.toString(), BODY_404);
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET /x//nope.txt HTTP/1.1" 404 236 U=/x//nope.txt f=${h.dir}/htdocs/x/nope.txt`,
    );
    assert.deepEqual(errors('AH00128'), [
      `AH00128: File does not exist: ${h.dir}/htdocs/x/nope.txt`,
    ]);

    // path_info comes out canonical too: filename + path_info in AH00130.
    const info = await rawRequest(h.port, get('/d//i.txt/'));
    assert.equal(info.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET /d//i.txt/ HTTP/1.1" 404 236 U=/d//i.txt/ f=${h.dir}/htdocs/d/i.txt`,
    );
    assert.deepEqual(errors('AH00130'), [`AH00130: File does not exist: ${h.dir}/htdocs/d/i.txt/`]);
  });

  it('UseCanonicalName On without a ServerName port redirects to port 80', async () => {
    for (const host of ['canon.test', 'canon.test:9999']) {
      const res = await rawRequest(h.port, get('/d', host));
      assert.equal(res.statusLine, 'HTTP/1.1 301 Moved Permanently');
      assert.equal(res.headers['location'], 'http://canon.test/d/');
      assert.match(res.body.toString(), /<a href="http:\/\/canon\.test\/d\/">here<\/a>/);
      assert.equal(
        await lastAccess(),
        `127.0.0.1 "GET /d HTTP/1.1" 301 ${res.body.length} U=/d f=${h.dir}/htdocs/d`,
      );
    }
  });

  it('applies a <Files> nested in a <Directory>', async () => {
    const open = await rawRequest(h.port, get('/locked/open.txt'));
    assert.equal(open.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(open.body.toString(), 'open\n');
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET /locked/open.txt HTTP/1.1" 200 5 U=/locked/open.txt f=${h.dir}/htdocs/locked/open.txt`,
    );
    const shut = await rawRequest(h.port, get('/locked/shut.txt'));
    assert.equal(shut.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.equal(
      await lastAccess(),
      `127.0.0.1 "GET /locked/shut.txt HTTP/1.1" 403 239 U=/locked/shut.txt f=${h.dir}/htdocs/locked/shut.txt`,
    );
    assert.deepEqual(errors('AH01630').slice(-1), [
      `AH01630: client denied by server configuration: ${h.dir}/htdocs/locked/shut.txt`,
    ]);
  });
});
