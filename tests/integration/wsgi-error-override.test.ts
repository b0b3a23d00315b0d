// WSGIErrorOverride through the real server (reference mod_wsgi.md §1.2; mod_wsgi 4.9.4
// wsgi_execute_remote: `config->error_override && ap_is_HTTP_ERROR(r->status)`, then
// wsgi_discard_output and ap_die). Every expectation here was checked against Apache 2.4 +
// mod_wsgi 4.9.4: a 400–599 status from a daemon-mode app is answered by ErrorDocument or
// the canned page, the app's body is read and dropped (the app still runs to close()),
// only its WWW-Authenticate survives (mod_wsgi files it under err_headers_out), and the
// access log shows the app's status with the error page's bytes. Embedded mode ignores it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import type { RawResponse } from '../support/raw-http.js';
import { WSGI_PREAMBLE, req, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LogLevel info
DocumentRoot @DIR@/htdocs
LogFormat "%r|%s|%>s|%b" eo
CustomLog @DIR@/access.log eo
SetEnv CLOSED_LOG @DIR@/closed.log
WSGIDaemonProcess eo threads=4 graceful-timeout=1 shutdown-timeout=1
WSGIDaemonProcess slow threads=2 request-timeout=1 graceful-timeout=1 shutdown-timeout=1
WSGIDaemonProcess crash threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /on @DIR@/app.wsgi process-group=eo
WSGIScriptAlias /off @DIR@/app.wsgi process-group=eo
WSGIScriptAlias /emb @DIR@/app.wsgi
WSGIScriptAlias /slow @DIR@/app.wsgi process-group=slow
WSGIScriptAlias /crash @DIR@/app.wsgi process-group=crash
WSGIScriptAlias /errdoc @DIR@/errdoc.wsgi process-group=eo
<Location /on>
  WSGIErrorOverride On
</Location>
<Location /emb>
  WSGIErrorOverride On
</Location>
<Location /slow>
  WSGIErrorOverride On
</Location>
<Location /crash>
  WSGIErrorOverride On
</Location>
ErrorDocument 404 "custom 404 text"
ErrorDocument 403 /err403.txt
ErrorDocument 500 /errdoc
`;

/**
 * ?s=<status>&n=<chunks>&size=<bytes>&mode=raise|die|sleep|slow: answers `s` with a body of
 * n lines (each padded to `size`) and
 * headers mod_wsgi sorts differently (WWW-Authenticate, Set-Cookie, Last-Modified, …);
 * close() appends a line to CLOSED_LOG so a test sees that the app ran to its end (mode=slow
 * also marks "sent" once its first chunk, and so its status, went to the server).
 */
const APP = `import os, signal, time
from urllib.parse import parse_qs

class Body:
    def __init__(self, env, n, mode, size):
        self.env, self.n, self.mode, self.size = env, n, mode, size
    def __iter__(self):
        for i in range(self.n):
            yield (b"app-body-%d\\n" % i).ljust(self.size, b".")
            if self.mode == "slow":
                if i == 0:
                    self.mark("sent")
                time.sleep(0.2)
        if self.mode == "raise":
            raise RuntimeError("mid-body marker")
        if self.mode == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        if self.mode == "sleep":
            time.sleep(5)
    def mark(self, what):
        with open(self.env["CLOSED_LOG"], "a") as f:
            f.write("%s %s %s\\n" % (what, self.env["REQUEST_METHOD"], self.env["QUERY_STRING"]))
    def close(self):
        self.mark("closed")

def application(env, start_response):
    q = {k: v[0] for k, v in parse_qs(env.get("QUERY_STRING", "")).items()}
    headers = [("Content-Type", "text/plain"), ("X-Custom", "yes"),
               ("WWW-Authenticate", 'Basic realm="app"'), ("Set-Cookie", "a=1"),
               ("Last-Modified", "Tue, 01 Jan 2019 00:00:00 GMT")]
    if "loc" in q:
        headers.append(("Location", q["loc"]))
    start_response(q.get("s", "200 OK"), headers)
    return Body(env, int(q.get("n", "2")), q.get("mode", ""), int(q.get("size", "0")))
`;

const ERRDOC = `def application(env, start_response):
    body = ("errdoc REDIRECT_STATUS=%s REDIRECT_URL=%s" % (env.get("REDIRECT_STATUS"), env.get("REDIRECT_URL"))).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Errdoc", "1"), ("Content-Length", str(len(body)))])
    return [body]
`;

const CANNED_401 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>401 Unauthorized</title>\n</head><body>\n<h1>Unauthorized</h1>\n<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn\'t understand how to supply\nthe credentials required.</p>\n</body></html>\n';
const CANNED_400 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\n</p>\n</body></html>\n';
const CANNED_503 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>503 Service Unavailable</title>\n</head><body>\n<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n</body></html>\n';

/** What an overridden error keeps: Apache's error headers plus the app's challenge. */
const KEPT = ['content-length', 'content-type', 'date', 'server', 'www-authenticate'];
/** What the app itself sends (a streamed body: chunked). */
const APP_HEADERS = [
  'content-type',
  'date',
  'last-modified',
  'server',
  'set-cookie',
  'transfer-encoding',
  'www-authenticate',
  'x-custom',
];

describe('WSGIErrorOverride', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'app.wsgi': APP,
      'errdoc.wsgi': ERRDOC,
      'htdocs/err403.txt': 'static error page\n',
    });
  });
  after(() => h.stop());

  const closedLog = (): string[] => {
    const p = join(h.dir, 'closed.log');
    return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
  };
  /** Wait until the app's close() has run for `query`. */
  const closed = (method: string, query: string): Promise<string> =>
    until(() => closedLog().find((l) => l === `closed ${method} ${query}`));
  /** Wait for the access-log line of `requestLine`. */
  const accessLine = (requestLine: string): Promise<string> =>
    until(() => {
      const p = join(h.dir, 'access.log');
      if (!existsSync(p)) return undefined;
      return readFileSync(p, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${requestLine}|`));
    });
  /** Assert the app's own body and headers never reached the client. */
  const noAppTrace = (res: RawResponse): void => {
    assert.doesNotMatch(res.body.toString('latin1'), /app-body/);
    for (const n of ['x-custom', 'set-cookie']) assert.equal(res.headers[n], undefined, n);
    assert.notEqual(res.headers['last-modified'], 'Tue, 01 Jan 2019 00:00:00 GMT');
  };

  it('answers a 404 with the ErrorDocument text, keeps only WWW-Authenticate (first) and the connection', async () => {
    const res = await rawRequest(h.port, req('/on?s=404+Gone+Away', { keep: true }));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.deepEqual(res.headerNames, KEPT);
    assert.deepEqual(
      res.headerList.map(([k]) => k),
      ['Date', 'Server', 'WWW-Authenticate', 'Content-Length', 'Content-Type'],
    );
    assert.equal(res.headers['www-authenticate'], 'Basic realm="app"');
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.equal(res.body.toString('latin1'), 'custom 404 text');
    noAppTrace(res);
    // Same connection: a local-URL ErrorDocument (403 → a static file).
    res.conn.send(req('/on?s=403+Nope', { keep: true }));
    const next = await res.conn.read();
    assert.equal(next.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.equal(next.body.toString('latin1'), 'static error page\n');
    assert.equal(next.headers['www-authenticate'], 'Basic realm="app"');
    assert.equal(next.headerList[2]?.[0], 'WWW-Authenticate');
    noAppTrace(next);
    assert.ok(res.conn.open);
    res.conn.close();
    await closed('GET', 's=404+Gone+Away');
    await closed('GET', 's=403+Nope');
    assert.equal(
      await accessLine('GET /on?s=404+Gone+Away HTTP/1.1'),
      'GET /on?s=404+Gone+Away HTTP/1.1|404|404|15',
    );
    assert.equal(
      await accessLine('GET /on?s=403+Nope HTTP/1.1'),
      'GET /on?s=403+Nope HTTP/1.1|403|403|18',
    );
    assert.equal(
      h.errorLog().filter((l) => /MW0022\d/.test(l)).length,
      0,
      'an override is not an error of the server',
    );
  });

  it('runs a WSGI ErrorDocument for a 500 with REDIRECT_STATUS, as Apache does (its 200 is what is sent)', async () => {
    const res = await rawRequest(h.port, req('/on?s=500+Boom'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString('latin1'), 'errdoc REDIRECT_STATUS=500 REDIRECT_URL=/on');
    assert.equal(res.headers['x-errdoc'], '1');
    assert.equal(res.headers['www-authenticate'], 'Basic realm="app"');
    noAppTrace(res);
    assert.equal(
      await accessLine('GET /on?s=500+Boom HTTP/1.1'),
      'GET /on?s=500+Boom HTTP/1.1|500|200|43',
    );
    await closed('GET', 's=500+Boom');
  });

  it('answers the canned 401 page with the app challenge, and keeps the connection', async () => {
    const res = await rawRequest(h.port, req('/on?s=401+Unauthorized', { keep: true }));
    assert.equal(res.statusLine, 'HTTP/1.1 401 Unauthorized');
    assert.deepEqual(res.headerNames, KEPT);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="app"');
    assert.equal(res.body.toString('latin1'), CANNED_401);
    assert.ok(res.conn.open);
    res.conn.close();
  });

  it('covers the whole 400–599 range: 400 and 503 get their canned pages and close the connection', async () => {
    for (const [path, line, body] of [
      ['/on?s=400+Bad', 'HTTP/1.1 400 Bad Request', CANNED_400],
      ['/on?s=503+Busy', 'HTTP/1.1 503 Service Unavailable', CANNED_503],
    ] as const) {
      const res = await rawRequest(h.port, req(path, { keep: true }));
      assert.equal(res.statusLine, line);
      assert.deepEqual(res.headerNames, ['connection', ...KEPT]);
      assert.equal(res.headers['connection'], 'close');
      assert.equal(res.body.toString('latin1'), body);
      await res.conn.closed;
    }
    // 599 is past Apache's status table: it answers the 500 page under a 500 status line
    // (ap_index_of_response); here only the override itself is asserted.
    const res = await rawRequest(h.port, req('/on?s=599+Weird'));
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.equal(res.headers['www-authenticate'], 'Basic realm="app"');
    noAppTrace(res);
    assert.match(await accessLine('GET /on?s=599+Weird HTTP/1.1'), /\|599\|599\|\d+$/);
  });

  it('passes statuses outside 400–599 through untouched', async () => {
    for (const [s, line] of [
      ['200+OK', 'HTTP/1.1 200 OK'],
      ['302+Found&loc=http://example.com/x', 'HTTP/1.1 302 Found'],
      ['399+Odd', 'HTTP/1.1 399 Odd'],
      ['600+Odd', 'HTTP/1.1 600 Odd'],
    ] as const) {
      const res = await rawRequest(h.port, req(`/on?s=${s}`));
      assert.equal(res.statusLine, line);
      assert.deepEqual(
        res.headerNames,
        [...APP_HEADERS, 'connection', ...(s.includes('loc') ? ['location'] : [])].sort(),
      );
      assert.equal(res.body.toString('latin1'), 'app-body-0\napp-body-1\n');
      res.conn.close();
    }
  });

  it('has no effect with WSGIErrorOverride Off or in embedded mode', async () => {
    for (const path of ['/off?s=404+Not+Found', '/emb?s=404+Not+Found']) {
      const res = await rawRequest(h.port, req(path, { keep: true }));
      assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
      assert.deepEqual(res.headerNames, APP_HEADERS);
      assert.equal(res.body.toString('latin1'), 'app-body-0\napp-body-1\n');
      assert.ok(res.conn.open);
      res.conn.close();
    }
  });

  it('answers HEAD with the error head only, after the app ran to close()', async () => {
    const res = await rawRequest(
      h.port,
      req('/on?s=404+Not+Found', { method: 'HEAD', keep: true }),
      {
        head: true,
      },
    );
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    // Apache 2.4 also leaves Content-Length off a HEAD error answer; tswsgi's die() sends it.
    assert.deepEqual(
      res.headerNames.filter((n) => n !== 'content-length'),
      KEPT.filter((n) => n !== 'content-length'),
    );
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.equal(res.headers['www-authenticate'], 'Basic realm="app"');
    res.conn.send(req('/on?s=200+OK'));
    const next = await res.conn.read();
    assert.equal(next.statusLine, 'HTTP/1.1 200 OK', 'no stray body bytes after the HEAD answer');
    res.conn.close();
    await closed('HEAD', 's=404+Not+Found');
    assert.equal(
      await accessLine('HEAD /on?s=404+Not+Found HTTP/1.1'),
      'HEAD /on?s=404+Not+Found HTTP/1.1|404|404|-',
    );
  });

  it('discards a large body without sending it, and the app still reaches close()', async () => {
    const res = await rawRequest(
      h.port,
      req('/on?s=404+Not+Found&n=64&size=65536', { keep: true }),
    );
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.body.toString('latin1'), 'custom 404 text');
    // The page only goes out once the whole body was read from the worker: close() ran.
    assert.ok(closedLog().includes('closed GET s=404+Not+Found&n=64&size=65536'));
    assert.ok(res.conn.open);
    res.conn.close();
    assert.equal(
      await accessLine('GET /on?s=404+Not+Found&n=64&size=65536 HTTP/1.1'),
      'GET /on?s=404+Not+Found&n=64&size=65536 HTTP/1.1|404|404|15',
    );
  });

  it('keeps the connection after a request body the app never read', async () => {
    const c = await RawConnection.open(h.port);
    c.send(
      req('/on?s=404+Not+Found&n=1', { method: 'POST', keep: true, body: 'x'.repeat(200_000) }),
    );
    const res = await c.read();
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.body.toString('latin1'), 'custom 404 text');
    c.send(req('/on?s=403+Again'));
    const next = await c.read();
    assert.equal(next.statusLine, 'HTTP/1.1 403 Forbidden');
    c.close();
  });

  it('still answers the app status when the app raises after its first chunk', async () => {
    const res = await rawRequest(h.port, req('/on?s=404+Not+Found&mode=raise', { keep: true }));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.body.toString('latin1'), 'custom 404 text');
    assert.ok(res.conn.open);
    res.conn.close();
    await until(() => h.errorLog().find((l) => l.includes('RuntimeError: mid-body marker')));
    const line = await until(() => h.errorLog().find((l) => l.includes('MW00232')));
    assert.match(
      line,
      /\[wsgi:error\].*failed while its body was discarded: .*; answering its status 404 \(WSGIErrorOverride\)$/,
    );
  });

  it('still answers the app status when its daemon process dies while the body is discarded', async () => {
    const res = await rawRequest(h.port, req('/crash?s=404+Not+Found&mode=die'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.body.toString('latin1'), 'custom 404 text');
    const line = await until(() => h.errorLog().find((l) => l.includes('MW00225')));
    assert.match(line, /of group 'crash' exited with signal SIGKILL while handling request/);
  });

  it('still answers the app status when request-timeout expires while the body is discarded', async () => {
    const res = await rawRequest(h.port, req('/slow?s=404+Not+Found&mode=sleep'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.body.toString('latin1'), 'custom 404 text');
    const line = await until(() => h.errorLog().find((l) => l.includes('MW00227')));
    assert.match(
      line,
      /exceeded request-timeout \(1s\).*answering its status 404 \(WSGIErrorOverride\)/,
    );
  });

  it('logs the app status for a client that leaves during the discard; the app still runs to close()', async () => {
    const c = await RawConnection.open(h.port);
    c.send(req('/on?s=404+Not+Found&n=4&mode=slow'));
    await until(() => closedLog().includes('sent GET s=404+Not+Found&n=4&mode=slow'));
    c.close();
    // Apache logged `-` here. tswsgi cannot tell a client that left after sending its whole
    // request from one that only half-closed (which it must still answer, listener.ts), so
    // the page goes to the socket and its length is logged; the status is the app's either way.
    assert.equal(
      await accessLine('GET /on?s=404+Not+Found&n=4&mode=slow HTTP/1.1'),
      'GET /on?s=404+Not+Found&n=4&mode=slow HTTP/1.1|404|404|15',
    );
    await closed('GET', 's=404+Not+Found&n=4&mode=slow');
  });
});
