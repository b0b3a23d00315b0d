// The differential cases: one raw request each, sent to real Apache httpd + mod_wsgi and to
// tswsgi with the conf in apache.ts. `check` documents what the oracle answers (it runs on
// Apache's response first, then tswsgi must match Apache per the rules in
// differential.test.ts). Counterpart: httpd's test/modules/* request tables.
import assert from 'node:assert/strict';
import { GZ_BIG, GZ_PAGE, PRIVATE_BODY, STATIC_BODY } from './apache.js';
import { gunzipSync } from 'node:zlib';
import { header, type RawResponse } from './raw-client.js';
import { AUTOINDEX_CASES } from './autoindex.js';

/** The environ dump.wsgi returned. */
export type Env = Readonly<Record<string, unknown>>;

/** One request sent to both servers, plus what Apache is known to answer. */
export interface Case {
  readonly name: string;
  readonly method?: string;
  /** Request-target, sent as is (raw %-escapes, repeated slashes). */
  readonly path: string;
  readonly extraHeaders?: string;
  /** Sent with a Content-Length unless extraHeaders frames it (Transfer-Encoding). */
  readonly body?: string;
  /** Raw body bytes after the headers, framed by the caller (chunked). */
  readonly rawBody?: string;
  /**
   * The Connection header of the request: 'close' (default), 'keep-alive' (token sent) or
   * 'none' (HTTP/1.1 persistent without a token). For the last two the same request follows
   * with `Connection: close` on the same connection, and must be answered too.
   */
  readonly connection?: 'close' | 'keep-alive' | 'none';
  readonly expectStatus: number;
  /** The response is dump.wsgi's JSON: compare the environ, not the bytes. */
  readonly dump?: boolean;
  /** Compare header order too (false where tswsgi knowingly differs, see the case). */
  readonly ordered?: boolean;
  /** Error-log lines both servers must write (matched against each server's log). */
  readonly logs?: readonly RegExp[];
  /**
   * A gzip body (DEFLATE): compare the decompressed bodies, since node's bundled zlib may
   * produce other (equally valid) deflate bytes than Debian's libz for the same input.
   */
  readonly gunzip?: boolean;
  /** Extra assertions on the Apache response (documents the oracle's behaviour). */
  readonly check?: (res: RawResponse, env: Env | undefined) => void;
}

/** Headers a front proxy would set, plus spoofable synonyms the app must not see. */
const PROXY_HEADERS =
  'X-Forwarded-For: 1.1.1.1, 2.2.2.2\r\nX-Real-IP: 9.9.9.9\r\nX-Forwarded-Proto: https\r\nX-Scheme: http\r\nX-Forwarded-Host: www.example.com\r\nX-Forwarded-Port: 443\r\nX-Script-Name: /mount\r\n';

const POST_BODY = 'a=1&b=' + 'x'.repeat(5000);

/** An Authorization header line for Basic credentials. */
const basic = (user: string, password: string): string =>
  `Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}\r\n`;

/** The challenge /authed answers (AuthName "Diff \"Realm\"", quotes kept escaped). */
const CHALLENGE = 'Basic realm="Diff \\"Realm\\""';

const canned =
  (status: string, text: string): ((r: RawResponse) => void) =>
  (r) => {
    assert.match(r.body.toString(), new RegExp(`<title>${status}</title>`));
    assert.match(r.body.toString(), new RegExp(text));
    assert.equal(header(r, 'Content-Type'), 'text/html; charset=iso-8859-1');
  };

export const CASES: readonly Case[] = [
  {
    name: 'GET /dump runs the file-target WSGIScriptAlias in daemon group diff',
    path: '/dump',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/dump');
      assert.equal(env?.['PATH_INFO'], ''); // mod_wsgi sets it, empty
      assert.equal(env?.['mod_wsgi.process_group'], 'diff');
      for (const k of ['mod_wsgi.queue_start', 'mod_wsgi.daemon_start', 'mod_wsgi.script_start']) {
        assert.match(String(env?.[k]), /^\d{16}$/, k);
      }
      assert.equal(env?.['mod_wsgi.daemon_connects'], '1');
      assert.equal(env?.['mod_wsgi.daemon_restarts'], '0');
    },
  },
  {
    name: 'GET /dump/a/b?x=1 gives PATH_INFO /a/b and QUERY_STRING x=1',
    path: '/dump/a/b?x=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['PATH_INFO'], '/a/b');
      assert.equal(env?.['QUERY_STRING'], 'x=1');
    },
  },
  {
    name: 'GET /dump//a///b (repeated slashes)',
    path: '/dump//a///b',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /dump/a%20b/%7Ec?x=%41%20y&z=%2F: PATH_INFO decoded, REQUEST_URI and QUERY_STRING raw',
    path: '/dump/a%20b/%7Ec?x=%41%20y&z=%2F',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['PATH_INFO'], '/a b/~c');
      assert.equal(env?.['REQUEST_URI'], '/dump/a%20b/%7Ec?x=%41%20y&z=%2F');
      assert.equal(env?.['QUERY_STRING'], 'x=%41%20y&z=%2F');
    },
  },
  { name: 'GET /dumpx does not match the /dump alias (404)', path: '/dumpx', expectStatus: 404 },
  {
    name: 'GET /scripts/dump.wsgi/extra runs the directory-target alias with PATH_INFO /extra',
    path: '/scripts/dump.wsgi/extra',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/scripts/dump.wsgi');
      assert.equal(env?.['PATH_INFO'], '/extra');
      assert.match(String(env?.['PATH_TRANSLATED']), /\/htdocs\/extra$/);
    },
  },
  { name: 'GET /scripts/ (directory, no index) is 403', path: '/scripts/', expectStatus: 403 },
  { name: 'GET /scripts/missing is 404', path: '/scripts/missing', expectStatus: 404 },
  {
    name: 'GET /embedded/x runs in embedded mode with application group HOST:PORT|/embedded',
    path: '/embedded/x',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['mod_wsgi.process_group'], '');
      // %{RESOURCE} = SERVER_NAME:SERVER_PORT|SCRIPT_NAME; the port is normalised to PORT.
      assert.match(String(env?.['mod_wsgi.application_group']), /^127\.0\.0\.1:\d+\|\/embedded$/);
      assert.equal(env?.['mod_wsgi.daemon_start'], undefined);
      assert.equal(env?.['mod_wsgi.queue_start'], undefined);
      assert.equal(env?.['wsgi.multithread'], true);
      assert.equal(env?.['wsgi.multiprocess'], true);
    },
  },
  {
    name: 'GET /raise: an app that raises gives 500 with the canned body and a logged traceback',
    path: '/raise',
    expectStatus: 500,
    logs: [
      /Exception occurred processing WSGI script '[^']*\/raise\.wsgi'/,
      /Traceback \(most recent call last\):/,
      /RuntimeError: differential boom/,
    ],
    check: (r) => {
      canned('500 Internal Server Error', 'The server encountered an internal error')(r);
      assert.equal(header(r, 'Connection'), 'close');
    },
  },
  {
    name: 'GET /socktime/sleep: no response head within socket-timeout (1 s) is 504',
    path: '/socktime/sleep?2500',
    expectStatus: 504,
    logs: [
      /Timeout when reading response headers from daemon process 'socktime': \S*\/socket-timeout\.wsgi$/m,
    ],
    check: canned('504 Gateway Timeout', 'The gateway did not receive a timely response'),
  },
  {
    name: 'POST /dump with Transfer-Encoding: chunked is 411 (WSGIChunkedRequest Off)',
    method: 'POST',
    path: '/dump',
    expectStatus: 411,
    extraHeaders: 'Transfer-Encoding: chunked\r\n',
    rawBody: '5\r\nhello\r\n0\r\n\r\n',
    logs: [
      /Received request requiring chunked transfer encoding, but optional support for chunked transfer encoding has not been enabled\.: [^ ]*\/dump\.wsgi/,
    ],
    check: canned(
      '411 Length Required',
      'A request of the requested method POST requires a valid Content-length',
    ),
  },
  {
    name: 'HEAD /method: the app sees HEAD (WSGIMapHEADToGet Auto), its headers come back, no body',
    method: 'HEAD',
    path: '/method',
    expectStatus: 200,
    // Apache (daemon mode) moves Content-Length before the app's other headers
    // (ap_scan_script_header puts it in headers_out, the rest in err_headers_out);
    // tswsgi keeps the app's order. Only the order differs, names and values match.
    ordered: false,
    check: (r) => {
      assert.equal(header(r, 'X-Request-Method'), 'HEAD');
      assert.equal(header(r, 'Content-Length'), String('method=HEAD\n'.length));
    },
  },
  {
    name: 'GET /authdump/p under <Location> WSGIPassAuthorization On passes HTTP_AUTHORIZATION',
    path: '/authdump/p',
    expectStatus: 200,
    dump: true,
    extraHeaders: 'Authorization: Basic dTpw\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_AUTHORIZATION'], 'Basic dTpw');
      assert.equal(env?.['REMOTE_USER'], undefined);
    },
  },
  {
    name: 'GET /private/secret.txt under Require all denied is 403 with the canned body',
    path: '/private/secret.txt',
    expectStatus: 403,
    logs: [
      /\[authz_core:error\] .*AH01630: client denied by server configuration: [^ ]*\/htdocs\/private\/secret\.txt/,
    ],
    check: (r) => {
      canned('403 Forbidden', "You don't have permission to access this resource\\.")(r);
      assert.ok(!r.body.toString().includes(PRIVATE_BODY));
    },
  },
  {
    name: 'GET /hello.txt serves the static file',
    path: '/hello.txt',
    expectStatus: 200,
    check: (r) => {
      assert.equal(r.body.toString(), STATIC_BODY);
      assert.equal(header(r, 'Content-Type'), 'text/plain');
      assert.deepEqual(
        r.headers.map(([n]) => n),
        [
          'Date',
          'Server',
          'Last-Modified',
          'ETag',
          'Accept-Ranges',
          'Content-Length',
          'Connection',
          'Content-Type',
        ],
      );
    },
  },
  {
    name: 'GET /hello.txt with Connection: keep-alive answers Keep-Alive: timeout=5, max=100',
    path: '/hello.txt',
    expectStatus: 200,
    connection: 'keep-alive',
    check: (r) => {
      assert.equal(header(r, 'Keep-Alive'), 'timeout=5, max=100');
      assert.equal(header(r, 'Connection'), 'Keep-Alive');
    },
  },
  {
    name: 'GET /hello.txt over HTTP/1.1 without a Connection token: persistent, no Connection header',
    path: '/hello.txt',
    expectStatus: 200,
    connection: 'none',
    check: (r) => {
      assert.equal(header(r, 'Connection'), undefined);
      assert.equal(header(r, 'Keep-Alive'), undefined);
    },
  },
  {
    name: 'HEAD /hello.txt sends the GET headers and no body',
    method: 'HEAD',
    path: '/hello.txt',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Content-Length'), String(STATIC_BODY.length));
    },
  },
  { name: 'GET /missing.txt is 404 with the canned body', path: '/missing.txt', expectStatus: 404 },
  {
    name: 'POST /dump passes the body through wsgi.input',
    method: 'POST',
    path: '/dump',
    expectStatus: 200,
    dump: true,
    body: POST_BODY,
    extraHeaders: 'Content-Type: application/x-www-form-urlencoded\r\n',
    check: (_r, env) => {
      assert.equal(env?.['REQUEST_METHOD'], 'POST');
      assert.equal(env?.['CONTENT_LENGTH'], String(POST_BODY.length));
    },
  },
  {
    name: 'a header sent twice (X-Multi) is joined with ", "',
    path: '/dump',
    expectStatus: 200,
    dump: true,
    extraHeaders: 'X-Multi: one\r\nX-Multi: two\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_X_MULTI'], 'one, two');
    },
  },
  {
    name: 'a header with an underscore (X_Foo) is not passed to the app',
    path: '/dump',
    expectStatus: 200,
    dump: true,
    extraHeaders: 'X_Foo: bar\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_X_FOO'], undefined);
    },
  },
  {
    name: 'Authorization is withheld from the app (WSGIPassAuthorization Off)',
    path: '/dump',
    expectStatus: 200,
    dump: true,
    extraHeaders: 'Authorization: Basic dTpw\r\n',
    check: (_r, env) => {
      assert.equal(env?.['HTTP_AUTHORIZATION'], undefined);
    },
  },
  {
    name: 'GET /handler/dump.wsgi/x?y=1 runs a script reached through AddHandler (Options ExecCGI)',
    path: '/handler/dump.wsgi/x?y=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/handler/dump.wsgi');
      assert.equal(env?.['PATH_INFO'], '/x');
      assert.equal(env?.['QUERY_STRING'], 'y=1');
      assert.equal(env?.['mod_wsgi.process_group'], 'diff');
      // %{RESOURCE}: the Host's port is part of it (not 80).
      assert.match(
        String(env?.['mod_wsgi.application_group']),
        /^127\.0\.0\.1:\d+\|\/handler\/dump\.wsgi$/,
      );
    },
  },
  {
    name: '.htaccess Require all denied (AllowOverride All) is 403 and logged',
    path: '/ht/deny/page.txt',
    expectStatus: 403,
    logs: [/AH01630: client denied by server configuration: \S*\/ht\/deny\/page\.txt/],
    check: canned('403 Forbidden', "You don't have permission to access this resource"),
  },
  {
    name: '<Files> in an .htaccess file denies the file it names',
    path: '/ht/files/secret.txt',
    expectStatus: 403,
    logs: [/AH01630: client denied by server configuration: \S*\/ht\/files\/secret\.txt/],
  },
  {
    name: '<Files> in an .htaccess file leaves the other files served',
    path: '/ht/files/page.txt',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'page in ht/files\n'),
  },
  {
    name: 'an unknown directive in .htaccess is 500, logged at alert with the file name',
    path: '/ht/bogus/page.txt',
    expectStatus: 500,
    logs: [
      /\[core:alert\] .*\/ht\/bogus\/\.htaccess: Invalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration/,
    ],
    check: canned('500 Internal Server Error', 'The server encountered an internal error'),
  },
  {
    name: 'Options in .htaccess under AllowOverride FileInfo is 500 (not allowed here)',
    path: '/ht/fileinfo/page.txt',
    expectStatus: 500,
    logs: [/\[core:alert\] .*\/ht\/fileinfo\/\.htaccess: Options not allowed here/],
  },
  {
    name: 'SetHandler, Options and SetEnv from .htaccess run a script with the variable set',
    path: '/ht/app/dump.wsgi/more?q=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['HT_VAR'], 'from-htaccess');
      assert.equal(env?.['SCRIPT_NAME'], '/ht/app/dump.wsgi');
      assert.equal(env?.['PATH_INFO'], '/more');
      assert.equal(env?.['mod_wsgi.process_group'], 'diff');
    },
  },
  {
    name: 'Order deny,allow with Deny from all and Allow from the client serves the file',
    path: '/ht/compat/page.txt',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'page in ht/compat\n'),
  },
  {
    name: 'Order allow,deny with no Allow matching the client is 403 with AH01797',
    path: '/ht/compat/denied/page.txt',
    expectStatus: 403,
    logs: [
      /\[access_compat:error\] .*AH01797: client denied by server configuration: \S*\/ht\/compat\/denied\/page\.txt/,
    ],
    check: canned('403 Forbidden', "You don't have permission to access this resource"),
  },
  {
    name: 'GET /noexec/dump.wsgi: AddHandler without Options ExecCGI is 403 and logged',
    path: '/noexec/dump.wsgi',
    expectStatus: 403,
    logs: [/Options ExecCGI is off in this directory: \S*\/htdocs\/noexec\/dump\.wsgi/],
    check: canned('403 Forbidden', "You don't have permission to access this resource."),
  },
  {
    name: 'GET /nopathinfo/dump.wsgi/extra: AcceptPathInfo Off refuses path info (404, logged)',
    path: '/nopathinfo/dump.wsgi/extra',
    expectStatus: 404,
    logs: [/AcceptPathInfo off disallows user's path: \S*\/htdocs\/nopathinfo\/dump\.wsgi/],
    check: canned('404 Not Found', 'The requested URL was not found on this server.'),
  },
  {
    name: 'GET /nopathinfo/dump.wsgi: AcceptPathInfo Off still runs the script without path info',
    path: '/nopathinfo/dump.wsgi',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/nopathinfo/dump.wsgi');
      assert.equal(env?.['PATH_INFO'], '');
    },
  },
  {
    name: 'GET /proxied/x: trusted proxy headers rewrite REMOTE_ADDR, scheme, host, port and SCRIPT_NAME',
    path: '/proxied/x',
    extraHeaders: PROXY_HEADERS,
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_ADDR'], '1.1.1.1');
      assert.equal(env?.['HTTP_X_FORWARDED_FOR'], '1.1.1.1, 2.2.2.2');
      assert.equal(env?.['wsgi.url_scheme'], 'https');
      assert.equal(env?.['HTTP_HOST'], 'www.example.com');
      assert.equal(env?.['SERVER_PORT'], '443');
      assert.equal(env?.['SCRIPT_NAME'], '/mount');
      assert.equal(env?.['mod_wsgi.mount_point'], '/mount');
      assert.equal(env?.['mod_wsgi.script_name'], '/proxied');
      assert.equal(env?.['PATH_INFO'], '/x');
      assert.equal(env?.['HTTP_X_REAL_IP'], undefined, 'another client header: removed');
      assert.equal(env?.['HTTP_X_SCHEME'], undefined, 'another scheme header: removed');
    },
  },
  {
    name: 'GET /untrusted: a peer not in WSGITrustedProxies gets nothing applied and the listed categories removed',
    path: '/untrusted',
    extraHeaders: PROXY_HEADERS,
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_ADDR'], '127.0.0.1');
      assert.equal(env?.['wsgi.url_scheme'], 'http');
      for (const k of [
        'HTTP_X_FORWARDED_FOR',
        'HTTP_X_REAL_IP',
        'HTTP_X_FORWARDED_PROTO',
        'HTTP_X_SCHEME',
      ])
        assert.equal(env?.[k], undefined, k);
      assert.equal(env?.['HTTP_X_FORWARDED_HOST'], 'www.example.com', 'not listed: passed as is');
    },
  },
  {
    name: 'GET /chain: X-Forwarded-For is walked from the right past the trusted proxies',
    path: '/chain',
    extraHeaders: 'X-Forwarded-For: 1.1.1.1, 2.2.2.2 ,10.0.0.5\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_ADDR'], '2.2.2.2');
      assert.equal(env?.['HTTP_X_FORWARDED_FOR'], '2.2.2.2, 10.0.0.5');
    },
  },
  {
    name: 'GET /eo?s=404: WSGIErrorOverride answers the ErrorDocument text, keeping only WWW-Authenticate',
    path: '/eo?s=404+Not+Found',
    expectStatus: 404,
    connection: 'keep-alive',
    check: (r) => {
      assert.equal(r.body.toString(), 'custom 404 text');
      assert.equal(header(r, 'WWW-Authenticate'), 'Basic realm="app"');
      assert.equal(header(r, 'X-Custom'), undefined);
      assert.equal(header(r, 'Set-Cookie'), undefined);
      assert.equal(header(r, 'Content-Type'), 'text/html; charset=iso-8859-1');
    },
  },
  {
    name: 'GET /eo?s=503: WSGIErrorOverride answers the canned 503 and closes',
    path: '/eo?s=503+Busy',
    expectStatus: 503,
    check: (r) => {
      assert.match(r.body.toString(), /<title>503 Service Unavailable<\/title>/);
      assert.equal(header(r, 'Connection'), 'close');
    },
  },
  {
    name: 'GET /eo?s=302: not an error, passed through with the app headers and body',
    path: '/eo?s=302+Found',
    expectStatus: 302,
    check: (r) => {
      assert.equal(r.body.toString(), 'app body line 1\napp body line 2\n');
      assert.equal(header(r, 'X-Custom'), 'yes');
    },
  },
  {
    name: 'GET /eo-off?s=404: without WSGIErrorOverride the app answer goes out as is',
    path: '/eo-off?s=404+Not+Found',
    expectStatus: 404,
    check: (r) => assert.equal(r.body.toString(), 'app body line 1\napp body line 2\n'),
  },
  {
    name: 'GET /eo-emb?s=404: embedded mode ignores WSGIErrorOverride',
    path: '/eo-emb?s=404+Not+Found',
    expectStatus: 404,
    check: (r) => {
      assert.equal(r.body.toString(), 'app body line 1\napp body line 2\n');
      assert.equal(header(r, 'X-Custom'), 'yes');
    },
  },
  {
    name: 'GET /hdr (daemon): repeated names merged, cookies last, WWW-Authenticate first, type lower-cased',
    path: '/hdr',
    expectStatus: 200,
    check: (r) => {
      assert.deepEqual(
        r.headers.map(([k]) => k.toLowerCase()),
        [
          'date',
          'server',
          'www-authenticate',
          'content-length',
          'last-modified',
          'x-b',
          'x-a',
          'vary',
          'set-cookie',
          'set-cookie',
          'connection',
          'content-type',
        ],
      );
      assert.equal(header(r, 'X-B'), '1, 2');
      assert.equal(header(r, 'Vary'), 'Accept,Cookie'); // fixup_vary
      assert.equal(header(r, 'Content-Type'), 'text/plain; Charset=UTF-8');
      assert.equal(header(r, 'Last-Modified'), 'Tue, 01 Jan 2019 00:00:00 GMT');
      assert.equal(r.body.toString(), 'abc');
    },
  },
  {
    name: 'GET /hdr?bad (daemon): an unparsable Last-Modified becomes the epoch',
    path: '/hdr?bad',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Last-Modified'), 'Thu, 01 Jan 1970 00:00:00 GMT'),
  },
  {
    name: 'GET /hdr-emb (embedded): only WWW-Authenticate moves, nothing is merged',
    path: '/hdr-emb',
    expectStatus: 200,
    check: (r) => {
      assert.equal(r.headers[2]?.[0], 'WWW-Authenticate');
      assert.equal(r.headers.filter(([k]) => k === 'X-B').length, 2);
    },
  },
  {
    name: 'GET /misc?nolength: a one-item body without Content-Length',
    path: '/misc?nolength',
    expectStatus: 200,
  },
  {
    name: 'GET /misc?empty: an empty body without Content-Length',
    path: '/misc?empty',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Transfer-Encoding'), 'chunked');
      assert.equal(r.body.length, 0);
    },
  },
  {
    name: 'GET /misc with Range: bytes=0-1 on an app response',
    path: '/misc',
    extraHeaders: 'Range: bytes=0-1\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), '0123456789'), // no byte ranges for apps
  },
  {
    name: 'GET /misc?etag with a matching If-None-Match',
    path: '/misc?etag',
    extraHeaders: 'If-None-Match: "v1"\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'hello'), // no 304 for a daemon app
  },
  {
    name: 'GET /misc?204: a 204 from the app drops its body',
    path: '/misc?204',
    expectStatus: 204,
    check: (r) => {
      assert.deepEqual(
        r.headers.map(([k]) => k),
        ['Date', 'Server', 'Connection'],
      );
      assert.equal(r.body.length, 0);
    },
  },
  {
    name: 'HEAD /misc?nolength: HEAD of a body without Content-Length',
    method: 'HEAD',
    path: '/misc?nolength',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Transfer-Encoding'), undefined);
      assert.equal(header(r, 'Content-Type'), 'text/plain');
    },
  },
  {
    name: 'GET /restricted: a process group WSGIRestrictProcess does not list is a 500',
    path: '/restricted',
    expectStatus: 500,
    logs: [
      /Daemon process called 'diff' cannot be accessed by this WSGI application as not a member of allowed groups: \S*\/dump\.wsgi/,
    ],
  },
  {
    name: 'GET /allowed: a listed process group runs the app',
    path: '/allowed',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['mod_wsgi.process_group'], 'diff'),
  },
  {
    name: 'GET /handled/page.txt: WSGIHandlerScript runs handle_request with the file as its resource',
    path: '/handled/page.txt',
    expectStatus: 200,
    check: (r) => {
      const body = r.body.toString();
      assert.match(body, /^SCRIPT_FILENAME=\S*\/htdocs\/handled\/page\.txt$/m);
      assert.match(body, /^mod_wsgi\.handler_script=\S*\/srv\/handler\.wsgi$/m);
      assert.match(body, /^mod_wsgi\.callable_object=handle_request$/m);
      assert.match(body, /^mod_wsgi\.request_handler=dump-handler$/m);
      assert.match(body, /^mod_wsgi\.process_group=diff$/m);
      assert.match(body, /^exists=True$/m);
    },
  },
  {
    name: 'GET /handled/none.txt/extra: the resource need not exist; path info is passed on',
    path: '/handled/none.txt/extra',
    expectStatus: 200,
    check: (r) => {
      assert.match(r.body.toString(), /^exists=False$/m);
      assert.match(r.body.toString(), /^SCRIPT_NAME=\/handled\/none\.txt$/m);
      assert.match(r.body.toString(), /^PATH_INFO=\/extra$/m);
    },
  },
  {
    name: 'GET /dispatched: a WSGIDispatchScript picks the application group (embedded)',
    path: '/dispatched',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['mod_wsgi.process_group'], '');
      // The hooks see the dispatch context: process group '' and its own group ''.
      assert.equal(env?.['mod_wsgi.application_group'], 'chosen[|]');
      assert.equal(env?.['mod_wsgi.callable_object'], 'application');
    },
  },
  {
    name: 'GET /dispatched?daemon: the WSGIDispatchScript moves the request into a daemon group',
    path: '/dispatched?daemon',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['mod_wsgi.process_group'], 'diff');
      assert.equal(env?.['mod_wsgi.application_group'], 'chosen[|]');
    },
  },
  {
    name: 'GET /ed/nothing?x=1: a local ErrorDocument app answers with its own status (200) and sees REDIRECT_*',
    path: '/ed/nothing?x=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REDIRECT_STATUS'], '404');
      assert.equal(env?.['REDIRECT_URL'], '/ed/nothing');
      assert.equal(env?.['REDIRECT_QUERY_STRING'], 'x=1');
      assert.equal(env?.['PATH_INFO'], '/errdoc');
    },
  },
  {
    name: 'POST /ed/nothing: the ErrorDocument request is a GET',
    method: 'POST',
    path: '/ed/nothing',
    body: 'a=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REQUEST_METHOD'], 'GET');
      assert.equal(env?.['REDIRECT_REQUEST_METHOD'], 'POST');
    },
  },
  {
    name: 'request headers reach the environ as Apache passes them (UTF-8 bytes, spaces, repeats, case)',
    method: 'POST',
    path: '/dump',
    body: 'x',
    extraHeaders:
      'X-Utf: caf\u00e9\r\nX-Sp:   v  w  \r\nCookie: a=1\r\nCookie: b=2\r\nx-lower-case: v\r\nContent-Type: text/plain; charset=utf-8\r\nX-Empty:\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['HTTP_X_UTF'], 'caf\u00c3\u00a9', 'bytes as latin-1 (PEP 3333)');
      assert.equal(env?.['HTTP_X_LOWER_CASE'], 'v');
      assert.equal(env?.['CONTENT_TYPE'], 'text/plain; charset=utf-8');
      assert.equal(env?.['HTTP_CONTENT_TYPE'], undefined);
    },
  },
  {
    name: 'POST /misc?loc: a 200 with a local Location is an internal GET redirect (daemon mode)',
    method: 'POST',
    path: '/misc?loc',
    body: 'payload',
    expectStatus: 200,
    dump: true,
    check: (r, env) => {
      assert.equal(env?.['REQUEST_METHOD'], 'GET');
      assert.equal(env?.['PATH_INFO'], '/from-redirect');
      assert.equal(env?.['QUERY_STRING'], 'y=2');
      assert.equal(env?.['REDIRECT_STATUS'], '200');
      assert.equal(env?.['REDIRECT_URL'], '/misc');
      assert.equal(env?.['CONTENT_LENGTH'], undefined, "the body was the first request's");
      assert.equal(header(r, 'X-Dropped'), undefined);
    },
  },
  {
    name: 'GET /misc-emb?loc: embedded mode passes the Location through',
    path: '/misc-emb?loc',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Location'), '/dump/from-redirect?y=2');
      assert.equal(r.body.toString(), 'discarded');
    },
  },
  {
    name: 'GET /authed without credentials: 401, the challenge and the canned page',
    path: '/authed',
    expectStatus: 401,
    connection: 'keep-alive',
    check: (r) => {
      canned('401 Unauthorized', 'could not verify that you')(r);
      assert.equal(header(r, 'WWW-Authenticate'), CHALLENGE);
    },
  },
  {
    name: 'GET /authed as alice ($apr1$): the app sees REMOTE_USER and AUTH_TYPE, not the header',
    path: '/authed/x',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_USER'], 'alice');
      assert.equal(env?.['AUTH_TYPE'], 'Basic');
      assert.equal(env?.['HTTP_AUTHORIZATION'], undefined);
      assert.equal(env?.['PATH_INFO'], '/x');
    },
  },
  {
    name: 'GET /authed as bob ({SHA}) with the scheme in lower case and extra blanks',
    path: '/authed',
    extraHeaders: `Authorization: basic  \t${Buffer.from('bob:hunter2').toString('base64')}\r\n`,
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'bob'),
  },
  {
    name: 'GET /authed as carol (bcrypt $2y$, a password with a space)',
    path: '/authed',
    extraHeaders: basic('carol', 'pass word'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'carol'),
  },
  {
    name: 'GET /authed as dave: a UTF-8 password is checked as its bytes',
    path: '/authed',
    extraHeaders: basic('dave', 'pässwörd'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'dave'),
  },
  {
    name: 'GET /authed with a wrong password: 401 and AH01617',
    path: '/authed',
    extraHeaders: basic('alice', 'secreT'),
    expectStatus: 401,
    logs: [/AH01617: user alice: authentication failure for "\/authed": Password Mismatch/],
    check: (r) => assert.equal(header(r, 'WWW-Authenticate'), CHALLENGE),
  },
  {
    name: 'GET /authed as an unknown user: 401 and AH01618',
    path: '/authed/who',
    extraHeaders: basic('mallory', 'secret'),
    expectStatus: 401,
    logs: [/AH01618: user mallory not found: \/authed\/who/],
  },
  {
    name: 'GET /authed with a Bearer token: 401 and AH01614',
    path: '/authed',
    extraHeaders: 'Authorization: Bearer abc.def\r\n',
    expectStatus: 401,
    logs: [/AH01614: client used wrong authentication scheme: \/authed/],
    check: (r) => assert.equal(header(r, 'WWW-Authenticate'), CHALLENGE),
  },
  {
    name: 'GET /authed with credentials that are not base64 text: the user is the decoded prefix',
    path: '/authed',
    extraHeaders: 'Authorization: Basic !!!\r\n',
    expectStatus: 401,
    logs: [/AH01618: user {2}not found: \/authed/],
  },
  {
    name: 'GET /authed/user as alice: Require user carol refuses with 401 and AH01631',
    path: '/authed/user',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 401,
    logs: [/AH01631: user alice: authorization failure for "\/authed\/user": /],
    check: (r) => assert.equal(header(r, 'WWW-Authenticate'), CHALLENGE),
  },
  {
    name: 'GET /authed/user as carol is granted',
    path: '/authed/user',
    extraHeaders: basic('carol', 'pass word'),
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /authed/forbid as alice: AuthzSendForbiddenOnFailure answers 403, no challenge',
    path: '/authed/forbid',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 403,
    check: (r) => assert.equal(header(r, 'WWW-Authenticate'), undefined),
  },
  {
    name: 'GET /authed/ip without credentials: the ip line fails, valid-user asks for a login',
    path: '/authed/ip',
    expectStatus: 401,
  },
  {
    name: 'GET /authed/local without credentials: Require local grants, no user in the environ',
    path: '/authed/local',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_USER'], undefined);
      assert.equal(env?.['AUTH_TYPE'], undefined);
    },
  },
  {
    name: 'GET /authed/pass as alice: WSGIPassAuthorization On shows the header to the app',
    path: '/authed/pass',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) =>
      assert.equal(
        env?.['HTTP_AUTHORIZATION'],
        `Basic ${Buffer.from('alice:secret').toString('base64')}`,
      ),
  },
  {
    name: 'GET /authed/errdoc without credentials: a local ErrorDocument 401 keeps the challenge',
    path: '/authed/errdoc',
    expectStatus: 401,
    check: (r) => {
      assert.equal(r.body.toString(), STATIC_BODY);
      assert.equal(header(r, 'WWW-Authenticate'), CHALLENGE);
    },
  },
  {
    name: 'GET /authed/nofile as alice: a missing AuthUserFile is a 500 with AH01620',
    path: '/authed/nofile',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 500,
    logs: [
      /\(2\)No such file or directory: \[client [^\]]*\] AH01620: Could not open password file: \S*\/no-such-htpasswd/,
    ],
  },
  {
    name: 'GET /authed/digestalg as erin: AuthBasicUseDigestAlgorithm MD5 checks the htdigest hash',
    path: '/authed/digestalg',
    extraHeaders: basic('erin', 'letmein'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'erin'),
  },
  {
    name: 'GET /authed/digestalg with a wrong password: 401 and AH01617',
    path: '/authed/digestalg',
    extraHeaders: basic('erin', 'letmeout'),
    expectStatus: 401,
    logs: [
      /AH01617: user erin: authentication failure for "\/authed\/digestalg": Password Mismatch/,
    ],
  },
  {
    name: 'GET /authed/notauthoritative as an unknown user: auth_basic declines, AH01796 500',
    path: '/authed/notauthoritative',
    extraHeaders: basic('mallory', 'x'),
    expectStatus: 500,
    logs: [/AH01796: AuthType Basic configured without corresponding module/],
  },
  {
    name: 'GET /authed/digest: AuthType Digest without mod_auth_digest is a 500 (AH01796)',
    path: '/authed/digest',
    expectStatus: 500,
    logs: [/AH01796: AuthType Digest configured without corresponding module/],
  },
  {
    name: 'GET /needuser: Require valid-user without AuthType is a 500 (AH00027)',
    path: '/needuser',
    expectStatus: 500,
    logs: [
      /AH00027: No authentication done but request not allowed without authentication for \/needuser\. Authentication not configured\?/,
    ],
  },
  {
    name: 'GET /authnn: AuthType Basic without AuthName is a 500 (AH01615)',
    path: '/authnn',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 500,
    logs: [/AH01615: need AuthName: \/authnn/],
  },
  {
    name: 'GET /authed/group as carol: a quoted member of admins is granted',
    path: '/authed/group',
    extraHeaders: basic('carol', 'pass word'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'carol'),
  },
  {
    name: 'GET /authed/group as alice: in staff, not admins: 401 and AH01631',
    path: '/authed/group',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 401,
    logs: [/AH01631: user alice: authorization failure for "\/authed\/group": /],
  },
  {
    name: 'GET /authed/nogroupfile as carol: Require group without AuthGroupFile (AH01664)',
    path: '/authed/nogroupfile',
    extraHeaders: basic('carol', 'pass word'),
    expectStatus: 401,
    logs: [/AH01664: No group file was specified in the configuration/],
  },
  {
    name: 'GET /wsgiauth as eve: WSGIAuthUserScript check_password grants, with its Auth_environ',
    path: '/wsgiauth/x?q=1',
    extraHeaders: basic('eve', 'pw-eve'),
    expectStatus: 200,
    dump: true,
    logs: [
      /auth-environ DOCUMENT_ROOT HTTP_CONNECTION HTTP_HOST PATH_INFO QUERY_STRING REMOTE_ADDR REMOTE_PORT REQUEST_METHOD REQUEST_URI SCRIPT_NAME SERVER_ADDR SERVER_ADMIN SERVER_NAME SERVER_PORT SERVER_PROTOCOL SERVER_SIGNATURE SERVER_SOFTWARE apache\.version mod_ssl\.is_https mod_ssl\.var_lookup mod_wsgi\.application_group mod_wsgi\.process_group mod_wsgi\.script_reloading mod_wsgi\.version wsgi\.errors$/m,
      /auth-context '' '' '\/wsgiauth'/,
    ],
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_USER'], 'eve');
      assert.equal(env?.['AUTH_TYPE'], 'Basic');
    },
  },
  {
    name: 'GET /wsgiauth as rename: a str result replaces the user name',
    path: '/wsgiauth',
    extraHeaders: basic('rename', 'x'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'renamed-user'),
  },
  {
    name: 'GET /wsgiauth with a wrong password: False is a mismatch (AH01617)',
    path: '/wsgiauth',
    extraHeaders: basic('eve', 'nope'),
    expectStatus: 401,
    logs: [/AH01617: user eve: authentication failure for "\/wsgiauth": Password Mismatch/],
    check: (r) => assert.equal(header(r, 'WWW-Authenticate'), 'Basic realm="WSGI"'),
  },
  {
    name: 'GET /wsgiauth as nobody: None is an unknown user (AH01618)',
    path: '/wsgiauth',
    extraHeaders: basic('nobody', 'x'),
    expectStatus: 401,
    logs: [/AH01618: user nobody not found: \/wsgiauth/],
  },
  {
    name: 'GET /wsgiauth as boom: a hook that raises is a 500 with its traceback',
    path: '/wsgiauth',
    extraHeaders: basic('boom', 'x'),
    expectStatus: 500,
    logs: [
      /Exception occurred processing WSGI script '[^']*\/auth\.wsgi'/,
      /RuntimeError: auth script boom/,
    ],
  },
  {
    name: 'GET /wsgiauth/both as alice: None passes the user on to the file provider',
    path: '/wsgiauth/both',
    extraHeaders: basic('alice', 'secret'),
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_USER'], 'alice'),
  },
  {
    name: 'GET /wsgiauth/group as eve: Require wsgi-group grants a member',
    path: '/wsgiauth/group',
    extraHeaders: basic('eve', 'pw-eve'),
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /wsgiauth/group as ann: not in the group, 401 and mod_wsgi says why',
    path: '/wsgiauth/group',
    extraHeaders: basic('ann', 'pw-ann'),
    expectStatus: 401,
    logs: [
      /Authorization of user 'ann' to access '\/wsgiauth\/group' failed\. User is not a member of designated groups\./,
    ],
  },
  {
    name: 'GET /wsgiaccess?allow: allow_access True grants',
    path: '/wsgiaccess?allow',
    expectStatus: 200,
    dump: true,
    logs: [/access-host 127\.0\.0\.1/],
  },
  {
    name: 'GET /wsgiaccess?deny: allow_access False is a 403',
    path: '/wsgiaccess?deny',
    expectStatus: 403,
    logs: [/Client denied by server configuration: '[^']*\/dump\.wsgi'\./],
  },
  {
    name: 'GET /wsgiaccess: allow_access None leaves the decision to Require',
    path: '/wsgiaccess',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /wsgiauth/group as lonely: no groups at all, 401 and mod_wsgi says so',
    path: '/wsgiauth/group',
    extraHeaders: basic('lonely', 'pw-lonely'),
    expectStatus: 401,
    logs: [
      /Authorization of user 'lonely' to access '\/wsgiauth\/group' failed\. User is not a member of any groups\./,
    ],
  },
  {
    name: 'GET /wsgiauthnone: AuthBasicProvider wsgi without WSGIAuthUserScript is a 500',
    path: '/wsgiauthnone',
    extraHeaders: basic('eve', 'pw-eve'),
    expectStatus: 500,
    logs: [/mod_wsgi \(pid=\d+\): Location of WSGI user authentication script not provided\./],
  },
  {
    name: 'GET /dump/se: SetEnvIf/BrowserMatch set and unset variables the app sees',
    path: '/dump/se',
    extraHeaders: 'User-Agent: DiffAgent/7\r\nX-Diff-Thing: YES\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['DIFF_AGENT'], 'v7');
      assert.equal(env?.['agent_seen'], undefined, 'unset again by the per-dir BrowserMatch');
      assert.equal(env?.['DIFF_HDR_REGEX'], '1');
      assert.equal(env?.['DIFF_URI_SERVER'], '1');
      assert.equal(env?.['DIFF_METHOD'], 'get');
      assert.equal(env?.['FROM_ENV'], '1');
      assert.equal(env?.['LOCAL_CLIENT'], '1');
      assert.equal(env?.['MISSING_HEADER_EMPTY'], '1');
      assert.equal(env?.['PROTO_11'], '1');
    },
  },
  {
    name: 'GET /dump with a Mozilla/2 agent: BrowserMatchNoCase sets nokeepalive',
    path: '/dump',
    extraHeaders: 'User-Agent: MOZILLA/2.02Gold\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['nokeepalive'], '1');
      assert.equal(env?.['DIFF_AGENT'], undefined);
    },
  },
  {
    name: 'GET /dump/ra: <RequireAll> with Require not ip refuses the client (AH01630)',
    path: '/dump/ra',
    expectStatus: 403,
    logs: [/AH01630: client denied by server configuration: \S*\/dump\.wsgi/],
  },
  {
    name: 'GET /dump/rn: <RequireNone> inside <RequireAll> grants GET',
    path: '/dump/rn',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'POST /dump/rn: the same <RequireNone> refuses POST',
    method: 'POST',
    path: '/dump/rn',
    body: 'x=1',
    expectStatus: 403,
  },
  {
    name: 'GET /dump/mand: AuthMerging And with the directory grant and an ip line refuses',
    path: '/dump/mand',
    expectStatus: 403,
  },
  {
    name: 'GET /dump/mor: AuthMerging Or keeps the directory grant',
    path: '/dump/mor',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /dump/rhost: Require host localhost grants 127.0.0.1 by its double-reverse name',
    path: '/dump/rhost',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /dump/rhostno: Require host of another domain refuses (AH01630)',
    path: '/dump/rhostno',
    expectStatus: 403,
    logs: [/AH01630: client denied by server configuration: \S*\/dump\.wsgi/],
  },
  {
    name: 'GET /dump/rfwd: Require forward-dns localhost grants the address localhost resolves to',
    path: '/dump/rfwd',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'GET /dump/chain: PATH_TRANSLATED is what a sub-request for PATH_INFO maps to (an alias)',
    path: '/dump/chain',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['PATH_INFO'], '/chain');
      assert.match(String(env?.['PATH_TRANSLATED']), /\/srv\/dump\.wsgi$/);
    },
  },
  // mod_reqtimeout (RequestReadTimeout body=1): a body that stops coming.
  {
    name: 'POST /hello.txt with a stalled body: 408 once the body deadline passes (reqtimeout)',
    method: 'POST',
    path: '/hello.txt',
    extraHeaders: 'Content-Length: 100\r\n',
    rawBody: '0123456789',
    expectStatus: 408,
    check: (r) => {
      assert.equal(header(r, 'Connection'), 'close');
      assert.match(r.body.toString(), /<title>408 Request Timeout<\/title>/);
    },
  },
  {
    name: 'POST /dump with a stalled body: the daemon-mode app is cut off, 408 (reqtimeout)',
    method: 'POST',
    path: '/dump',
    extraHeaders: 'Content-Length: 100\r\n',
    rawBody: '0123456789',
    expectStatus: 408,
    logs: [
      /mod_wsgi \(pid=\d+\): Request data read error when proxying data to daemon process: The timeout specified has expired\./,
    ],
    check: (r) => assert.equal(header(r, 'Connection'), 'close'),
  },
  {
    name: 'GET /passauth/x?q=1: CGIPassAuth passes both authorization headers, CGIVar REQUEST_URI current-uri',
    path: '/passauth/x?q=1',
    extraHeaders: 'Authorization: Basic eDp5\r\nProxy-Authorization: Basic cDpx\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['HTTP_AUTHORIZATION'], 'Basic eDp5');
      assert.equal(env?.['HTTP_PROXY_AUTHORIZATION'], 'Basic cDpx');
      assert.equal(env?.['REQUEST_URI'], '/passauth/x');
    },
  },
  // mod_remoteip (RemoteIPHeader X-Diff-Client; internal 127.0.0.1, trusted 10.0.0.0/8).
  {
    name: 'remoteip: a public client behind a trusted proxy becomes REMOTE_ADDR (mod_remoteip)',
    path: '/dump/x',
    extraHeaders: 'X-Diff-Client: 203.0.113.9, 10.0.0.1\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_ADDR'], '203.0.113.9');
      // REMOTE_PORT stays the peer's (ap_add_common_vars reads c->client_addr).
      assert.notEqual(env?.['REMOTE_PORT'], '0');
      assert.equal(env?.['HTTP_X_DIFF_CLIENT'], undefined);
      assert.equal(env?.['HTTP_X_DIFF_PROXIES'], '10.0.0.1');
    },
  },
  {
    name: 'remoteip: a trusted (external) proxy may not present a private address (mod_remoteip)',
    path: '/dump/x',
    extraHeaders: 'X-Diff-Client: 192.168.1.5, 10.0.0.1\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_ADDR'], '10.0.0.1');
      assert.equal(env?.['HTTP_X_DIFF_CLIENT'], '192.168.1.5');
      assert.equal(env?.['HTTP_X_DIFF_PROXIES'], undefined);
    },
  },
  {
    name: 'remoteip: an entry that is no address stops the walk and stays (mod_remoteip)',
    path: '/dump/x',
    extraHeaders: 'X-Diff-Client: 198.51.100.7, not-an-ip\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['REMOTE_ADDR'], '127.0.0.1');
      assert.equal(env?.['HTTP_X_DIFF_CLIENT'], '198.51.100.7, not-an-ip');
    },
  },
  {
    name: 'remoteip: Require ip checks the client the header named (mod_remoteip)',
    path: '/dump/riponly',
    extraHeaders: 'X-Diff-Client: 203.0.113.20\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REMOTE_ADDR'], '203.0.113.20'),
  },
  {
    name: 'remoteip: without the header the peer is the client, and Require ip refuses it (mod_remoteip)',
    path: '/dump/riponly',
    expectStatus: 403,
  },
  // mod_unique_id (loaded for every case: UNIQUE_ID in each environ).
  {
    name: 'UNIQUE_ID: 27 base64url characters, also the request log id (mod_unique_id)',
    path: '/dump/uid',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.match(String(env?.['UNIQUE_ID']), /^[A-Za-z0-9_-]{27}$/);
      assert.equal(env?.['mod_wsgi.request_id'], env?.['UNIQUE_ID']);
    },
  },
  // mod_userdir (UserDir htdocs/users/*/www http://example.com/~*/; root disabled).
  {
    name: 'GET /~alice/page.txt: a user directory that exists serves the file (mod_userdir)',
    path: '/~alice/page.txt',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'alice page\n'),
  },
  {
    name: 'GET /~bob/x?q=1: no directory, so the next UserDir redirects (mod_userdir)',
    path: '/~bob/x?q=1',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://example.com/~bob/x'),
  },
  {
    name: 'GET /~root/: a disabled user is left to the rest of the server, 404 (mod_userdir)',
    path: '/~root/',
    expectStatus: 404,
  },
  {
    name: "GET /~alice: the user directory without its slash gets mod_dir's 301 (mod_userdir)",
    path: '/~alice',
    expectStatus: 301,
    check: (r) => assert.match(header(r, 'Location') ?? '', /\/~alice\/$/),
  },
  // mod_macro (DiffAlias used twice).
  {
    name: 'GET /macro-hello: directives from a Use of a macro (mod_macro)',
    path: '/macro-hello',
    expectStatus: 200,
    check: (r) => {
      assert.equal(r.body.toString(), STATIC_BODY);
      assert.equal(header(r, 'X-Macro'), 'one');
    },
  },
  {
    name: 'GET /macro-again: the second Use with its own arguments (mod_macro)',
    path: '/macro-again',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Macro'), 'two'),
  },
  {
    name: 'RedirectMatch with & and backslashes: config words and ap_pregsub as in 2.4',
    path: '/amp/zz',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://x/a&bzz$1&'),
  },
  // mod_speling (htdocs/spell: README.txt, file.html, file.txt).
  {
    name: 'GET /spell/readme.TXT: a miscapitalized name is a 301 to the file (mod_speling)',
    path: '/spell/readme.TXT?q=1',
    expectStatus: 301,
    check: (r) => assert.match(header(r, 'Location') ?? '', /\/spell\/README\.txt\?q=1$/),
  },
  {
    name: 'GET /spell/REDAME.txt: one transposition is a 301 (mod_speling)',
    path: '/spell/REDAME.txt',
    expectStatus: 301,
    check: (r) => assert.match(header(r, 'Location') ?? '', /\/spell\/README\.txt$/),
  },
  {
    name: 'GET /spell/file.htm: a missing character beats a basename match, 301 (mod_speling)',
    path: '/spell/file.htm',
    expectStatus: 301,
    check: (r) => assert.match(header(r, 'Location') ?? '', /\/spell\/file\.html$/),
  },
  {
    name: 'GET /spell/file: basename matches only give the 300 page (mod_speling)',
    path: '/spell/file',
    expectStatus: 300,
    check: (r) => assert.match(r.body.toString(), /Available documents:/),
  },
  {
    name: 'GET /spell/x: "." is a name like any other, one mistyped character away (mod_speling)',
    path: '/spell/x',
    expectStatus: 301,
    check: (r) => assert.match(header(r, 'Location') ?? '', /\/spell\/\.$/),
  },
  {
    name: 'GET /spell/nothing.txt: nothing close is a 404 (mod_speling)',
    path: '/spell/nothing.txt',
    expectStatus: 404,
  },
  // mod_allowmethods (<Location /dump/am>, /dump/am/reset).
  {
    name: 'AllowMethods GET POST: PUT is 405 with AH01623 (mod_allowmethods)',
    method: 'PUT',
    path: '/dump/am/x',
    body: 'abc',
    expectStatus: 405,
    logs: [/AH01623: client method denied by server configuration: 'PUT' to \S+\/dump\.wsgi/],
  },
  {
    name: 'AllowMethods GET: HEAD counts as GET (mod_allowmethods)',
    method: 'HEAD',
    path: '/act/h.txt',
    expectStatus: 200,
  },
  {
    name: 'AllowMethods GET: DELETE on a static file is 405, the file named (mod_allowmethods)',
    method: 'DELETE',
    path: '/act/h.txt',
    expectStatus: 405,
    logs: [/AH01623: client method denied by server configuration: 'DELETE' to \S+\/act\/h\.txt/],
  },
  {
    name: 'AllowMethods GET POST: POST reaches the app (mod_allowmethods)',
    method: 'POST',
    path: '/dump/am/x',
    body: 'a=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REQUEST_METHOD'], 'POST'),
  },
  {
    name: 'AllowMethods reset: every method again (mod_allowmethods)',
    method: 'DELETE',
    path: '/dump/am/reset/x',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REQUEST_METHOD'], 'DELETE'),
  },
  // mod_auth_basic's AuthBasicFake (<Location /fakeauth…>).
  {
    name: 'GET /fakeauth: AuthBasicFake builds Authorization from its expressions (mod_auth_basic)',
    path: '/fakeauth/x',
    extraHeaders: 'Authorization: Basic b2xkOm9sZA==\r\nX-Pw: s3cret\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) =>
      assert.equal(
        env?.['HTTP_AUTHORIZATION'],
        `Basic ${Buffer.from('u-127.0.0.1:p-s3cret').toString('base64')}`,
      ),
  },
  {
    name: 'GET /fakeauth/nopw: an empty password expression removes Authorization (mod_auth_basic)',
    path: '/fakeauth/nopw/x',
    extraHeaders: 'Authorization: Basic b2xkOm9sZA==\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['HTTP_AUTHORIZATION'], undefined),
  },
  {
    name: 'GET /fakeauth/default: without a password expression the password is "password" (mod_auth_basic)',
    path: '/fakeauth/default/x',
    extraHeaders: 'X-User: alice\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) =>
      assert.equal(
        env?.['HTTP_AUTHORIZATION'],
        `Basic ${Buffer.from('alice:password').toString('base64')}`,
      ),
  },
  // mod_headers (<Location /hdrs>, <Location /hdrs404>).
  {
    name: 'GET /hdrs: Header set/always/append/merge/add/echo/edit/env= and RequestHeader edits (mod_headers)',
    path: '/hdrs/x',
    extraHeaders: 'X-Echo-Me: hi\r\nUser-Agent: ua/1\r\nAccept-Language: de\r\nX-Edit: aXa\r\n',
    expectStatus: 200,
    dump: true,
    check: (r, env) => {
      assert.equal(header(r, 'X-Frame-Options'), 'DENY');
      assert.equal(header(r, 'X-Always'), 'yes (null)');
      assert.equal(header(r, 'Vary'), 'Accept');
      assert.equal(header(r, 'X-Echo-Me'), 'hi');
      assert.equal(header(r, 'Content-Type'), 'text/x-json');
      assert.equal(header(r, 'X-Cond'), undefined);
      assert.equal(header(r, 'X-NotCond'), 'on');
      assert.equal(env?.['HTTP_X_REQ'], 'injected');
      assert.equal(env?.['HTTP_ACCEPT_LANGUAGE'], 'de, fr');
      assert.equal(env?.['HTTP_USER_AGENT'], undefined);
      assert.equal(env?.['HTTP_X_EDIT'], 'bXb');
    },
  },
  {
    name: 'GET /hdrs404: an error page gets Header always lines only (mod_headers)',
    path: '/hdrs404',
    expectStatus: 404,
    check: (r) => {
      assert.equal(header(r, 'X-Always'), 'yes');
      assert.equal(header(r, 'X-OnSuccess'), undefined);
    },
  },
  // mod_cgi (ScriptAlias /cgi-bin/ → srv/cgi).
  {
    name: 'GET /cgi-bin/bad.cgi: a head line without a colon is a 500 (mod_cgi)',
    path: '/cgi-bin/bad.cgi',
    expectStatus: 500,
    logs: [/malformed header from script 'bad\.cgi': Bad header: garbage line without colon/],
  },
  {
    name: 'GET /cgi-bin/ext.cgi: Location to a URL is a 302 (mod_cgi)',
    path: '/cgi-bin/ext.cgi',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://example.com/elsewhere'),
  },
  {
    name: 'POST /cgi-bin/redir.cgi: a local Location is an internal GET redirect (mod_cgi)',
    method: 'POST',
    path: '/cgi-bin/redir.cgi',
    body: 'a=1',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), STATIC_BODY),
  },
  {
    name: 'GET /cgi-bin/noexec.cgi: a script without x permission fails to exec, 500 (mod_cgi)',
    path: '/cgi-bin/noexec.cgi',
    expectStatus: 500,
    logs: [
      /AH01215: stderr from \S+\/noexec\.cgi: \(13\)Permission denied: exec of '\S+\/noexec\.cgi' failed/,
      /End of script output before headers: noexec\.cgi/,
    ],
  },
  {
    name: 'GET /cgi-bin/missing.cgi: 404 with AH02811 (mod_cgi)',
    path: '/cgi-bin/missing.cgi',
    expectStatus: 404,
    logs: [/AH02811: stderr from \S+\/missing\.cgi: script not found or unable to stat/],
  },
  // mod_actions (htdocs/act, /vact, /nvact → /cgi-bin/env.cgi, which prints its variables).
  {
    name: 'GET /act/a.act: an Action for the handler redirects to its script (mod_actions)',
    path: '/act/a.act',
    expectStatus: 200,
    check: (r) => {
      const body = r.body.toString();
      assert.match(body, /^PATH_INFO=\/act\/a\.act$/m);
      assert.match(body, /^REDIRECT_HANDLER=act-type$/m);
      assert.match(body, /^SCRIPT_NAME=\/cgi-bin\/env\.cgi$/m);
    },
  },
  {
    name: 'GET /act/p.html: an Action for the media type (mod_actions)',
    path: '/act/p.html',
    expectStatus: 200,
    check: (r) => assert.match(r.body.toString(), /^REDIRECT_HANDLER=text\/html$/m),
  },
  {
    name: 'GET /act/t.txt?x=1: Script GET serves a GET with a query string (mod_actions)',
    path: '/act/t.txt?x=1',
    expectStatus: 200,
    check: (r) => {
      assert.match(r.body.toString(), /^QUERY_STRING=x=1$/m);
      assert.match(r.body.toString(), /^REDIRECT_HANDLER=$/m);
    },
  },
  {
    name: 'GET /act/t.txt: Script GET leaves a GET without a query string alone (mod_actions)',
    path: '/act/t.txt',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'plain text\n'),
  },
  {
    name: 'PUT /act/t.txt: Script PUT gets the request and its body (mod_actions)',
    method: 'PUT',
    path: '/act/t.txt',
    body: 'abc',
    expectStatus: 200,
    check: (r) => {
      assert.match(r.body.toString(), /^REQUEST_METHOD=PUT$/m);
      assert.match(r.body.toString(), /^CONTENT_LENGTH=3$/m);
    },
  },
  {
    name: 'GET /vact/any/x%20y?z=2: a virtual Action needs no file (mod_actions)',
    path: '/vact/any/x%20y?z=2',
    expectStatus: 200,
    check: (r) => assert.match(r.body.toString(), /^PATH_INFO=\/vact\/any\/x y$/m),
  },
  {
    name: 'GET /nvact/missing: an Action without virtual needs the file, 404 (mod_actions)',
    path: '/nvact/missing',
    expectStatus: 404,
  },
  {
    name: 'GET /act/h.txt: %{HANDLER} is the media type while a static file is sent (core)',
    path: '/act/h.txt',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Handler'), 'text/plain'),
  },
  {
    name: 'GET /act/none.act: a missing file under an Action is 404 (mod_actions)',
    path: '/act/none.act',
    expectStatus: 404,
  },
  ...AUTOINDEX_CASES,
  // --- mod_rewrite (helper `rewrite`): the rules under <Location /rw> and ht/rw* .htaccess.
  {
    name: 'rewrite [R=301]: an external redirect keeps the query string',
    path: '/rw/old/a%20b?y=1',
    expectStatus: 301,
    check: (r) =>
      assert.match(header(r, 'Location') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/rw\/new\/a%20b\?y=1$/),
  },
  {
    name: 'rewrite [QSA,PT]: into a WSGIScriptAlias, the query merged, REQUEST_URI the original',
    path: '/rw/pt/x/y?b=2',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/dump');
      assert.equal(env?.['PATH_INFO'], '/pt/x/y');
      assert.equal(env?.['QUERY_STRING'], 'added=1&b=2');
      assert.equal(env?.['REQUEST_URI'], '/rw/pt/x/y?b=2');
      assert.equal(env?.['SCRIPT_URL'], '/rw/pt/x/y');
    },
  },
  {
    name: 'rewrite [QSD]: the query string is dropped',
    path: '/rw/qsd?gone=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['QUERY_STRING'], ''),
  },
  {
    name: 'rewrite: a trailing ? in the substitution drops the query string',
    path: '/rw/noqs?gone=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['QUERY_STRING'], ''),
  },
  {
    name: 'rewrite [F]: 403 with the canned page',
    path: '/rw/forbidden',
    expectStatus: 403,
    check: canned('403 Forbidden', "You don't have permission"),
  },
  {
    name: 'rewrite [G]: 410 Gone',
    path: '/rw/gone',
    expectStatus: 410,
    check: canned('410 Gone', 'no longer available'),
  },
  {
    name: 'rewrite [R=451] on a `-` rule answers the status like [F]',
    path: '/rw/legal',
    expectStatus: 451,
  },
  {
    name: 'rewrite [N]: the rule set restarts until no `a` is left',
    path: '/rw/n/banana',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/n/bbnbnb'),
  },
  {
    name: 'rewrite [N=5]: past the round limit 500 and AH02596',
    path: '/rw/nloop/a',
    expectStatus: 500,
    logs: [
      /AH02596: RewriteRule '\^\/rw\/nloop\/\(\.\*\)\$' and URI '\/rw\/nloop\/a' exceeded maximum number of rounds \(5\) via the \[N\] flag/,
    ],
  },
  {
    name: 'rewrite [E=]: variables set by the rule reach the WSGI environ',
    path: '/rw/env',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['RW_VAR'], 'hello');
      assert.equal(env?.['RW_EMPTY'], '');
    },
  },
  {
    name: 'rewrite: RewriteCond [NC] on User-Agent, %1 from the condition',
    path: '/rw/agent',
    extraHeaders: 'User-Agent: RWAgent/42 x\r\n',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/agent/42'),
  },
  {
    name: 'rewrite: an absolute URL substitution redirects (302), its path escaped',
    path: '/rw/ext/a%20b%7E',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://example.com/x/a%20b~'),
  },
  {
    name: 'rewrite: a ? that came from a back-reference (%3F) is refused, 403 and AH10508',
    path: '/rw/ext/a%3Fc',
    expectStatus: 403,
    logs: [/AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F/],
  },
  {
    name: 'rewrite [UnsafeAllow3F]: the decoded ? splits off a query string',
    path: '/rw/ext3f/a%3Fc=1',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://example.com/x/a?c=1'),
  },
  {
    name: 'rewrite [B]: the back-reference is escaped into the query',
    path: '/rw/b/a%20b&c=d',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['QUERY_STRING'], 'q=a+b%26c%3dd'),
  },
  {
    name: 'rewrite [NE,R]: the fragment is not escaped',
    path: '/rw/ne/frag',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://example.com/#frag'),
  },
  {
    name: 'rewrite [CO=]: the cookie goes out with the response',
    path: '/rw/cookie',
    expectStatus: 200,
    dump: true,
    check: (r) =>
      assert.equal(
        header(r, 'Set-Cookie'),
        'rwc=val; path=/p; domain=.example.com; secure; HttpOnly',
      ),
  },
  {
    name: 'rewrite [T=]: a local file served with the forced type',
    path: '/rw/type',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Content-Type'), 'application/x-rw');
      assert.equal(r.body.toString(), STATIC_BODY);
    },
  },
  {
    name: 'rewrite: %{HTTP:X-Rw} matches, and the header is added to Vary',
    path: '/rw/hdr',
    extraHeaders: 'X-Rw: yes\r\n',
    expectStatus: 200,
    dump: true,
    check: (r, env) => {
      assert.equal(env?.['PATH_INFO'], '/hdr');
      assert.equal(header(r, 'Vary'), 'X-Rw');
    },
  },
  {
    name: 'rewrite: %{HTTP:X-Rw} not matching falls to the next rule',
    path: '/rw/hdr',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/nohdr'),
  },
  {
    name: 'rewrite: -f and -d conditions on %{DOCUMENT_ROOT} paths',
    path: '/rw/files',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/files'),
  },
  {
    name: 'rewrite [S=1]: the next rule is skipped',
    path: '/rw/skip',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/notskipped'),
  },
  {
    name: 'rewrite: int:toupper and txt: maps, with a default for a missing key',
    path: '/rw/map/abc',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/map/ABC/found-abc'),
  },
  {
    name: 'rewrite: a txt: map key that is missing takes the default',
    path: '/rw/map/xyz',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/map/XYZ/nokey'),
  },
  {
    name: 'rewrite [C]: a chained rule applies after its head matched',
    path: '/rw/chain/abc',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/chain/abc'),
  },
  {
    name: 'rewrite [C]: a chain whose tail does not match leaves the URL rewritten by the head',
    path: '/rw/chain/xyz',
    expectStatus: 404,
  },
  {
    name: 'rewrite: %2 from a QUERY_STRING condition, the query dropped by the trailing ?',
    path: '/rw/qs?x=1&id=77',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['PATH_INFO'], '/qs/77');
      assert.equal(env?.['QUERY_STRING'], '');
    },
  },
  {
    name: 'rewrite: -gt and >= compare numbers and strings',
    path: '/rw/cmp',
    extraHeaders: 'X-Num: 12\r\nX-Str: zebra\r\n',
    expectStatus: 200,
    dump: true,
  },
  {
    name: 'rewrite: -gt not satisfied leaves the URL alone (404)',
    path: '/rw/cmp',
    extraHeaders: 'X-Num: 3\r\nX-Str: zebra\r\n',
    expectStatus: 404,
  },
  {
    name: 'rewrite .htaccess: a missing file goes to app.wsgi (PATH_INFO, REDIRECT_* as mod_wsgi)',
    path: '/ht/rwapp/some/where?q=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['SCRIPT_NAME'], '/ht/rwapp/app.wsgi');
      assert.equal(env?.['PATH_INFO'], '/some/where');
      assert.equal(env?.['QUERY_STRING'], 'q=1');
      assert.equal(env?.['REQUEST_URI'], '/ht/rwapp/some/where?q=1');
      assert.equal(env?.['REDIRECT_URL'], '/ht/rwapp/some/where');
      assert.equal(env?.['REDIRECT_STATUS'], '200');
    },
  },
  {
    name: 'rewrite .htaccess: an existing file is served as is',
    path: '/ht/rwapp/page.txt',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'page in ht/rwapp\n'),
  },
  {
    name: 'rewrite .htaccess: the directory itself goes to the app with PATH_INFO /',
    path: '/ht/rwapp/',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/'),
  },
  {
    name: 'rewrite .htaccess: RewriteBase makes a relative [R] target a URL',
    path: '/ht/rwbase/go/x?k=v',
    expectStatus: 302,
    check: (r) =>
      assert.match(
        header(r, 'Location') ?? '',
        /^http:\/\/127\.0\.0\.1:\d+\/ht\/rwbase\/target\/x\?k=v$/,
      ),
  },
  {
    name: 'rewrite .htaccess: an absolute path target is an internal redirect to the app',
    path: '/ht/rwbase/abs',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/fromabs'),
  },
  {
    name: 'rewrite .htaccess [END]: the redirected request is not rewritten again',
    path: '/ht/rwbase/end',
    expectStatus: 404,
  },
  {
    name: 'rewrite .htaccess: a rule that redirects to itself loops until LimitInternalRecursion',
    path: '/ht/rwbase/loop',
    expectStatus: 500,
    logs: [/AH00124: Request exceeded the limit of 10 internal redirects/],
  },
  {
    name: 'rewrite .htaccess [E=]: the variable reaches the app as REDIRECT_HT_RW',
    path: '/ht/rwbase/env',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['REDIRECT_HT_RW'], '1'),
  },
  {
    name: 'rewrite .htaccess: a relative target under RewriteBase serves the file',
    path: '/ht/rwbase/page',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'page in ht/rwbase\n'),
  },
  {
    name: 'rewrite .htaccess: the directory without its slash is left to mod_dir (301)',
    path: '/ht/rwapp',
    expectStatus: 301,
    check: (r) => assert.match(header(r, 'Location') ?? '', /\/ht\/rwapp\/$/),
  },
  {
    name: 'rewrite: http://own-name/ with ServerName without a port is not reduced (302)',
    path: '/rw/self',
    expectStatus: 302,
    check: (r) => assert.equal(header(r, 'Location'), 'http://127.0.0.1/hello.txt'),
  },
  {
    name: 'rewrite: /$1 naming an existing top-level dir stays under the DocumentRoot (404)',
    path: '/rw/cve/tmp',
    expectStatus: 404,
  },
  {
    name: 'rewrite: /$1 naming a document is served from the DocumentRoot',
    path: '/rw/cve/hello.txt',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), STATIC_BODY),
  },
  {
    name: 'rewrite .htaccess RewriteOptions Inherit: the <Directory> rules apply after its own',
    path: '/ht/rwbase/fromdir',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => assert.equal(env?.['PATH_INFO'], '/fromdir'),
  },
  // --- end mod_rewrite
  // --- mod_negotiation (helper: negotiation) -------------------------------------------
  {
    name: 'GET /neg/page: MultiViews picks the Accept-Language variant (Vary, TCN, Content-Location)',
    path: '/neg/page',
    extraHeaders: 'Accept-Language: fr\r\n',
    expectStatus: 200,
    check: (r) => {
      assert.equal(r.body.toString(), 'french\n');
      assert.equal(header(r, 'Content-Location'), 'page.html.fr');
      assert.equal(header(r, 'Vary'), 'negotiate,accept-language');
      assert.equal(header(r, 'TCN'), 'choice');
      assert.equal(header(r, 'Content-Language'), 'fr');
    },
  },
  {
    name: 'GET /neg/page: without Accept-Language, LanguagePriority decides',
    path: '/neg/page',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'deutsch!\n'),
  },
  {
    name: 'GET /neg/page: Accept-Language en-US reaches the en variant (the prefix fiddle)',
    path: '/neg/page',
    extraHeaders: 'Accept-Language: en-US\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'english\n'),
  },
  {
    name: 'GET /neg/page: an unavailable language is 406 with the variant list (AH00690)',
    path: '/neg/page',
    extraHeaders: 'Accept-Language: it\r\n',
    expectStatus: 406,
    logs: [/AH00690: no acceptable variant: \S*\/neg\/page/],
    check: (r) => {
      assert.match(r.body.toString(), /Available variants:\n<ul>\n<li><a href="page.html.de">/);
      assert.match(header(r, 'Alternates') ?? '', /^\{"page.html.de" 1 \{type text\/html\}/);
    },
  },
  {
    name: 'GET /neg/page: a transparent-negotiation client gets 300 Multiple Choices',
    path: '/neg/page',
    extraHeaders: 'Negotiate: trans\r\nAccept-Language: it\r\n',
    expectStatus: 300,
  },
  {
    name: 'GET /neg/data: Accept chooses application/json over text/plain',
    path: '/neg/data',
    extraHeaders: 'Accept: application/json\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Type'), 'application/json'),
  },
  {
    name: 'GET /neg/data: an exact type beats */* sent without q-values',
    path: '/neg/data',
    extraHeaders: 'Accept: text/plain, */*\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'plain\n'),
  },
  {
    name: 'GET /neg/comp: Accept-Encoding x-gzip gets the gzip variant, coding spelled as asked',
    path: '/neg/comp',
    extraHeaders: 'Accept-Encoding: x-gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), 'x-gzip'),
  },
  {
    name: 'GET /neg/cs: Accept-Charset utf-8 picks the UTF-8 variant',
    path: '/neg/cs',
    extraHeaders: 'Accept-Charset: utf-8\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Type'), 'text/html; charset=utf-8'),
  },
  {
    name: 'HEAD /neg/page: the negotiated headers without a body',
    method: 'HEAD',
    path: '/neg/page',
    expectStatus: 200,
  },
  {
    name: 'POST /neg/page: not transparent (Vary without negotiate, no TCN)',
    method: 'POST',
    path: '/neg/page',
    body: 'a=1',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Vary'), 'accept-language');
      assert.equal(header(r, 'TCN'), undefined);
    },
  },
  {
    name: 'GET /neg/: DirectoryIndex index is negotiated through MultiViews',
    path: '/neg/',
    extraHeaders: 'Accept-Language: fr\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'idx fr\n'),
  },
  {
    name: 'GET /neg/page/extra: path info goes to the static variant, which refuses it (404, Vary)',
    path: '/neg/page/extra',
    expectStatus: 404,
    check: (r) => assert.equal(header(r, 'Vary'), 'accept-language'),
  },
  {
    name: 'GET /neg/app/dump/x?q=1: a WSGI script found by MultiViews gets PATH_INFO and the query',
    path: '/neg/app/dump/x?q=1',
    expectStatus: 200,
    dump: true,
    check: (_r, env) => {
      assert.equal(env?.['PATH_INFO'], '/x');
      assert.equal(env?.['QUERY_STRING'], 'q=1');
      assert.match(String(env?.['SCRIPT_NAME']), /\/neg\/app\/dump\.wsgi$/);
    },
  },
  {
    name: 'GET /neg/doc.var: a type map redirects to its chosen variant',
    path: '/neg/doc.var',
    extraHeaders: 'Accept: text/plain\r\n',
    expectStatus: 200,
    check: (r) => {
      assert.equal(r.body.toString(), 'TXT\n');
      assert.equal(header(r, 'Content-Location'), 'doc.txt');
    },
  },
  {
    name: 'GET /neg/doc.var: a 406 from a type map lists descriptions',
    path: '/neg/doc.var',
    extraHeaders: 'Accept: image/png\r\n',
    expectStatus: 406,
    check: (r) => assert.match(r.body.toString(), /doc\.txt<\/a> plain text, type text\/plain/),
  },
  {
    name: 'GET /neg/inline.var: a type map variant with an inline Body:',
    path: '/neg/inline.var',
    extraHeaders: 'Accept-Language: de\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'Hallo\n'),
  },
  {
    name: 'GET /neg/odd: matching files without known metadata are 404 (AH00687)',
    path: '/neg/odd',
    expectStatus: 404,
    logs: [/AH00687: Negotiation: discovered file\(s\) matching request: \S*\/neg\/odd \(None/],
  },
  {
    name: 'GET /neg/what%3F?x=1: a variant name holding ? and a query (Content-Location escaped)',
    path: '/neg/what%3F?x=1',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Location'), 'what%3f.html.en'),
  },
  {
    name: 'GET /neg/a%20b%25: a variant name with a space and a percent sign',
    path: '/neg/a%20b%25',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'pct\n'),
  },
  {
    name: 'GET /neg/app/dump.wsgi: DefaultLanguage reaches a WSGI response (after Content-Type)',
    path: '/neg/app/dump.wsgi',
    expectStatus: 200,
    dump: true,
    check: (r) => assert.equal(header(r, 'Content-Language'), 'de'),
  },
  {
    name: 'GET /neg/page: the prefer-language variable (SetEnvIf) wins over Accept-Language',
    path: '/neg/page',
    extraHeaders: 'Accept-Language: xx\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'french\n'),
  },
  {
    name: 'GET /neg/comp: no-gzip (BrowserMatch) drops the encoded variant',
    path: '/neg/comp',
    extraHeaders: 'Accept-Encoding: gzip\r\nUser-Agent: NoGzip/1\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'plain2\n'),
  },
  {
    name: 'GET /neg/chain.var: a type map choosing another type map is 506',
    path: '/neg/chain.var',
    extraHeaders: 'Accept: text/plain\r\n',
    expectStatus: 506,
  },
  {
    name: 'POST /neg/chain.var: not transparent, so the second map answers (nested ETag)',
    method: 'POST',
    path: '/neg/chain.var',
    body: 'a=1',
    extraHeaders: 'Accept: text/plain\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'TXT\n'),
  },
  {
    name: 'GET /neg/den.var: a type map whose variant is denied answers 403',
    path: '/neg/den.var',
    expectStatus: 403,
    logs: [/AH01630: client denied by server configuration: \S*\/neg\/denied\.html/],
  },
  // --- end mod_negotiation ---------------------------------------------------------------
  // --- mod_filter + mod_deflate (deflate helper): /gz (AddOutputFilterByType DEFLATE
  // text/html text/plain), /gzapp (SetOutputFilter DEFLATE on a WSGI app).
  {
    name: 'GET /gz/page.html: DEFLATE with httpd gzip header bytes, ETag -gzip and a Content-Length',
    path: '/gz/page.html',
    extraHeaders: 'Accept-Encoding: gzip, deflate\r\n',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Content-Encoding'), 'gzip');
      assert.equal(header(r, 'Vary'), 'Accept-Encoding');
      assert.equal(header(r, 'Content-Length'), String(r.body.length));
      assert.deepEqual([...r.body.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
      assert.equal(gunzipSync(r.body).toString(), GZ_PAGE);
    },
  },
  {
    name: 'GET /gz/big.txt: a large file is compressed and sent chunked',
    path: '/gz/big.txt',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
    check: (r) => {
      assert.equal(header(r, 'Transfer-Encoding'), 'chunked');
      assert.equal(gunzipSync(r.body).toString(), GZ_BIG);
    },
  },
  {
    name: 'GET /gz/small.txt: a response under 68 bytes is left alone, without Vary',
    path: '/gz/small.txt',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Vary'), undefined),
  },
  {
    name: 'GET /gz/pic.png: a type AddOutputFilterByType does not name is not filtered',
    path: '/gz/pic.png',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), undefined),
  },
  {
    name: 'GET /gz/page.html without Accept-Encoding: Vary added, body as is',
    path: '/gz/page.html',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Vary'), 'Accept-Encoding');
      assert.equal(r.body.toString(), GZ_PAGE);
    },
  },
  {
    name: 'GET /gz/page.html with gzip;q=0: not compressed',
    path: '/gz/page.html',
    extraHeaders: 'Accept-Encoding: gzip;q=0, identity\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), undefined),
  },
  {
    name: 'GET /gz/page.html with x-gzip only: not compressed (httpd looks for gzip)',
    path: '/gz/page.html',
    extraHeaders: 'Accept-Encoding: x-gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), undefined),
  },
  {
    name: 'HEAD /gz/page.html: the compressed length, no body',
    method: 'HEAD',
    path: '/gz/page.html',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), 'gzip'),
  },
  {
    name: 'HEAD /gz/big.txt: compressed, no Content-Length',
    method: 'HEAD',
    path: '/gz/big.txt',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Length'), undefined),
  },
  {
    name: 'GET /gz/big.txt with Range and no Accept-Encoding: 206, Vary added',
    path: '/gz/big.txt',
    extraHeaders: 'Range: bytes=0-99\r\n',
    expectStatus: 206,
    check: (r) => assert.equal(header(r, 'Vary'), 'Accept-Encoding'),
  },
  {
    name: 'GET /gz/big.txt with Range and gzip: the whole body compressed (200)',
    path: '/gz/big.txt',
    extraHeaders: 'Range: bytes=0-99\r\nAccept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
  },
  {
    name: 'GET /gz/page.html with Range and gzip: the range is cut from the compressed body',
    path: '/gz/page.html',
    extraHeaders: 'Range: bytes=0-9\r\nAccept-Encoding: gzip\r\n',
    expectStatus: 206,
    check: (r) => {
      assert.match(header(r, 'Content-Range') ?? '', /^bytes 0-9\/\d+$/);
      assert.deepEqual([...r.body], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    },
  },
  {
    name: 'GET /gz/page.html with a suffix Range and gzip: the compressed tail',
    path: '/gz/page.html',
    extraHeaders: 'Range: bytes=-8\r\nAccept-Encoding: gzip\r\n',
    expectStatus: 206,
  },
  {
    name: 'GET /gz/page.html If-None-Match: the 304 is not touched',
    path: '/gz/page.html',
    extraHeaders: 'Accept-Encoding: gzip\r\nIf-None-Match: "d0-6474846204000"\r\n',
    expectStatus: 304,
  },
  {
    name: 'GET /gz/nogz/page.html: SetEnv no-gzip turns DEFLATE off, no Vary',
    path: '/gz/nogz/page.html',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Vary'), undefined),
  },
  {
    name: 'GET /gz/unk/page.html: an unknown SetOutputFilter name is logged (AH00082)',
    path: '/gz/unk/page.html',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    logs: [/AH00082: an unknown filter was not added: BOGUS/],
  },
  {
    name: 'GET /gz/missing.html: the canned 404 page is not compressed',
    path: '/gz/missing.html',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 404,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), undefined),
  },
  {
    name: 'GET /gzapp/stream: a streamed WSGI body compressed, chunked',
    path: '/gzapp/stream',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
    check: (r) => assert.equal(header(r, 'Transfer-Encoding'), 'chunked'),
  },
  {
    name: 'GET /gzapp/page: a small WSGI answer is compressed too',
    path: '/gzapp/page',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
  },
  {
    name: 'HEAD /gzapp/page: Content-Encoding gzip, no length',
    method: 'HEAD',
    path: '/gzapp/page',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
  },
  {
    name: 'GET /gzapp/enc: an answer with a Content-Encoding is passed as is',
    path: '/gzapp/enc',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), 'br'),
  },
  {
    name: 'GET /gzapp/etag: the app ETag gets -gzip',
    path: '/gzapp/etag',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
    check: (r) => assert.equal(header(r, 'ETag'), '"abc-gzip"'),
  },
  {
    name: 'GET /gzapp/gzipped: INFLATE decompresses a gzip answer, ETag -gunzip',
    path: '/gzapp/gzipped',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'Content-Encoding'), undefined);
      assert.equal(header(r, 'ETag'), '"g1-gunzip"');
      assert.equal(r.body.toString(), 'inflate me '.repeat(300));
    },
  },
  {
    name: 'GET /gzbt/page: AddOutputFilterByType on a WSGI answer',
    path: '/gzbt/page',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), 'gzip'),
  },
  {
    name: 'GET /gzbt/missing: mod_filter leaves a non-200 answer alone (filter_harness)',
    path: '/gzbt/missing',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 404,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), undefined),
  },
  {
    name: 'GET /gzapp/missing: SetOutputFilter DEFLATE compresses a WSGI 404 too',
    path: '/gzapp/missing',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 404,
    gunzip: true,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), 'gzip'),
  },
  {
    name: 'GET /gz/prov/a.json: FilterProvider with && picks DEFLATE',
    path: '/gz/prov/a.json',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    gunzip: true,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), 'gzip'),
  },
  {
    name: 'GET /gz/prov/b.xml: FilterProvider condition false, no filter',
    path: '/gz/prov/b.xml',
    extraHeaders: 'Accept-Encoding: gzip\r\n',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'Content-Encoding'), undefined),
  },
  // --- end mod_filter + mod_deflate
  // --- ap_expr (helper: expr): <Location /expr…> and htdocs/expr (see apache.ts).
  {
    name: 'GET /expr/page.html?a: the <If> branch',
    path: '/expr/page.html?a',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'X-Expr-Branch'), 'a');
      assert.equal(r.body.toString(), 'expr page\n');
    },
  },
  {
    name: 'GET /expr/page.html?b7: the <ElseIf> branch; $1 does not reach the Header expression',
    path: '/expr/page.html?b7',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Expr-Branch'), 'b-'),
  },
  {
    name: 'GET /expr/page.html?zz: the <Else> branch',
    path: '/expr/page.html?zz',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Expr-Branch'), 'other'),
  },
  {
    name: 'GET /expr/page.html?hello: Header expr= string functions',
    path: '/expr/page.html?hello',
    expectStatus: 200,
    check: (r) =>
      assert.equal(
        header(r, 'X-Expr-Str'),
        '/EXPR/PAGE.HTML|9dd4e461268c8034f5c8564e155c67a6|aGVsbG8=|a%20b|hello',
      ),
  },
  {
    name: 'GET /expr/page.html?a*(b),c: ldap() escaping in a Header expression',
    path: '/expr/page.html?a*(b),c',
    expectStatus: 200,
    check: (r) => assert.match(header(r, 'X-Expr-Str') ?? '', /\|a\\2a\\28b\\29\\2cc$/),
  },
  {
    name: 'GET /expr/page.html with X-Probe: p2: Header expr= condition holds, Vary: X-Probe',
    path: '/expr/page.html',
    extraHeaders: 'X-Probe: p2\r\n',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'X-Expr-Cond'), 'yes');
      assert.match(header(r, 'Vary') ?? '', /X-Probe/);
    },
  },
  {
    name: 'GET /expr/none.html with X-Probe: p1: -f fails on a 404, no header',
    path: '/expr/none.html',
    extraHeaders: 'X-Probe: p1\r\n',
    expectStatus: 404,
    check: (r) => assert.equal(header(r, 'X-Expr-Cond'), undefined),
  },
  {
    name: 'GET /expr/guard/p.html?key=open: Require expr grants',
    path: '/expr/guard/p.html?key=open',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'guarded\n'),
  },
  {
    name: 'GET /expr/guard/p.html?key=no: Require expr denies',
    path: '/expr/guard/p.html?key=no',
    expectStatus: 403,
  },
  {
    name: 'GET /expr/ip/p.html: Require expr with -R and -ipmatch',
    path: '/expr/ip/p.html',
    expectStatus: 200,
  },
  {
    name: 'GET /expr/realm/p.html?abc: AuthName from an expression',
    path: '/expr/realm/p.html?abc',
    expectStatus: 401,
    // Apache sends the `Header always` fields before WWW-Authenticate; tswsgi adds them
    // after it (the header edit runs on the finished err_headers_out). Not expr-specific.
    ordered: false,
    check: (r) => assert.equal(header(r, 'WWW-Authenticate'), 'Basic realm="zone ABC"'),
  },
  {
    name: 'GET /expr/env/x.html: SetEnvIfExpr with $1 in the value',
    path: '/expr/env/x.html',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Expr-Env'), 'got-x'),
  },
  {
    name: 'GET /expr/ht/p.html?deny: <If> in .htaccess denies',
    path: '/expr/ht/p.html?deny',
    expectStatus: 403,
  },
  {
    name: 'GET /expr/ht/p.html: <ElseIf> in .htaccess',
    path: '/expr/ht/p.html',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Expr-Ht'), 'empty'),
  },
  {
    name: 'GET /expr/ht/p.html?x: <Else> in .htaccess',
    path: '/expr/ht/p.html?x',
    expectStatus: 200,
    check: (r) => assert.equal(header(r, 'X-Expr-Ht'), 'else'),
  },
  {
    name: 'GET /expr/ht/go?go=page: RewriteCond expr in .htaccess, %1 from its regex',
    path: '/expr/ht/go?go=page',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'rewritten\n'),
  },
  {
    name: 'GET /expr/ht/go?go=!: RewriteCond expr false, no rewrite',
    path: '/expr/ht/go?go=!',
    expectStatus: 404,
  },
  {
    name: 'GET /expr/vars/v.html/extra?q=1: request variables in a Header expression',
    path: '/expr/vars/v.html/extra?q=1',
    expectStatus: 404, // a static file takes no PATH_INFO
    check: (r) =>
      assert.match(
        header(r, 'X-Expr-Vars') ?? '',
        /^GET\|http\|q=1\|HTTP\/1\.1\|false\|off\|404\|/,
      ),
  },
  {
    name: 'GET /expr/vars/v.html: file owner, mtime and type in a Header expression',
    path: '/expr/vars/v.html',
    expectStatus: 200,
    check: (r) => assert.match(header(r, 'X-Expr-Vars') ?? '', /\|20260101\d{6}\|/),
  },
  // --- end ap_expr
  // --- wsgimetrics: mod_wsgi.process_metrics() / request_metrics() / server_metrics()
  {
    name: 'GET /metrics/keys: metrics key sets in a daemon process, server_metrics() None',
    path: '/metrics/keys',
    expectStatus: 200,
    check: (r) => {
      const k = JSON.parse(r.body.toString()) as Record<string, unknown>;
      assert.equal((k['process_metrics'] as string[]).length, 13);
      assert.equal((k['request_metrics'] as string[]).length, 23);
      assert.deepEqual(k['thread_keys'], ['request_count', 'thread_id']);
      assert.deepEqual(k['bucket_lengths'], [16, 16, 16, 16]);
      assert.equal(k['server_metrics'], null);
    },
  },
  {
    name: 'GET /metrics-emb/keys: the same key sets in embedded mode',
    path: '/metrics-emb/keys',
    expectStatus: 200,
  },
  {
    name: 'GET /metrics/server: server_metrics() is None in a daemon group without server-metrics=On',
    path: '/metrics/server',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'null'),
  },
  {
    name: 'GET /metrics-emb/server: server_metrics() is None in embedded mode with WSGIServerMetrics Off',
    path: '/metrics-emb/server',
    expectStatus: 200,
    check: (r) => assert.equal(r.body.toString(), 'null'),
  },
  // --- end wsgimetrics
  // --- mod_proxy (helper: proxy): the backend is tests/differential/proxy.ts
  {
    name: 'GET /px/a%20b/c?q=1: ProxyPass maps the remainder and query; X-Forwarded-* added',
    path: '/px/a%20b/c?q=1',
    extraHeaders: 'X-Forwarded-For: 1.2.3.4\r\nUser-Agent: diff\r\n',
    expectStatus: 200,
    check: (r) => {
      const b = r.body.toString();
      assert.match(b, /^GET \/back\/a%20b\/c\?q=1\n/);
      assert.match(b, /\nHost: 127\.0\.0\.1:BACKEND\n/);
      assert.match(b, /\nX-Forwarded-For: 1\.2\.3\.4, 127\.0\.0\.1\n/);
      assert.match(b, /\nX-Forwarded-Server: 127\.0\.0\.1\n/);
    },
  },
  {
    name: 'POST /px/post: the body reaches the backend with its Content-Length',
    method: 'POST',
    path: '/px/post',
    extraHeaders: 'Content-Type: application/x-www-form-urlencoded\r\n',
    body: POST_BODY,
    expectStatus: 200,
    check: (r) => assert.match(r.body.toString(), /\nContent-Length: 5006\n/),
  },
  {
    name: 'GET /px/hdr: hop-by-hop request headers are not forwarded',
    path: '/px/hdr',
    extraHeaders:
      'TE: trailers\r\nKeep-Alive: 300\r\nUpgrade: h2c\r\nX-Foo: 1\r\nVia: 1.0 other\r\n',
    expectStatus: 200,
    check: (r) => {
      assert.doesNotMatch(r.body.toString(), /\n(TE|Keep-Alive|Upgrade):/);
      assert.match(r.body.toString(), /\nVia: 1\.0 other\n/);
    },
  },
  {
    name: 'GET /px/hop: hop-by-hop response headers are not passed back',
    path: '/px/hop',
    expectStatus: 200,
    check: (r) => {
      assert.equal(header(r, 'X-Private'), undefined);
      assert.equal(header(r, 'Keep-Alive'), undefined);
      assert.equal(header(r, 'X-Public'), 'yes');
    },
  },
  {
    name: 'GET /px/redir: ProxyPassReverse maps the backend Location back',
    path: '/px/redir',
    expectStatus: 302,
    check: (r) =>
      assert.match(header(r, 'Location') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/px\/target\?x=1$/),
  },
  {
    name: 'GET /px/err: a backend 500 passes through (the connection closes)',
    path: '/px/err',
    expectStatus: 500,
    check: (r) => assert.equal(r.body.toString(), 'backend error body\n'),
  },
  {
    name: 'GET /px/ex: a ProxyPass ! exclusion leaves the URL to the DocumentRoot',
    path: '/px/ex',
    expectStatus: 404,
  },
  {
    name: 'GET /pxm/abc?z=2: ProxyPassMatch substitutes the capture and keeps the query',
    path: '/pxm/abc?z=2',
    expectStatus: 200,
    check: (r) => assert.match(r.body.toString(), /^GET \/back\/m\/abc\?z=2\n/),
  },
  {
    name: 'GET /pxnq/a?secret=1: noquery has no effect on an http:// backend (2.4.71)',
    path: '/pxnq/a?secret=1',
    expectStatus: 200,
    check: (r) => assert.match(r.body.toString(), /^GET \/nq\/a\?secret=1\n/),
  },
  {
    name: 'GET /pxph/q: ProxyPreserveHost keeps the client Host; ProxyAddHeaders Off adds none',
    path: '/pxph/q',
    expectStatus: 200,
    check: (r) => {
      assert.match(r.body.toString(), /\nHost: 127\.0\.0\.1:\d+\n/);
      assert.doesNotMatch(r.body.toString(), /X-Forwarded/);
    },
  },
  {
    name: 'GET /pxeo: ProxyErrorOverride answers a backend 500 with the canned page',
    path: '/pxeo',
    expectStatus: 500,
    check: canned('500 Internal Server Error', 'The server encountered an internal error'),
  },
  {
    name: 'GET /rw/px/zz?k=v: RewriteRule [P] proxies to the backend',
    path: '/rw/px/zz?k=v',
    expectStatus: 200,
    check: (r) => assert.match(r.body.toString(), /^GET \/back\/rw\/zz\?k=v\n/),
  },
  {
    name: 'GET /pxdead/a: a refused backend connection answers 503 (AH00957, AH01114)',
    path: '/pxdead/a',
    expectStatus: 503,
    check: canned('503 Service Unavailable', 'temporarily unable to service'),
    logs: [
      /\(111\)Connection refused: AH00957: http: attempt to connect to 127\.0\.0\.1:\d+ \(127\.0\.0\.1:\d+\) failed/,
      /\[proxy_http:error\] .*AH01114: HTTP: failed to make connection to backend: 127\.0\.0\.1/,
    ],
  },
  {
    name: 'GET /px/cookie: ProxyPassReverseCookiePath/Domain rewrite Set-Cookie attributes',
    path: '/px/cookie',
    expectStatus: 200,
    check: (r) => {
      const cookies = r.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v);
      assert.deepEqual(cookies, [
        'a=1; Path=/px/; Domain=public.example; Secure',
        'b=2; path=/other; HttpOnly',
        'c=3;domain=public.example;  path=/back',
      ]);
    },
  },
  // --- end mod_proxy
];
