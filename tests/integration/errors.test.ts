// Error paths: ErrorDocument (text, local URL), Require all denied, Alias containment
// against traversal tricks, and the request read limits (414 / 400 / 413).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule mime_module modules/mod_mime.so
LoadModule alias_module modules/mod_alias.so
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
DocumentRoot @DIR@/htdocs
LimitRequestLine 200
LimitRequestFieldSize 100
LimitRequestFields 5
Alias /static @DIR@/static
ErrorDocument 404 /errors/nf.html
ErrorDocument 410 "Gone for good
<Directory @DIR@/htdocs/private>
  Require all denied
</Directory>
<Location /gone>
  Require all denied
  ErrorDocument 403 "No entry
</Location>
<Location /small>
  LimitRequestBody 10
</Location>
`;

const FILES = {
  'htdocs/a.txt': 'root a\n',
  'htdocs/secret.txt': 'secret\n',
  'htdocs/private/p.txt': 'private\n',
  'htdocs/errors/nf.html': 'custom not found\n',
  'htdocs/small/s.txt': 'small\n',
  'static/s.txt': 'static s\n',
  staticfoo: 'must never be served\n',
};

const req = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
const CANNED_400 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\n';

describe('error handling', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  describe('ErrorDocument', () => {
    it('serves a local URL with the original status (internal redirect)', async () => {
      const res = await rawRequest(h.port, req('/missing'));
      assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
      assert.equal(res.headers['content-type'], 'text/html');
      assert.equal(res.body.toString(), 'custom not found\n');
      assert.deepEqual(res.headerNames, [
        'accept-ranges',
        'connection',
        'content-length',
        'content-type',
        'date',
        'etag',
        'last-modified',
        'server',
      ]);
    });

    it('sends a text ErrorDocument as the body', async () => {
      const res = await rawRequest(h.port, req('/gone'));
      assert.equal(res.status, 403);
      assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
      assert.equal(res.body.toString(), 'No entry');
    });
  });

  describe('Require all denied', () => {
    it('answers 403 and logs AH01630 with the file path', async () => {
      const res = await rawRequest(h.port, req('/private/p.txt'));
      assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
      assert.match(
        res.body.toString(),
        /<p>You don't have permission to access this resource\.<\/p>\n<\/body><\/html>\n$/,
      );
      const line = h.errorLog().find((l) => l.includes('AH01630') && l.includes('p.txt'));
      assert.match(
        line ?? '',
        /^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[authz_core:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH01630: client denied by server configuration: .*\/htdocs\/private\/p\.txt$/,
      );
    });
  });

  describe('Alias containment', () => {
    it('maps /static to the alias target', async () => {
      const res = await rawRequest(h.port, req('/static/s.txt'));
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'static s\n');
    });
    it('does not match /staticfoo (whole segments only)', async () => {
      const res = await rawRequest(h.port, req('/staticfoo'));
      assert.equal(res.status, 404);
      assert.equal(res.body.toString(), 'custom not found\n');
    });
    it('resolves /static/../a.txt inside the document root, never above the alias', async () => {
      const res = await rawRequest(h.port, req('/static/../a.txt'));
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'root a\n');
    });
    it('decodes %2e%2e before matching, with the same result as ..', async () => {
      const res = await rawRequest(h.port, req('/static/%2e%2e/a.txt'));
      assert.equal(res.body.toString(), 'root a\n');
    });
    it('answers 404 to an encoded slash (AllowEncodedSlashes Off)', async () => {
      const res = await rawRequest(h.port, req('/static%2f..%2fstaticfoo'));
      assert.equal(res.status, 404);
      assert.ok(h.errorLog().every((l) => !l.includes('must never')));
    });
    it('merges // so //static//s.txt still hits the alias', async () => {
      const res = await rawRequest(h.port, req('//static//s.txt'));
      assert.equal(res.body.toString(), 'static s\n');
    });
    it('answers 400 to a path that climbs above the root and logs AH10244', async () => {
      const res = await rawRequest(h.port, req('/../secret.txt'));
      assert.equal(res.statusLine, 'HTTP/1.1 400 Bad Request');
      assert.equal(res.headers['connection'], 'close');
      assert.ok(h.errorLog().some((l) => l.includes('AH10244: invalid URI path (/../secret.txt)')));
    });
  });

  describe('read limits', () => {
    it('answers 414 to a request line longer than LimitRequestLine', async () => {
      const res = await rawRequest(h.port, req('/' + 'a'.repeat(300)));
      assert.equal(res.statusLine, 'HTTP/1.1 414 Request-URI Too Long');
      assert.match(
        res.body.toString(),
        /<p>The requested URL's length exceeds the capacity\nlimit for this server\.<br \/>\n<\/p>\n/,
      );
      await res.conn.closed;
    });
    it('answers 400 with the note to a header field longer than LimitRequestFieldSize', async () => {
      const res = await rawRequest(h.port, req('/a.txt', `X-Big: ${'y'.repeat(200)}\r\n`));
      assert.equal(res.status, 400);
      assert.equal(
        res.body.toString(),
        CANNED_400 + 'Size of a request header field exceeds server limit.</p>\n</body></html>\n',
      );
      await res.conn.closed;
    });
    it('answers 400 to more header fields than LimitRequestFields', async () => {
      const extra = Array.from({ length: 6 }, (_, i) => `X-${i}: v\r\n`).join('');
      const res = await rawRequest(h.port, req('/a.txt', extra));
      assert.equal(res.status, 400);
      assert.ok(
        res.body
          .toString()
          .includes("The number of request header fields exceeds this server's limit."),
      );
    });
    it('answers 413 before the handler runs when Content-Length exceeds LimitRequestBody', async () => {
      const res = await rawRequest(
        h.port,
        `POST /small/s.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n`,
      );
      assert.equal(res.statusLine, 'HTTP/1.1 413 Request Entity Too Large');
      assert.equal(res.headers['connection'], 'close');
      assert.match(
        res.body.toString(),
        /The requested resource does not allow request data with POST requests/,
      );
      await res.conn.closed;
    });
    it('lets a body within LimitRequestBody through to the handler (POST on a file serves it)', async () => {
      const res = await rawRequest(
        h.port,
        `POST /small/s.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`,
      );
      // core's default_handler serves GET and POST alike, after discarding the body.
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.body.toString(), 'small\n');
    });
  });
});
