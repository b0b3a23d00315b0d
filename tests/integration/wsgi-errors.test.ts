// WSGI error paths through the real server (reference mod_wsgi.md §3.4, §4.7, §8 #10–#14;
// mod_wsgi wsgi_hook_handler, wsgi_execute_script, Adapter_start_response): each case
// asserts the status line, the header set, the body, the error-log line and whether the
// connection was kept. Where mod_wsgi's daemon mode is weaker (issue #42: a failure after
// the first body byte looks like a clean end), tswsgi makes the truncation visible.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, dump, req, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LogLevel info
WSGIDaemonProcess err threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup err
WSGIScriptAlias /m @DIR@/misbehave.wsgi
WSGIScriptAlias /import @DIR@/import.wsgi
WSGIScriptAlias /nocallable @DIR@/nocallable.wsgi
WSGIScriptAlias /missing @DIR@/missing.wsgi
WSGIScriptAlias /nogroup @DIR@/misbehave.wsgi process-group=nosuchgroup
WSGIScriptAlias /chunked-off @DIR@/dump.wsgi
WSGIScriptAlias /chunked-on @DIR@/dump.wsgi
WSGIScriptAlias /limited @DIR@/misbehave.wsgi
<Location /chunked-on>
  WSGIChunkedRequest On
</Location>
<Location /limited>
  LimitRequestBody 10
  WSGIChunkedRequest On
  SetEnv SIDE_EFFECT @DIR@/called
</Location>
`;

const BROKEN = 'import os\nraise ImportError("broken at import: secret-marker")\n';
const FIXED =
  'def application(e, s):\n    s("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])\n    return [b"fixed"]\n';

/** Canned 500 page exactly as Apache 2.4 renders it (no ServerAdmin, no signature). */
const CANNED_500 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>500 Internal Server Error</title>\n</head><body>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n [no address given] to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n</body></html>\n';
const ERROR_HEADERS = ['connection', 'content-length', 'content-type', 'date', 'server'];

describe('WSGI error paths', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'misbehave.wsgi': app('misbehave.wsgi'),
      'dump.wsgi': app('dump.wsgi'),
      'import.wsgi': BROKEN,
      'nocallable.wsgi': 'x = 1\n',
    });
  });
  after(() => h.stop());

  /** The 500 answer, asserted whole; closes the connection as Apache does after a 500. */
  async function expect500(path: string): Promise<void> {
    const res = await rawRequest(h.port, req(path, { keep: true }));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    assert.deepEqual(res.headerNames, ERROR_HEADERS);
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.equal(res.body.toString('latin1'), CANNED_500);
    await res.conn.closed;
  }

  it('answers 500 to a script that raises at import, logs the traceback, and retries the import next time', async () => {
    await expect500('/import');
    const lines = await until(() => {
      const l = h.errorLog();
      return l.some((x) => x.includes('secret-marker')) ? l : undefined;
    });
    assert.ok(
      lines.some((l) => l.includes('Traceback (most recent call last)')),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /ImportError: broken at import: secret-marker/.test(l)));
    // Not cached: a second request fails the same way again (a second traceback).
    await expect500('/import');
    await until(
      () => h.errorLog().filter((l) => l.includes('ImportError: broken at import')).length >= 2,
    );
    writeFileSync(`${h.dir}/import.wsgi`, FIXED);
    const later = new Date(Date.now() + 5000);
    utimesSync(`${h.dir}/import.wsgi`, later, later);
    const ok = await rawRequest(h.port, req('/import'));
    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(ok.body.toString(), 'fixed');
  });

  it('answers 404 when the script has no "application" callable and logs mod_wsgi\'s message', async () => {
    const res = await rawRequest(h.port, req('/nocallable'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.match(res.body.toString(), /<h1>Not Found<\/h1>/);
    await until(() =>
      h
        .errorLog()
        .find((l) =>
          /Target WSGI script .*nocallable\.wsgi' does not contain WSGI application 'application'/.test(
            l,
          ),
        ),
    );
  });

  it('answers 404 when the script file does not exist', async () => {
    const res = await rawRequest(h.port, req('/missing'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    await until(() =>
      h
        .errorLog()
        .find(
          (l) =>
            l.includes('Target WSGI script not found or unable to stat') &&
            l.includes('/missing.wsgi'),
        ),
    );
  });

  it('answers 500 for an unknown WSGIProcessGroup and names it in the log', async () => {
    await expect500('/nogroup');
    await until(() =>
      h
        .errorLog()
        .find((l) => l.includes("No WSGI daemon process called 'nosuchgroup' has been configured")),
    );
  });

  it('answers 500 when the app raises before start_response; the traceback is logged, not sent', async () => {
    await expect500('/m/raise-early');
    await until(() =>
      h.errorLog().find((l) => l.includes('RuntimeError: boom before start_response')),
    );
  });

  it('truncates the response visibly when the app raises after yielding bytes', async () => {
    const res = await rawRequest(h.port, req('/m/raise-late', { keep: true }), {}).catch(
      (e: unknown) => e,
    );
    // The chunked stream is never terminated: the reader sees the connection close
    // before the 0-chunk and fails.
    assert.ok(res instanceof Error, 'expected an incomplete response');
    assert.match(res.message, /connection closed before a complete response/);
    await until(() =>
      h.errorLog().find((l) => l.includes('RuntimeError: boom after the first bytes')),
    );
  });

  it('sends the first bytes and no terminating chunk when the app raises after yielding', async () => {
    const c = await RawConnection.open(h.port);
    const chunks: Buffer[] = [];
    c.socket.on('data', (d: Buffer) => chunks.push(d));
    c.send(req('/m/raise-late', { keep: true }));
    await c.closed;
    const text = Buffer.concat(chunks).toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.match(text, /\r\n\r\nb\r\nfirst part\n\r\n$/);
    assert.doesNotMatch(text, /\r\n0\r\n\r\n$/);
  });

  it('answers 500 to a malformed status line from the app and logs the ValueError', async () => {
    await expect500('/m/bad-status');
    await until(() =>
      h.errorLog().find((l) => /ValueError: .*status/i.test(l) && l.includes('2000')),
    );
  });

  it('answers 500 to a header value containing CR and logs the ValueError', async () => {
    await expect500('/m/cr-header');
    await until(() =>
      h.errorLog().find((l) => /ValueError: .*(carriage|control|CR|newline|X-Bad)/i.test(l)),
    );
  });

  it('closes the connection after a body shorter than the declared Content-Length', async () => {
    const c = await RawConnection.open(h.port);
    const chunks: Buffer[] = [];
    c.socket.on('data', (d: Buffer) => chunks.push(d));
    c.send(req('/m/short', { keep: true }));
    await c.closed;
    const text = Buffer.concat(chunks).toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nContent-Length: 100\r\n/);
    assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4), '0123456789');
  });

  const chunkedBody = (parts: readonly string[]): string =>
    parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';

  it('answers 411 to a chunked request body when WSGIChunkedRequest is Off', async () => {
    const res = await rawRequest(
      h.port,
      `POST /chunked-off HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody(['hello'])}`,
    );
    assert.equal(res.statusLine, 'HTTP/1.1 411 Length Required');
    assert.equal(res.headers['connection'], 'close');
    assert.match(res.body.toString(), /<h1>Length Required<\/h1>/);
    await until(() =>
      h
        .errorLog()
        .find((l) =>
          l.includes('optional support for chunked transfer encoding has not been enabled'),
        ),
    );
  });

  it('passes a chunked request body to the app when WSGIChunkedRequest is On', async () => {
    const parts = ['hello ', 'chunked ', 'world'];
    const { env, d } = await dump(
      h.port,
      `POST /chunked-on HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody(parts)}`,
    );
    assert.equal(d.body_length, 'hello chunked world'.length);
    assert.equal(d.body_sha256, createHash('sha256').update('hello chunked world').digest('hex'));
    assert.equal('CONTENT_LENGTH' in env, false);
    assert.equal(env['HTTP_TRANSFER_ENCODING'], 'chunked');
  });

  it('answers 413 to a Content-Length above LimitRequestBody without calling the app', async () => {
    const res = await rawRequest(
      h.port,
      req('/limited/touch', { method: 'POST', body: 'x'.repeat(11) }),
    );
    assert.equal(res.statusLine, 'HTTP/1.1 413 Request Entity Too Large');
    assert.equal(res.headers['connection'], 'close');
    assert.equal(existsSync(`${h.dir}/called`), false);
    await until(() => h.errorLog().find((l) => l.includes('AH01587')));
    // Within the limit the app runs (and so creates the side-effect file).
    const ok = await rawRequest(
      h.port,
      req('/limited/touch', { method: 'POST', body: 'x'.repeat(10) }),
    );
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), createHash('sha256').update('x'.repeat(10)).digest('hex'));
    assert.equal(existsSync(`${h.dir}/called`), true);
  });

  it('answers 413 to a chunked body that grows past LimitRequestBody', async () => {
    const res = await rawRequest(
      h.port,
      `POST /limited/touch HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody(['x'.repeat(20)])}`,
    );
    assert.equal(res.statusLine, 'HTTP/1.1 413 Request Entity Too Large');
    assert.equal(res.headers['connection'], 'close');
    assert.match(res.body.toString(), /<h1>Request Entity Too Large<\/h1>/);
    await until(() => h.errorLog().find((l) => l.includes('AH00539')));
  });

  it('sends the headers of HEAD without a body and keeps the connection', async () => {
    const res = await rawRequest(h.port, req('/m/head', { method: 'HEAD', keep: true }), {
      head: true,
    });
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.headers['content-length'], '10');
    assert.equal(res.headers['x-app'], 'yes');
    assert.deepEqual(res.headerNames, [
      'content-length',
      'content-type',
      'date',
      'server',
      'x-app',
    ]);
    // No body bytes follow: the next response on the same connection parses cleanly.
    res.conn.send(req('/m/head'));
    const next = await res.conn.read();
    assert.equal(next.body.toString(), 'head body\n');
    res.conn.close();
  });
});

describe('WSGIRestrictEmbedded On', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}\nWSGIRestrictEmbedded On\nWSGIScriptAlias /e @DIR@/dump.wsgi\n`,
      { 'dump.wsgi': app('dump.wsgi') },
    );
  });
  after(() => h.stop());

  it('answers 500 to a script with no process group and logs why', async () => {
    const res = await rawRequest(h.port, req('/e'));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    assert.equal(res.body.toString('latin1'), CANNED_500);
    await until(() =>
      h
        .errorLog()
        .find(
          (l) =>
            l.includes('Embedded mode of mod_wsgi disabled by runtime configuration') &&
            l.includes('/dump.wsgi'),
        ),
    );
  });
});

// mod_wsgi wsgi_hook_handler: a script reached through SetHandler/AddHandler (not
// WSGIScriptAlias) runs only under Options ExecCGI (else 403), and AcceptPathInfo Off
// refuses path info after the script (404). Both are logged with the script's file name.
describe('wsgi-script as a handler', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}
Alias /exec @DIR@/dump.wsgi
Alias /noexec @DIR@/dump.wsgi
Alias /nopath @DIR@/dump.wsgi
<Location /exec>
  SetHandler wsgi-script
  Options ExecCGI
</Location>
<Location /noexec>
  SetHandler wsgi-script
  Options Indexes FollowSymLinks
</Location>
<Location /nopath>
  SetHandler wsgi-script
  Options +ExecCGI
  AcceptPathInfo Off
</Location>
`,
      { 'dump.wsgi': app('dump.wsgi') },
    );
  });
  after(() => h.stop());

  it('runs the script where Options has ExecCGI, with the handler-path SCRIPT_NAME', async () => {
    const { env } = await dump(h.port, req('/exec/more?q=1'));
    assert.equal(env['SCRIPT_NAME'], '/exec');
    assert.equal(env['PATH_INFO'], '/more');
    assert.equal(env['QUERY_STRING'], 'q=1');
  });

  it('answers 403 without Options ExecCGI, never running the script, and logs why', async () => {
    const res = await rawRequest(h.port, req('/noexec'));
    assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.deepEqual(res.headerNames, ERROR_HEADERS);
    assert.match(res.body.toString(), /<h1>Forbidden<\/h1>/);
    assert.doesNotMatch(res.body.toString(), /environ/);
    const line = await until(() =>
      h.errorLog().find((l) => l.includes('Options ExecCGI is off in this directory')),
    );
    assert.match(
      line,
      /\[wsgi:error\].*MW00110.*Options ExecCGI is off in this directory: \S*\/dump\.wsgi$/,
    );
  });

  it('answers 404 to path info under AcceptPathInfo Off and logs why; without it the script runs', async () => {
    const res = await rawRequest(h.port, req('/nopath/extra'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.match(res.body.toString(), /<h1>Not Found<\/h1>/);
    const line = await until(() =>
      h.errorLog().find((l) => l.includes("AcceptPathInfo off disallows user's path")),
    );
    assert.match(line, /\[wsgi:error\].*MW00111.*disallows user's path: \S*\/dump\.wsgi$/);
    const { env } = await dump(h.port, req('/nopath'));
    assert.equal(env['SCRIPT_NAME'], '/nopath');
    assert.equal(env['PATH_INFO'], '');
  });
});

// WSGIDispatchScript failures (mod_wsgi wsgi_execute_dispatch): a hook that raises is a
// 500 with its traceback in the log; a script that fails to import overrides nothing.
describe('WSGIDispatchScript errors', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}
WSGIScriptAlias /raising @DIR@/dump.wsgi
WSGIScriptAlias /broken @DIR@/dump.wsgi
<Location /raising>
  WSGIDispatchScript @DIR@/raising.py
</Location>
<Location /broken>
  WSGIDispatchScript @DIR@/broken.py
</Location>
`,
      {
        'dump.wsgi': app('dump.wsgi'),
        'raising.py': 'def process_group(environ):\n    raise RuntimeError("dispatch marker")\n',
        'broken.py': 'raise ImportError("broken dispatch marker")\n',
      },
    );
  });
  after(() => h.stop());

  it('answers 500 when a hook raises, logging the traceback and MW00113', async () => {
    const res = await rawRequest(h.port, req('/raising'));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    assert.equal(res.body.toString('latin1'), CANNED_500);
    await until(() => h.errorLog().find((l) => l.includes('RuntimeError: dispatch marker')));
    const line = await until(() => h.errorLog().find((l) => l.includes('MW00113')));
    assert.match(
      line,
      /WSGI dispatch script '\S*\/raising\.py' failed: 500 exception in application: RuntimeError$/,
    );
  });

  it('runs the application unchanged when the dispatch script fails to import', async () => {
    const { env } = await dump(h.port, req('/broken'));
    assert.equal(env['mod_wsgi.process_group'], '');
    assert.equal(env['mod_wsgi.callable_object'], 'application');
    await until(() => h.errorLog().find((l) => l.includes('ImportError: broken dispatch marker')));
  });
});

// mod_wsgi daemon mode: a 200 with `Location: /local` is an internal GET redirect (CGI
// semantics); its target's own answer (here a 404) is what the client gets.
describe('internal redirects from a daemon-mode app', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}
WSGIDaemonProcess red threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /go @DIR@/go.wsgi process-group=red
WSGIScriptAlias /loop @DIR@/loop.wsgi process-group=red
`,
      {
        'go.wsgi':
          "def application(environ, start_response):\n    start_response('200 OK', [('Location', '/nowhere/at/all')])\n    return [b'dropped']\n",
        'loop.wsgi':
          "def application(environ, start_response):\n    start_response('200 OK', [('Location', '/loop')])\n    return [b'again']\n",
      },
    );
  });
  after(() => h.stop());

  it("answers with the redirect target's status (404 here), not the app's body", async () => {
    const res = await rawRequest(h.port, req('/go'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.headers['location'], undefined);
    assert.doesNotMatch(res.body.toString(), /dropped/);
    assert.match(res.body.toString(), /<title>404 Not Found<\/title>/);
  });

  it('answers 500 with AH00124 to a redirect loop, at once (Apache: the same)', async () => {
    const res = await rawRequest(h.port, req('/loop'));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    const lines = await until(() => {
      const l = h.errorLog().filter((x) => x.includes('AH00124'));
      return l.length > 0 ? l : undefined;
    });
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /Request exceeded the limit of 10 internal redirects/);
  });
});

// An ErrorDocument redirect that LimitInternalRecursion refuses (the failing request is
// itself an internal redirect here) is answered with 500 at once, never left unanswered.
describe('an ErrorDocument redirect past LimitInternalRecursion', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}
LimitInternalRecursion 1
WSGIDaemonProcess red2 threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /go2 @DIR@/go2.wsgi process-group=red2
<Location /missing-area>
  ErrorDocument 404 /err-doc
</Location>
`,
      {
        'go2.wsgi':
          "def application(environ, start_response):\n    start_response('200 OK', [('Location', '/missing-area/x')])\n    return [b'dropped']\n",
      },
    );
  });
  after(() => h.stop());

  it('answers 500 and logs AH00124 for the refused ErrorDocument', async () => {
    const res = await rawRequest(h.port, req('/go2'));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    const line = await until(() => h.errorLog().find((l) => l.includes('AH00124')));
    assert.match(line, /Request exceeded the limit of 1 internal redirects/);
  });
});
