// mod_expires (httpd modules/metadata/mod_expires.c), with mod_headers after it as httpd
// orders their filters. The answers were compared with apache2 2.4 on the same lines:
// ExpiresByType (exact, then type/*), ExpiresDefault by modification time, a WSGI
// response timed from its script's mtime, nothing on error pages or where Expires is set.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LoadModule mime_module modules/mod_mime.so
LoadModule expires_module modules/mod_expires.so
LoadModule headers_module modules/mod_headers.so
TypesConfig /etc/mime.types
DocumentRoot @DIR@/htdocs
<Directory @DIR@>
  Require all granted
</Directory>
ExpiresActive On
ExpiresByType text/plain "access plus 1 hour 30 minutes"
ExpiresByType image/* A600
ExpiresDefault "modification plus 2 days"
Header append Cache-Control public
WSGIDaemonProcess ex threads=2
WSGIScriptAlias /app @DIR@/app.wsgi process-group=ex
WSGIScriptAlias /own @DIR@/own.wsgi process-group=ex
<Directory @DIR@/htdocs/off>
  ExpiresActive Off
</Directory>
`;

const APP = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [b'{}']
`;
const OWN = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Expires', 'Thu, 01 Jan 1970 00:00:00 GMT')])
    return [b'own']
`;

const get = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

async function fields(
  port: number,
  path: string,
): Promise<{ status: number; cc: string | undefined; expires: string | undefined; t0: number }> {
  const t0 = Date.now();
  const res = await rawRequest(port, get(path));
  res.conn.close();
  return {
    status: res.status,
    cc: res.headers['cache-control'],
    expires: res.headers['expires'],
    t0,
  };
}

/** Expires is `base + secs` to the second. */
function assertExpires(expires: string | undefined, atMs: number): void {
  assert.ok(expires !== undefined);
  assert.equal(Date.parse(expires), Math.floor(atMs / 1000) * 1000);
}

describe('mod_expires', () => {
  let h: Harness;
  const MTIME = new Date('2026-01-01T00:00:00Z');
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/page.txt': 'page\n',
      'htdocs/img.gif': 'GIF89a',
      'htdocs/page.html': '<p>x</p>\n',
      'htdocs/off/page.txt': 'off\n',
      'app.wsgi': APP,
      'own.wsgi': OWN,
    });
    utimesSync(join(h.dir, 'htdocs', 'page.html'), MTIME, MTIME);
  });
  after(() => h.stop());

  it('times a type from the request (ExpiresByType), mod_headers appending after it', async () => {
    const f = await fields(h.port, '/page.txt');
    assert.equal(f.status, 200);
    assert.equal(f.cc, 'max-age=5400, public');
    const at = Date.parse(f.expires ?? '');
    assert.ok(at >= Math.floor(f.t0 / 1000) * 1000 + 5400_000 && at <= f.t0 + 5401_000, f.expires);
  });

  it('falls back to type/*, then to ExpiresDefault from the mtime (never before now)', async () => {
    const img = await fields(h.port, '/img.gif');
    assert.equal(img.cc, 'max-age=600, public');
    const html = await fields(h.port, '/page.html');
    // mtime + 2 days is long past: max-age 0, Expires = the request time.
    assert.equal(html.cc, 'max-age=0, public');
    assert.ok(Math.abs(Date.parse(html.expires ?? '') - html.t0) < 2000);
  });

  it('times a WSGI answer from its script file, and leaves an app Expires alone', async () => {
    const app = await fields(h.port, '/app');
    const mtime = statSync(join(h.dir, 'app.wsgi')).mtimeMs;
    assertExpires(app.expires, mtime + 2 * 86400_000);
    assert.match(app.cc ?? '', /^max-age=\d+, public$/);
    const own = await fields(h.port, '/own');
    assert.equal(own.expires, 'Thu, 01 Jan 1970 00:00:00 GMT');
    assert.equal(own.cc, 'public');
  });

  it('adds nothing to an error page or where ExpiresActive is Off', async () => {
    const missing = await fields(h.port, '/missing.txt');
    assert.equal(missing.status, 404);
    assert.equal(missing.expires, undefined);
    assert.equal(missing.cc, undefined);
    const off = await fields(h.port, '/off/page.txt');
    assert.equal(off.status, 200);
    assert.equal(off.expires, undefined);
    assert.equal(off.cc, 'public');
  });
});
