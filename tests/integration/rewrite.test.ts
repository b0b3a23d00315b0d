// mod_rewrite (httpd modules/mappers/mod_rewrite.c): server-context rules at translate,
// per-directory rules at fixups with their internal redirect, maps, cookies, look-ahead
// sub-requests and the trace log. What the WSGI app sees is also compared with Apache in
// tests/differential (the `rewrite` block).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import type { RawResponse } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}LoadModule rewrite_module modules/mod_rewrite.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LogLevel warn rewrite:trace3
TypesConfig /etc/mime.types
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
  AllowOverride FileInfo
</Directory>
WSGIScriptAlias /dump @DIR@/dump.wsgi
Alias /aliased @DIR@/aliased
<Directory @DIR@/aliased>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/authonly>
  AllowOverride AuthConfig
</Directory>
<Directory @DIR@/htdocs/private>
  Require all denied
</Directory>
<Directory @DIR@/htdocs/nolinks>
  Options -FollowSymLinks
</Directory>
<Directory @DIR@/htdocs/scripts>
  Options +ExecCGI
</Directory>
RewriteMap rnd rnd:@DIR@/rnd.txt
RewriteMap lower int:tolower
RewriteEngine On
RewriteRule ^/cookies$ /dump/c [CO=a:1:.example.com:60,CO=b:2:.example.com,CO=a:3:x,PT]
RewriteRule ^/ctl/(.*)$ /dump/ctl?x=$1 [PT]
RewriteRule ^/rnd$ /dump/rnd/\${rnd:k} [PT]
RewriteRule ^/lower/(.*)$ /dump/\${lower:$1} [PT]
RewriteRule ^/pt-alias/(.*)$ /aliased/$1 [PT]
RewriteRule ^/local/(.*)$ /hello.txt [L]
RewriteRule ^/relative$ hello.txt [R]
RewriteRule ^/end$ /dump/end [PT,END]
RewriteCond %{LA-U:REQUEST_FILENAME} \\.txt$
RewriteRule ^/(hello\\.txt)$ /dump/la [PT,E=LA:%{LA-U:REQUEST_FILENAME}]
RewriteCond /hello.txt -U
RewriteRule ^/u$ /dump/u [PT]
RewriteRule ^/py/(.*)$ /scripts/$1 [H=wsgi-script]
RewriteCond %{DOCUMENT_ROOT}/hello.txt -F
RewriteRule ^/ff$ /dump/ff-ok [PT]
RewriteCond %{DOCUMENT_ROOT}/private/p.txt -F
RewriteRule ^/fdenied$ /dump/f-wrong [PT]
RewriteRule ^/fdenied$ /dump/f-denied [PT]
RewriteRule ^/vars$ http://x/?%{API_VERSION}|%{IS_SUBREQ}|%{HTTPS}|%{IPV6}|%{SERVER_ADMIN}|%{SERVER_NAME}|%{SERVER_ADDR}|%{REMOTE_ADDR}|%{REQUEST_METHOD}|%{REQUEST_SCHEME}|%{SERVER_PROTOCOL}|%{CONTEXT_PREFIX}|%{REMOTE_HOST}|%{REMOTE_IDENT}|%{REMOTE_USER}|%{AUTH_TYPE}|%{PATH_INFO}|%{SCRIPT_USER}|%{ENV:TSWSGI_RW_TEST}|%{SSL:X}|%{HTTP:x-t}|%{http_host}|%{NOPE}|%{QUERY_STRING}|%{REQUEST_URI}|%{REQUEST_FILENAME}|%{CONN_REMOTE_ADDR}|%{HTTP_ACCEPT}|%{HTTP_COOKIE}|%{HTTP_FORWARDED}|%{HTTP_PROXY_CONNECTION}|%{HTTP_REFERER}|%{HTTP_USER_AGENT}|%{THE_REQUEST} [R,UnsafeAllow3F]
RewriteRule ^/time$ http://x/%{TIME}/%{TIME_YEAR}-%{TIME_MON}-%{TIME_DAY}T%{TIME_HOUR}:%{TIME_MIN}:%{TIME_SEC}/%{TIME_WDAY} [R]
RewriteRule ^/drop$ /dump/drop [PT,E=GONE:x,E=!GONE]
`;

const files = (): Record<string, string> => ({
  'dump.wsgi': app('dump.wsgi'),
  'rnd.txt': 'k one|two|three\n',
  'aliased/file.txt': 'aliased file\n',
  'htdocs/hello.txt': 'hello\n',
  'htdocs/private/p.txt': 'private\n',
  'htdocs/authonly/.htaccess': 'RewriteEngine On\n',
  'htdocs/authonly/a.txt': 'a\n',
  'htdocs/fc/.htaccess':
    'RewriteEngine On\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ /dump/fc/$1 [QSA,L]\n',
  'htdocs/fc/real.txt': 'real\n',
  'htdocs/nolinks/.htaccess': 'RewriteEngine On\nRewriteRule ^x$ /hello.txt\n',
  'htdocs/nolinks/x': 'x\n',
  'htdocs/dpi/.htaccess': 'RewriteEngine On\nRewriteRule ^x\\.txt/.*$ /dump/dpi [DPI,L]\n',
  'htdocs/dpi/x.txt': 'x\n',
  'htdocs/base/.htaccess':
    'RewriteEngine On\nRewriteBase /base/\nRewriteRule ^a$ b.txt [L]\nRewriteRule ^r$ b.txt [R=301,L]\n',
  'htdocs/base/b.txt': 'b\n',
  'htdocs/scripts/s.py': app('dump.wsgi'),
});

const get = (h: Harness, path: string, headers = ''): Promise<RawResponse> =>
  rawRequest(
    h.port,
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`,
  );

const environ = (res: RawResponse): Record<string, unknown> =>
  (JSON.parse(res.body.toString()) as { environ: Record<string, unknown> }).environ;

function logged(h: Harness, re: RegExp): string {
  const line = h.errorLog().find((l) => re.test(l));
  assert.ok(line !== undefined, `no log line ${String(re)} in:\n${h.errorLog().join('\n')}`);
  return line;
}

describe('mod_rewrite', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, files());
  });
  after(() => h.stop());

  it('sets every cookie of [CO=] once per name, with the expiry computed from minutes', async () => {
    const res = await get(h, '/cookies');
    assert.equal(res.status, 200);
    const cookies = res.headerList
      .filter(([n]) => n.toLowerCase() === 'set-cookie')
      .map(([, v]) => v);
    assert.equal(cookies.length, 2);
    assert.match(
      cookies[0] ?? '',
      /^a=1; path=\/; domain=\.example\.com; expires=\w{3}, \d\d-\w{3}-\d{4} \d\d:\d\d:\d\d GMT$/,
    );
    assert.equal(cookies[1], 'b=2; path=/; domain=.example.com');
  });

  it('refuses a rewritten query string with a control character (403, AH10410)', async () => {
    const res = await get(h, '/ctl/a%20b');
    assert.equal(res.status, 403);
    logged(
      h,
      /\[rewrite:error\] .*AH10410: Rewritten query string contains control characters or spaces/,
    );
  });

  it('picks one of the |-separated values of an rnd: map', async () => {
    const env = environ(await get(h, '/rnd'));
    assert.match(String(env['PATH_INFO']), /^\/rnd\/(one|two|three)$/);
  });

  it('lower-cases through int:tolower', async () => {
    assert.equal(environ(await get(h, '/lower/MiXed'))['PATH_INFO'], '/mixed');
  });

  it('[PT] hands the new URL to mod_alias', async () => {
    const res = await get(h, '/pt-alias/file.txt');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'aliased file\n');
  });

  it('a local path that does not exist from / is taken under the DocumentRoot', async () => {
    const res = await get(h, '/local/anything');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello\n');
    logged(h, /\[rewrite:trace2\] .*prefixed with document_root to .*\/htdocs\/hello\.txt/);
  });

  it('[R] with a relative target is made a full URL of this server', async () => {
    const res = await get(h, '/relative');
    assert.equal(res.status, 302);
    assert.equal(res.headers['location'], 'http://localhost/hello.txt');
  });

  it('writes trace lines in httpd layout at LogLevel rewrite:trace3', async () => {
    await get(h, '/relative');
    const line = logged(
      h,
      /\[rewrite:trace1\] .*redirect to http:\/\/localhost\/hello\.txt \[REDIRECT\/302\]/,
    );
    assert.match(line, /127\.0\.0\.1 - - \[localhost\/sid#[0-9a-f]+\]\[rid#[0-9a-f]+\/initial\] /);
    logged(h, /\[rewrite:trace3\] .*applying pattern '\^\/cookies\$' to uri '\/relative'/);
    assert.equal(
      h.errorLog().some((l) => l.includes('[rewrite:trace4]')),
      false,
      'nothing above trace3',
    );
  });

  it('%{LA-U:…} looks ahead with a sub-request, and -U checks a URL', async () => {
    const env = environ(await get(h, '/hello.txt'));
    assert.match(String(env['LA']), /\/htdocs\/hello\.txt$/);
    // The sub-request for the same URL does not look ahead again (subreq_ok).
    logged(
      h,
      /\[rewrite:trace2\] .*\/subreq\] init rewrite engine with requested uri \/hello\.txt/,
    );
    assert.equal((await get(h, '/u')).status, 200);
  });

  it('-F checks a file with a sub-request: access control counts', async () => {
    assert.equal(environ(await get(h, '/ff'))['PATH_INFO'], '/ff-ok');
    assert.equal(environ(await get(h, '/fdenied'))['PATH_INFO'], '/f-denied');
  });

  it('[H=] sets the handler of the rewritten file', async () => {
    const res = await get(h, '/py/s.py/p');
    assert.equal(res.status, 200);
    assert.equal(environ(res)['SCRIPT_NAME'], '/py/s.py');
  });

  it('expands the server variables mod_rewrite knows', async () => {
    const res = await get(
      h,
      '/vars?q=1',
      'X-T: tv\r\nAccept: a/b\r\nCookie: c=1\r\nForwarded: f\r\nProxy-Connection: pc\r\nReferer: r\r\nUser-Agent: ua\r\n',
    );
    assert.equal(res.status, 302);
    // The query came out of the substitution, so it is escaped for the redirect.
    assert.match(res.headers['location'] ?? '', /^http:\/\/x\/\?20120211:142%7cfalse%7c/);
    assert.equal(
      decodeURIComponent(res.headers['location'] ?? ''),
      'http://x/?20120211:142|false|off|off|[no address given]|localhost|127.0.0.1|127.0.0.1|GET|http|HTTP/1.1||127.0.0.1|||||<unknown>|||tv|localhost||q=1|/vars|/vars|127.0.0.1|a/b|c=1|f|pc|r|ua|GET /vars?q=1 HTTP/1.1',
    );
  });

  it('expands the TIME variables', async () => {
    const res = await get(h, '/time');
    assert.match(
      res.headers['location'] ?? '',
      /^http:\/\/x\/\d{14}\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\/[0-6]$/,
    );
  });

  it('[E=!var] unsets what an earlier [E=] set', async () => {
    const env = environ(await get(h, '/drop'));
    assert.equal(env['GONE'], undefined);
    assert.equal(env['SCRIPT_URL'], '/drop');
  });

  it('.htaccess: a front controller, and a file that exists served as is', async () => {
    const env = environ(await get(h, '/fc/a/b?q=1'));
    assert.equal(env['SCRIPT_NAME'], '/dump');
    assert.equal(env['PATH_INFO'], '/fc/a/b');
    assert.equal(env['QUERY_STRING'], 'q=1');
    assert.equal(env['REDIRECT_URL'], '/fc/a/b');
    assert.equal(env['REDIRECT_STATUS'], '200');
    const res = await get(h, '/fc/real.txt');
    assert.equal(res.body.toString(), 'real\n');
    logged(
      h,
      /\[rewrite:trace1\] .*\[perdir .*\/htdocs\/fc\/\] internal redirect with \/dump\/fc\/a\/b \[INTERNAL REDIRECT\]/,
    );
  });

  it('.htaccess: without FollowSymLinks the rules are forbidden (403, AH00670)', async () => {
    const res = await get(h, '/nolinks/x');
    assert.equal(res.status, 403);
    logged(h, /AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off/);
  });

  it('.htaccess: RewriteEngine needs AllowOverride FileInfo (500, logged at alert)', async () => {
    const res = await get(h, '/authonly/a.txt');
    assert.equal(res.status, 500);
    logged(h, /\[core:alert\] .*\/authonly\/\.htaccess: RewriteEngine not allowed here/);
  });

  it('.htaccess [DPI]: the path info is dropped', async () => {
    const env = environ(await get(h, '/dpi/x.txt/more'));
    assert.equal(env['PATH_INFO'], '/dpi');
  });

  it('.htaccess RewriteBase: relative internal and external targets', async () => {
    assert.equal((await get(h, '/base/a')).body.toString(), 'b\n');
    const res = await get(h, '/base/r');
    assert.equal(res.status, 301);
    assert.equal(res.headers['location'], 'http://localhost/base/b.txt');
  });
});

describe('mod_rewrite off', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}LoadModule rewrite_module modules/mod_rewrite.so
WSGIScriptAlias /dump @DIR@/dump.wsgi
RewriteRule ^/dump$ /nothing
`,
      { 'dump.wsgi': app('dump.wsgi') },
    );
  });
  after(() => h.stop());

  it('leaves requests alone (no SCRIPT_URL) while RewriteEngine is not On', async () => {
    const env = environ(await get(h, '/dump'));
    assert.equal(env['SCRIPT_NAME'], '/dump');
    assert.equal(env['SCRIPT_URL'], undefined);
  });
});

describe('mod_rewrite in virtual hosts (RewriteOptions Inherit / InheritBefore)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so
LoadModule rewrite_module modules/mod_rewrite.so
ServerName main.example
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/main$ /from-main [R,L]
<VirtualHost *:@PORT@>
  ServerName inherit.example
  RewriteEngine On
  RewriteOptions Inherit
  RewriteRule ^/main$ /from-vhost [R,L]
  RewriteRule ^/own$ /own-vhost [R,L]
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName before.example
  RewriteEngine On
  RewriteOptions InheritBefore
  RewriteRule ^/main$ /from-vhost [R,L]
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName plain.example
  RewriteEngine On
  RewriteRule ^/own$ /own-plain [R,L]
</VirtualHost>
`,
      { 'htdocs/x.txt': 'x\n' },
    );
  });
  after(() => h.stop());

  const loc = async (host: string, path: string): Promise<string | undefined> => {
    const res = await rawRequest(
      h.port,
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    return res.status === 302 ? res.headers['location'] : String(res.status);
  };

  it('Inherit: the vhost rules run first, then the main server ones', async () => {
    assert.equal(await loc('inherit.example', '/main'), 'http://inherit.example/from-vhost');
    assert.equal(await loc('inherit.example', '/own'), 'http://inherit.example/own-vhost');
  });

  it('InheritBefore: the main server rules run first', async () => {
    assert.equal(await loc('before.example', '/main'), 'http://before.example/from-main');
  });

  it('without an option the main server rules stay out of the vhost', async () => {
    assert.equal(await loc('plain.example', '/main'), '404');
    assert.equal(await loc('plain.example', '/own'), 'http://plain.example/own-plain');
  });
});
