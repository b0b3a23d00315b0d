// mod_negotiation (httpd modules/mappers/mod_negotiation.c) through the real server:
// MultiViews with mod_mime's metadata, the 406 list page, type maps, DirectoryIndex and
// path info, access control on variants, and the log lines. The same behaviours are
// compared with Apache in tests/differential (cases marked "negotiation").

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule negotiation_module modules/mod_negotiation.so
ServerName localhost
LogLevel info
TypesConfig /etc/mime.types
DocumentRoot @DIR@/htdocs
AddLanguage en .en
AddLanguage fr .fr
AddLanguage de .de
AddEncoding x-gzip .gz
AddCharset UTF-8 .utf8
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/mv>
  Options MultiViews
  DirectoryIndex index
  <Files secret.html.fr>
    Require all denied
  </Files>
</Directory>
<Directory @DIR@/htdocs/prio>
  Options MultiViews
  LanguagePriority de en fr
  ForceLanguagePriority Prefer Fallback
</Directory>
<Directory @DIR@/htdocs/tm>
  AddHandler type-map .var
</Directory>
<VirtualHost *:@PORT@>
  ServerName localhost
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName cached
  CacheNegotiatedDocs On
</VirtualHost>
`;

const FILES = {
  'htdocs/mv/page.html.en': 'english\n',
  'htdocs/mv/page.html.fr': 'french\n',
  'htdocs/mv/page.html.de': 'deutsch!\n',
  'htdocs/mv/comp.txt': 'plain2\n',
  'htdocs/mv/comp.txt.gz': 'gz\n',
  'htdocs/mv/index.html.en': 'idx en\n',
  'htdocs/mv/index.html.fr': 'idx fr\n',
  'htdocs/mv/secret.html.en': 'open\n',
  'htdocs/mv/secret.html.fr': 'closed\n',
  'htdocs/mv/odd.unknownext': 'x\n',
  'htdocs/plain/page.html.en': 'not negotiated\n',
  'htdocs/plain/both.en.fr.html': 'two languages\n',
  'htdocs/prio/p.html.en': 'en1\n',
  'htdocs/prio/p.html.de': 'de12\n',
  'htdocs/tm/doc.var':
    'URI: doc\n\nURI: doc.html.en\nContent-Type: text/html\nContent-Language: en\n\n' +
    'URI: doc.txt\nContent-Type: text/plain; qs=0.5\n',
  'htdocs/tm/doc.html.en': 'EN\n',
  'htdocs/tm/doc.txt': 'TXT\n',
  'htdocs/tm/inline.var':
    'Content-Type: text/plain\nContent-Language: en\nBody:--x--\nHello\n--x--\n\n' +
    'Content-Type: text/plain\nContent-Language: de\nBody:--y--\nHallo\n--y--\n',
  'htdocs/tm/broken.var': 'URI: a.html\nContent Type text/html\n\n',
};

const get = (path: string, headers = '', method = 'GET', host = 'localhost'): string =>
  `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${headers}\r\n`;

describe('mod_negotiation', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  it('chooses the language the client asks for and says how the choice was made', async () => {
    const res = await rawRequest(h.port, get('/mv/page', 'Accept-Language: de, en;q=0.5\r\n'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'deutsch!\n');
    assert.equal(res.headers['content-location'], 'page.html.de');
    assert.equal(res.headers['vary'], 'negotiate,accept-language');
    assert.equal(res.headers['tcn'], 'choice');
    assert.equal(res.headers['content-language'], 'de');
    assert.equal(res.headers['content-type'], 'text/html');
    // The variant's tag, then the directory's (httpd drops the closing quote).
    assert.match(res.headers['etag'] ?? '', /^(W\/)?"9-[0-9a-f]+;[0-9a-f]+$/);
    assert.deepEqual(
      res.headerList.map(([n]) => n.toLowerCase()),
      [
        'date',
        'server',
        'content-location',
        'vary',
        'tcn',
        'last-modified',
        'etag',
        'accept-ranges',
        'content-length',
        'connection',
        'content-type',
        'content-language',
      ],
    );
  });

  it('takes the smallest variant when the client states no preference', async () => {
    const res = await rawRequest(h.port, get('/mv/page'));
    assert.equal(res.body.toString(), 'french\n');
  });

  it('answers 406 with the variant list when nothing is acceptable', async () => {
    const res = await rawRequest(h.port, get('/mv/page', 'Accept-Language: it\r\n'));
    assert.equal(res.status, 406);
    assert.equal(
      res.headers['alternates'],
      '{"page.html.de" 1 {type text/html} {language de} {length 9}}, ' +
        '{"page.html.en" 1 {type text/html} {language en} {length 8}}, ' +
        '{"page.html.fr" 1 {type text/html} {language fr} {length 7}}',
    );
    assert.equal(res.headers['tcn'], 'list');
    const body = res.body.toString();
    assert.match(
      body,
      /<p>An appropriate representation of the requested resource could not be found on this server.<\/p>\nAvailable variants:\n<ul>\n<li><a href="page.html.de">page.html.de<\/a> , type text\/html, language de<\/li>\n/,
    );
    assert.equal(Number(res.headers['content-length']), res.body.length);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[negotiation:error\].*AH00690: no acceptable variant: .*\/htdocs\/mv\/page$/.test(l),
        ),
    );
  });

  it('answers 300 to a client that negotiates transparently', async () => {
    const res = await rawRequest(
      h.port,
      get('/mv/page', 'Negotiate: trans\r\nAccept-Language: it\r\n'),
    );
    assert.equal(res.status, 300);
    assert.match(res.body.toString(), /<h1>Multiple Choices<\/h1>\nAvailable variants:/);
  });

  it('negotiates the encoding and answers with the client’s spelling of it', async () => {
    const plain = await rawRequest(h.port, get('/mv/comp'));
    assert.equal(plain.body.toString(), 'plain2\n');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['vary'], 'negotiate,accept,accept-encoding');
    const gz = await rawRequest(h.port, get('/mv/comp', 'Accept-Encoding: gzip\r\n'));
    assert.equal(gz.body.toString(), 'gz\n');
    assert.equal(gz.headers['content-encoding'], 'gzip');
  });

  it('skips a variant the client may not access', async () => {
    const res = await rawRequest(h.port, get('/mv/secret', 'Accept-Language: fr\r\n'));
    assert.equal(res.status, 406);
    assert.doesNotMatch(res.body.toString(), /secret.html.fr/);
    assert.ok(h.errorLog().some((l) => /AH01630: client denied.*secret\.html\.fr/.test(l)));
  });

  it('refuses with 404 and AH00687 when matching files carry no known metadata', async () => {
    const res = await rawRequest(h.port, get('/mv/odd'));
    assert.equal(res.status, 404);
    assert.equal(res.headers['vary'], undefined);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /AH00687: Negotiation: discovered file\(s\) matching request: .*\/mv\/odd \(None could be negotiated\)\.$/.test(
            l,
          ),
        ),
    );
  });

  it('negotiates a DirectoryIndex without extension', async () => {
    const res = await rawRequest(h.port, get('/mv/', 'Accept-Language: fr\r\n'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'idx fr\n');
    assert.equal(res.headers['content-location'], 'index.html.fr');
    // mod_dir's fast redirect does not take the variant list's validator.
    assert.match(res.headers['etag'] ?? '', /^(W\/)?"7-[0-9a-f]+"$/);
  });

  it('keeps path info: a static variant then refuses it with 404, Vary kept', async () => {
    const res = await rawRequest(h.port, get('/mv/page/extra'));
    assert.equal(res.status, 404);
    assert.equal(res.headers['vary'], 'accept-language');
    assert.equal(res.headers['tcn'], undefined);
  });

  it('costs nothing without MultiViews: a missing file is a plain 404', async () => {
    const res = await rawRequest(h.port, get('/plain/page'));
    assert.equal(res.status, 404);
    assert.equal(res.headers['vary'], undefined);
    assert.ok(h.errorLog().some((l) => /AH00128: File does not exist: .*\/plain\/page$/.test(l)));
  });

  it('sends Content-Language for a plain file, languages joined by a comma', async () => {
    const one = await rawRequest(h.port, get('/plain/page.html.en'));
    assert.equal(one.headers['content-language'], 'en');
    assert.equal(one.headers['vary'], undefined);
    const two = await rawRequest(h.port, get('/plain/both.en.fr.html'));
    assert.equal(two.headers['content-language'], 'en,fr');
    assert.deepEqual(two.headerList.map(([n]) => n.toLowerCase()).slice(-2), [
      'content-type',
      'content-language',
    ]);
    const missing = await rawRequest(h.port, get('/plain/page.html.en/x'));
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-language'], undefined);
  });

  it('applies LanguagePriority and ForceLanguagePriority Fallback', async () => {
    const pref = await rawRequest(h.port, get('/prio/p'));
    assert.equal(pref.body.toString(), 'de12\n');
    const fb = await rawRequest(h.port, get('/prio/p', 'Accept-Language: it\r\n'));
    assert.equal(fb.status, 200);
    assert.equal(fb.body.toString(), 'de12\n');
  });

  it('serves a type map by redirecting to the chosen variant', async () => {
    const res = await rawRequest(h.port, get('/tm/doc.var'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'EN\n');
    assert.equal(res.headers['content-location'], 'doc.html.en');
    assert.equal(res.headers['vary'], 'negotiate,accept,accept-language');
    assert.match(res.headers['etag'] ?? '', /^(W\/)?"3-[0-9a-f]+;[0-9a-f]+-[0-9a-f]+$/);
    const txt = await rawRequest(h.port, get('/tm/doc.var', 'Accept: text/plain\r\n'));
    assert.equal(txt.body.toString(), 'TXT\n');
  });

  it('serves a type map’s inline Body: variant', async () => {
    const res = await rawRequest(h.port, get('/tm/inline.var', 'Accept-Language: de\r\n'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'Hallo\n');
    assert.equal(res.headers['vary'], 'accept-language');
    assert.equal(res.headers['content-language'], 'de');
    assert.equal(res.headers['content-length'], '6');
    const put = await rawRequest(h.port, get('/tm/inline.var', 'Content-Length: 0\r\n', 'PUT'));
    assert.equal(put.status, 405);
  });

  it('forbids HTTP/1.0 caches to keep a type map’s answer unless CacheNegotiatedDocs', async () => {
    const old = await rawRequest(h.port, 'GET /tm/doc.var HTTP/1.0\r\nHost: localhost\r\n\r\n');
    assert.equal(old.status, 200);
    assert.equal(old.headers['expires'], old.headers['date']);
    assert.deepEqual(old.headerList.map(([n]) => n.toLowerCase()).slice(-4), [
      'connection',
      'expires',
      'content-type',
      'content-language',
    ]);
    const cached = await rawRequest(h.port, 'GET /tm/doc.var HTTP/1.0\r\nHost: cached\r\n\r\n');
    assert.equal(cached.headers['expires'], undefined);
    const multi = await rawRequest(h.port, 'GET /mv/page HTTP/1.0\r\nHost: localhost\r\n\r\n');
    assert.equal(multi.headers['expires'], undefined); // the fast redirect clears it
    const eleven = await rawRequest(h.port, get('/tm/doc.var'));
    assert.equal(eleven.headers['expires'], undefined);
  });

  it('applies ranges and conditions to an inline Body: variant', async () => {
    const de = 'Accept-Language: de\r\n';
    const one = await rawRequest(h.port, get('/tm/inline.var', de + 'Range: bytes=0-1\r\n'));
    assert.equal(one.status, 206);
    assert.equal(one.body.toString(), 'Ha');
    assert.equal(one.headers['content-range'], 'bytes 0-1/6');
    const two = await rawRequest(h.port, get('/tm/inline.var', de + 'Range: bytes=0-1,3-4\r\n'));
    assert.equal(two.status, 206);
    assert.match(two.headers['content-type'] ?? '', /^multipart\/byteranges; boundary=/);
    assert.match(two.body.toString(), /Content-range: bytes 3-4\/6\r\n\r\nlo\r\n/);
    assert.equal(Number(two.headers['content-length']), two.body.length);
    const bad = await rawRequest(h.port, get('/tm/inline.var', de + 'Range: bytes=99-\r\n'));
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['vary'], undefined);
    const star = await rawRequest(h.port, get('/tm/inline.var', de + 'If-None-Match: *\r\n'));
    assert.equal(star.status, 304);
    assert.equal(star.headers['vary'], 'accept-language');
    const post = await rawRequest(
      h.port,
      get('/tm/inline.var', 'If-None-Match: *\r\nContent-Length: 0\r\n', 'POST'),
    );
    assert.equal(post.status, 412);
  });

  it('answers 500 to a type map with a header line without a colon', async () => {
    const res = await rawRequest(h.port, get('/tm/broken.var'));
    assert.equal(res.status, 500);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /AH00681: Syntax error in type map, no ':' in .*broken\.var for header content type text\/html\\n$/.test(
            l,
          ),
        ),
    );
  });
});

describe('mod_negotiation: a type map that is not a regular file', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
    execFileSync('mkfifo', [join(h.dir, 'htdocs/tm/pipe.var')]);
  });
  after(() => h.stop());

  it('refuses a FIFO type map at once with 403 and AH00683 (EBADF), not waiting for a writer', async () => {
    // httpd's ap_pcfg_openfile opens first (a FIFO blocks that worker until a writer comes)
    // and refuses a non-regular file with APR_EBADF; tswsgi opens non-blocking.
    const res = await rawRequest(h.port, get('/tm/pipe.var'));
    assert.equal(res.status, 403);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\(9\)Bad file descriptor: \[client [^\]]+\] AH00683: cannot access type map file: .*\/tm\/pipe\.var$/.test(
            l,
          ),
        ),
      h.errorLog().join('\n'),
    );
    const next = await rawRequest(h.port, get('/tm/doc.var', 'Accept-Language: en\r\n'));
    assert.equal(next.status, 200);
    assert.equal(next.body.toString(), 'EN\n');
  });
});
