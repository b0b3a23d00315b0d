// mod_status (httpd modules/generators/mod_status.c) as Debian's status.conf sets it up:
// `<Location /server-status> SetHandler server-status; Require local </Location>` with
// ExtendedStatus On. The page's layout was compared with apache2 2.4's; the numbers are
// tswsgi's own (one front-end process, MaxRequestWorkers slots).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';

const conf = (extra: string): string => `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule status_module modules/mod_status.so
ServerName localhost
MaxRequestWorkers 40
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Location /server-status>
  SetHandler server-status
  Require local
</Location>
<Location /remote-status>
  SetHandler server-status
  Require ip 192.0.2.0/24
</Location>
${extra}
`;

const get = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

/** The ?auto page as key → value. */
async function auto(port: number): Promise<Map<string, string>> {
  const res = await rawRequest(port, get('/server-status?auto'));
  res.conn.close();
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/plain; charset=ISO-8859-1');
  const lines = res.body.toString('latin1').trimEnd().split('\n');
  assert.equal(lines[0], 'localhost');
  return new Map(
    lines.slice(1).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
  );
}

describe('mod_status (SetHandler server-status)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(conf('ExtendedStatus On'), { 'htdocs/page.txt': 'x'.repeat(3000) });
  });
  after(() => h.stop());

  it('counts accesses, bytes and itself as the one busy worker (?auto)', async () => {
    const before = await auto(h.port);
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(h.port, get('/page.txt'));
      res.conn.close();
      assert.equal(res.body.length, 3000);
    }
    const now = await auto(h.port);
    // The three pages and the first status request (logged once it was answered).
    assert.equal(Number(now.get('Total Accesses')) - Number(before.get('Total Accesses')), 4);
    assert.ok(Number(now.get('Total kBytes')) >= Number(before.get('Total kBytes')) + 8);
    assert.equal(now.get('BusyWorkers'), '1');
    assert.equal(now.get('IdleWorkers'), '39');
    assert.equal(now.get('Processes'), '1');
    assert.equal(now.get('ServerMPM'), 'event');
    assert.equal(now.get('ParentServerConfigGeneration'), '1');
    assert.equal(now.get('Scoreboard'), 'W' + '_'.repeat(39));
    assert.match(now.get('CPUUser') ?? '', /^\d+(\.\d+)?(e[+-]\d+)?$/);
    assert.match(now.get('CurrentTime') ?? '', /^\w+day, \d\d-\w{3}-\d{4} \d\d:\d\d:\d\d \w+$/);
  });

  it('shows a request in flight and an idle kept-alive connection (HTML page)', async () => {
    // A POST whose body never comes: it stays busy in ap_discard_request_body.
    const stuck = await RawConnection.open(h.port);
    stuck.send('POST /page.txt?who=me HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n');
    const idle = await RawConnection.open(h.port);
    idle.send('GET /page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await idle.read()).status, 200);
    try {
      const res = await rawRequest(h.port, get('/server-status?refresh=7'));
      res.conn.close();
      assert.equal(res.status, 200);
      assert.equal(res.headers['refresh'], '7');
      assert.equal(res.headers['content-type'], 'text/html; charset=ISO-8859-1');
      const html = res.body.toString('latin1');
      assert.match(html, /<h1>Apache Server Status for localhost \(via 127\.0\.0\.1\)<\/h1>/);
      assert.match(
        html,
        /<dt>2 requests currently being processed, 0 workers gracefully restarting, 38 idle workers<\/dt>/,
      );
      assert.ok(html.includes(`<pre>WW${'_'.repeat(38)}</pre>`), html);
      assert.match(html, /<td nowrap>POST \/page\.txt\?who=me HTTP\/1\.1<\/td><\/tr>/);
      assert.match(html, /<td nowrap>GET \/server-status\?refresh=7 HTTP\/1\.1<\/td><\/tr>/);
      // Connections: the stuck one, the idle kept-alive one, this one.
      assert.match(
        html,
        /<tr><td>Sum<\/td><td>1<\/td><td>0<\/td><td>3<\/td><td>&nbsp;<\/td><td>2<\/td><td>0<\/td><td>38<\/td><td>0<\/td><td>0<\/td><td>1<\/td><td>0<\/td><\/tr>/,
      );
    } finally {
      stuck.close();
      idle.close();
    }
  });

  it('refuses a client that Require does not let in, and leaves other methods to the next handler', async () => {
    const denied = await rawRequest(h.port, get('/remote-status'));
    denied.conn.close();
    assert.equal(denied.status, 403);
    const post = await rawRequest(
      h.port,
      'POST /server-status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    post.conn.close();
    // As Apache: status_handler declines, the default handler finds no such file.
    assert.equal(post.status, 404);
  });
});

describe('mod_status with a WSGI daemon process group', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${conf('')}
LoadModule alias_module modules/mod_alias.so
LoadModule wsgi_module modules/mod_wsgi.so
WSGIDaemonProcess st processes=1 threads=2
WSGIScriptAlias /app @DIR@/app.wsgi process-group=st application-group=%{GLOBAL}
<Directory @DIR@>
  Require all granted
</Directory>
`,
      {
        'htdocs/page.txt': 'x',
        'app.wsgi':
          "def application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'hi']\n",
      },
    );
  });
  after(() => h.stop());

  it('adds the daemon processes to ?auto and the HTML page', async () => {
    const res = await rawRequest(h.port, get('/app'));
    res.conn.close();
    assert.equal(res.body.toString(), 'hi');
    const a = await auto(h.port);
    assert.equal(
      a.get('WSGIProcessGroup'),
      'st application-group=%{GLOBAL} processes=1 threads=2 live=1 busy=0 queued=0 startup-failures=0',
    );
    assert.match(a.get('WSGIProcess') ?? '', /^st pid=\d+ state=ready in-flight=0 served=1$/);
    const page = await rawRequest(h.port, get('/server-status'));
    page.conn.close();
    assert.match(
      page.body.toString('latin1'),
      /<h2>WSGI daemon process groups<\/h2>[^]*<td><b>st<\/b><\/td>[^]*<td>ready<\/td><td>0<\/td><td>1<\/td>[^]*<\/table>\n<\/body><\/html>\n$/,
    );
  });
});

describe('mod_status with ExtendedStatus Off', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(conf('ExtendedStatus Off\nSeeRequestTail On'), {
      'htdocs/page.txt': 'x',
    });
  });
  after(() => h.stop());

  it('keeps no counters and lists the PID key instead of the request table', async () => {
    const a = await auto(h.port);
    assert.equal(a.has('Total Accesses'), false);
    assert.equal(a.get('BusyWorkers'), '1');
    const res = await rawRequest(h.port, get('/server-status'));
    res.conn.close();
    const html = res.body.toString('latin1');
    assert.doesNotMatch(html, /Total accesses/);
    assert.match(html, /PID Key: <br \/>\n<pre>\n {3}\d+ in state: W , {3}\d+ in state: _ ,/);
    assert.doesNotMatch(html, /<table border="0">/);
  });
});
