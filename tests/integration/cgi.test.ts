// mod_cgi / mod_cgid (httpd modules/generators/mod_cgi.c, cgi_common.h, server/util_script.c).
// Every case was first run against apache2 2.4 with mod_cgi and the same scripts: the
// environment a script sees, Status/Location handling, the error-log lines for broken,
// missing, non-executable and slow scripts, nph- output, and stdin from the request body.
// (Whether a finished script's body goes out with Content-Length or chunked depends on
// timing in httpd too, so only the body is compared there.)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { until } from '../support/wsgi.js';
import { cgiVars } from '../support/cgi.js';

const sh = (body: string): string => `#!/bin/sh\n${body}\n`;

const SCRIPTS: Record<string, string> = {
  'env.cgi': sh(
    'echo "Content-Type: text/plain"\necho\necho "argv: $*"\necho "cwd: $(pwd)"\nfor v in GATEWAY_INTERFACE SERVER_PROTOCOL REQUEST_METHOD QUERY_STRING REQUEST_URI SCRIPT_NAME SCRIPT_FILENAME PATH_INFO PATH_TRANSLATED CONTEXT_PREFIX CONTEXT_DOCUMENT_ROOT CONTENT_LENGTH CONTENT_TYPE HTTP_X_CUSTOM HTTP_AUTHORIZATION; do eval "echo $v=\\${$v-unset}"; done',
  ),
  'status.cgi': sh(
    'echo "Status: 404 Nope Here"\necho "Content-Type: text/plain"\necho "X-Extra: one"\necho\necho missing',
  ),
  'redir.cgi': sh('echo "Location: /plain/page.txt"\necho\necho dropped'),
  'ext.cgi': sh('echo "Location: http://example.com/elsewhere"\necho\necho ignored'),
  'bad.cgi': sh('echo "garbage line without colon"\necho'),
  'empty.cgi': sh('exit 0'),
  'premature.cgi': sh('echo "Content-Type: text/plain"\nexit 0'),
  'stderr.cgi': sh(
    'echo "oops on stderr" >&2\necho "Content-Type: text/plain"\necho\necho body\necho "late stderr" >&2',
  ),
  'post.cgi': sh(
    'echo "Content-Type: application/octet-stream"\necho "Content-Length: 3"\necho\ncat',
  ),
  'nph-raw.cgi': sh('printf "HTTP/1.0 299 Custom\\r\\nX-Nph: yes\\r\\n\\r\\nnph body\\n"'),
  'noexec.cgi': sh('echo "Content-Type: text/plain"\necho\necho noexec'),
  'slow.cgi': sh('sleep 5\necho "Content-Type: text/plain"\necho\necho slow'),
  'hang.cgi': sh('echo $$ > "$HTTP_X_PID"\nexec sleep 30'),
  'stream.cgi': sh('echo "Content-Type: text/plain"\necho\necho one\nsleep 0.3\necho two'),
  'hdrs.cgi': sh(
    'echo "Content-type: TEXT/Html; Charset=UTF-8"\necho "Set-Cookie: a=1"\necho "Set-Cookie: b=2"\necho "X-Multi: 1"\necho "X-Multi: 2"\necho\necho hi',
  ),
  'badstatus.cgi': sh('echo "Status: 999 Way Off"\necho'),
  'cond.cgi': sh(
    'echo "Content-Type: text/plain"\necho \'ETag: "abc"\'\necho "Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT"\necho\necho body',
  ),
};

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule mime_module modules/mod_mime.so
LoadModule cgi_module modules/mod_cgi.so
ServerName localhost
LogLevel info
ScriptLog @DIR@/script.log
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
ScriptAlias /cgi-bin/ @DIR@/cgi/
<Directory @DIR@/cgi>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/plain>
  AddHandler cgi-script .cgi
</Directory>
<Directory @DIR@/htdocs/exec>
  Options +ExecCGI
  AddHandler cgi-script .cgi
</Directory>
<Location /cgi-bin/slow.cgi>
  CGIScriptTimeout 1
</Location>
`;

const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

describe('mod_cgi', () => {
  let h: Harness;
  before(async () => {
    const files: Record<string, string> = {
      'htdocs/plain/page.txt': 'plain page\n',
      'htdocs/plain/env.cgi': SCRIPTS['env.cgi'] ?? '',
      'htdocs/exec/env.cgi': SCRIPTS['env.cgi'] ?? '',
    };
    for (const [name, text] of Object.entries(SCRIPTS)) files[`cgi/${name}`] = text;
    h = await startServer(CONF, files);
    for (const name of Object.keys(SCRIPTS))
      chmodSync(join(h.dir, 'cgi', name), name === 'noexec.cgi' ? 0o644 : 0o755);
    chmodSync(join(h.dir, 'htdocs/plain/env.cgi'), 0o755);
    chmodSync(join(h.dir, 'htdocs/exec/env.cgi'), 0o755);
  });
  after(() => h.stop());

  it('runs a ScriptAlias script with the CGI environment, in its directory', async () => {
    const res = await rawRequest(
      h.port,
      get('/cgi-bin/env.cgi/extra/path?a=1&b=2', 'X-Custom: yes\r\nAuthorization: Basic eDp5\r\n'),
    );
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain');
    const body = res.body.toString();
    assert.match(body, /^argv: \n/);
    assert.ok(body.includes(`cwd: ${join(h.dir, 'cgi')}\n`), body);
    const env = cgiVars(body);
    assert.equal(env.get('GATEWAY_INTERFACE'), 'CGI/1.1');
    assert.equal(env.get('REQUEST_METHOD'), 'GET');
    assert.equal(env.get('QUERY_STRING'), 'a=1&b=2');
    assert.equal(env.get('REQUEST_URI'), '/cgi-bin/env.cgi/extra/path?a=1&b=2');
    assert.equal(env.get('SCRIPT_NAME'), '/cgi-bin/env.cgi');
    assert.equal(env.get('SCRIPT_FILENAME'), join(h.dir, 'cgi', 'env.cgi'));
    assert.equal(env.get('PATH_INFO'), '/extra/path');
    assert.equal(env.get('PATH_TRANSLATED'), join(h.dir, 'htdocs', 'extra', 'path'));
    assert.equal(env.get('CONTEXT_PREFIX'), '/cgi-bin/');
    assert.equal(env.get('CONTEXT_DOCUMENT_ROOT'), `${join(h.dir, 'cgi')}/`);
    assert.equal(env.get('HTTP_X_CUSTOM'), 'yes');
    assert.equal(env.get('HTTP_AUTHORIZATION'), 'unset', 'Authorization is not passed');
  });

  it('gives an ISINDEX query as decoded arguments', async () => {
    const res = await rawRequest(h.port, get('/cgi-bin/env.cgi?foo+b%20ar'));
    res.conn.close();
    assert.match(res.body.toString(), /^argv: foo b ar\n/);
  });

  it('sends Status with its reason phrase and the script fields in httpd order', async () => {
    const res = await rawRequest(h.port, get('/cgi-bin/status.cgi'));
    res.conn.close();
    assert.equal(res.statusLine, 'HTTP/1.1 404 Nope Here');
    assert.equal(res.headers['x-extra'], 'one');
    assert.equal(res.body.toString(), 'missing\n');
    const hdrs = await rawRequest(h.port, get('/cgi-bin/hdrs.cgi'));
    hdrs.conn.close();
    assert.equal(hdrs.headers['content-type'], 'text/html; Charset=UTF-8');
    assert.equal(hdrs.headers['x-multi'], '1, 2');
    const names = hdrs.headerList.map(([k, v]) => `${k}: ${v}`);
    const at = (s: string): number => names.indexOf(s);
    assert.ok(
      at('X-Multi: 1, 2') >= 0 && at('X-Multi: 1, 2') < at('Set-Cookie: a=1'),
      names.join('|'),
    );
    assert.ok(at('Set-Cookie: a=1') < at('Set-Cookie: b=2'), names.join('|'));
  });

  it("meets the request's conditions against the script's ETag and Last-Modified", async () => {
    const ask = async (
      extra: string,
    ): Promise<{ status: number; body: string; etag: string | undefined }> => {
      const res = await rawRequest(h.port, get('/cgi-bin/cond.cgi', extra));
      res.conn.close();
      return { status: res.status, body: res.body.toString(), etag: res.headers['etag'] };
    };
    assert.deepEqual(await ask(''), { status: 200, body: 'body\n', etag: '"abc"' });
    assert.deepEqual(await ask('If-None-Match: "x", W/"abc"\r\n'), {
      status: 304,
      body: '',
      etag: '"abc"',
    });
    assert.equal((await ask('If-Modified-Since: Tue, 02 Jan 2024 00:00:00 GMT\r\n')).status, 304);
    assert.equal((await ask('If-Modified-Since: Sun, 31 Dec 2023 00:00:00 GMT\r\n')).status, 200);
    const failed = await ask('If-Match: "zzz"\r\n');
    assert.equal(failed.status, 412);
    assert.match(failed.body, /<title>412 Precondition Failed<\/title>/);
    // A Status of its own: the conditions are the script's business.
    const own = await rawRequest(h.port, get('/cgi-bin/status.cgi', 'If-None-Match: *\r\n'));
    own.conn.close();
    assert.equal(own.status, 404);
  });

  it('streams output still coming as chunks, and HEAD gets no body', async () => {
    const res = await rawRequest(h.port, get('/cgi-bin/stream.cgi'));
    res.conn.close();
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(res.body.toString(), 'one\ntwo\n');
    const head = await rawRequest(
      h.port,
      'HEAD /cgi-bin/status.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      { head: true },
    );
    head.conn.close();
    assert.equal(head.statusLine, 'HTTP/1.1 404 Nope Here');
    assert.equal(head.body.length, 0);
  });

  it('feeds the request body to stdin and frames the answer itself', async () => {
    const res = await rawRequest(
      h.port,
      'POST /cgi-bin/post.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello',
    );
    res.conn.close();
    assert.equal(res.status, 200);
    // The script's Content-Length: 3 is dropped: the body is what it wrote.
    assert.equal(res.body.toString(), 'hello');
    assert.notEqual(res.headers['content-length'], '3');
  });

  it('turns a local Location into an internal GET redirect, a URL into 302', async () => {
    const res = await rawRequest(
      h.port,
      'POST /cgi-bin/redir.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc',
    );
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'plain page\n');
    assert.ok(res.headers['etag'] !== undefined, 'served by the default handler');
    const ext = await rawRequest(h.port, get('/cgi-bin/ext.cgi'));
    ext.conn.close();
    assert.equal(ext.status, 302);
    assert.equal(ext.headers['location'], 'http://example.com/elsewhere');
    assert.match(
      ext.body.toString(),
      /The document has moved <a href="http:\/\/example\.com\/elsewhere">here<\/a>/,
    );
  });

  it('answers 500 for broken heads and logs what httpd logs', async () => {
    for (const [path, line] of [
      [
        '/cgi-bin/bad.cgi',
        "malformed header from script 'bad.cgi': Bad header: garbage line without colon",
      ],
      ['/cgi-bin/empty.cgi', 'End of script output before headers: empty.cgi'],
      ['/cgi-bin/premature.cgi', 'Premature end of script headers: premature.cgi'],
      ['/cgi-bin/badstatus.cgi', "Invalid status line from script 'badstatus.cgi': 999 Way Off"],
    ] as const) {
      const res = await rawRequest(h.port, get(path));
      res.conn.close();
      assert.equal(res.status, 500, path);
      assert.match(res.body.toString(), /<title>500 Internal Server Error<\/title>/);
      await until(() => h.errorLog().some((l) => l.includes(`[cgi:error]`) && l.endsWith(line)));
    }
  });

  it("logs the script's stderr line by line (AH01215)", async () => {
    const res = await rawRequest(h.port, get('/cgi-bin/stderr.cgi'));
    res.conn.close();
    assert.equal(res.body.toString(), 'body\n');
    const file = join(h.dir, 'cgi', 'stderr.cgi');
    await until(() =>
      h.errorLog().some((l) => l.endsWith(`AH01215: stderr from ${file}: late stderr`)),
    );
    assert.ok(h.errorLog().some((l) => l.endsWith(`AH01215: stderr from ${file}: oops on stderr`)));
  });

  it('refuses what may not run: missing, a directory, no ExecCGI, not executable', async () => {
    const cases = [
      [
        '/cgi-bin/missing.cgi',
        404,
        `AH02811: stderr from ${join(h.dir, 'cgi', 'missing.cgi')}: script not found or unable to stat`,
      ],
      [
        '/cgi-bin/',
        403,
        `AH02812: stderr from ${join(h.dir, 'cgi')}/: attempt to invoke directory as script`,
      ],
      [
        '/plain/env.cgi',
        403,
        `AH02809: stderr from ${join(h.dir, 'htdocs', 'plain', 'env.cgi')}: Options ExecCGI is off in this directory`,
      ],
      [
        '/cgi-bin/noexec.cgi',
        500,
        `AH01215: stderr from ${join(h.dir, 'cgi', 'noexec.cgi')}: (13)Permission denied: exec of '${join(h.dir, 'cgi', 'noexec.cgi')}' failed`,
      ],
    ] as const;
    for (const [path, status, line] of cases) {
      const res = await rawRequest(h.port, get(path));
      res.conn.close();
      assert.equal(res.status, status, path);
      await until(() => h.errorLog().some((l) => l.endsWith(line)));
    }
    await until(() =>
      h.errorLog().some((l) => l.endsWith('End of script output before headers: noexec.cgi')),
    );
    // With Options ExecCGI, AddHandler runs it.
    const ok = await rawRequest(h.port, get('/exec/env.cgi'));
    ok.conn.close();
    assert.equal(ok.status, 200);
    assert.equal(cgiVars(ok.body.toString()).get('SCRIPT_NAME'), '/exec/env.cgi');
  });

  it('answers 504 when the script is silent past CGIScriptTimeout (AH01220)', async () => {
    const t0 = Date.now();
    const res = await rawRequest(h.port, get('/cgi-bin/slow.cgi'));
    res.conn.close();
    assert.equal(res.status, 504);
    assert.ok(Date.now() - t0 >= 950 && Date.now() - t0 < 3000);
    await until(() =>
      h.errorLog().some((l) => l.endsWith('Script timed out before returning headers: slow.cgi')),
    );
    assert.ok(
      h
        .errorLog()
        .some(
          (l) =>
            l.includes(`[cgi:warn]`) &&
            l.endsWith(
              `AH01220: Timeout waiting for output from CGI script ${join(h.dir, 'cgi', 'slow.cgi')}`,
            ),
        ),
    );
  });

  it('kills a script whose client reset the connection before the answer', async () => {
    const pidFile = join(h.dir, 'hang.pid');
    const conn = await RawConnection.open(h.port);
    conn.send(`GET /cgi-bin/hang.cgi HTTP/1.1\r\nHost: localhost\r\nX-Pid: ${pidFile}\r\n\r\n`);
    const pid = await until(() => {
      try {
        return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
      } catch {
        return undefined;
      }
    });
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(alive(), true);
    // A reset (a half-close is a client still waiting for its answer, as in httpd).
    conn.socket.resetAndDestroy();
    await until(() => !alive());
  });

  it('writes an nph- script output as is and closes the connection', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /cgi-bin/nph-raw.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const res = await conn.read();
    assert.equal(res.statusLine, 'HTTP/1.0 299 Custom');
    assert.equal(res.headers['x-nph'], 'yes');
    assert.equal(res.headers['date'], undefined, 'nothing added');
    await conn.closed;
  });

  it('keeps a ScriptLog record of failures', async () => {
    const res = await rawRequest(h.port, get('/cgi-bin/bad.cgi?x=1'));
    res.conn.close();
    const log = await until(() => {
      const t = readFileSync(join(h.dir, 'script.log'), 'utf8');
      return t.includes('GET /cgi-bin/bad.cgi?x=1 HTTP/1.1') ? t : undefined;
    });
    assert.match(
      log,
      /%% \[\w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}\] GET \/cgi-bin\/bad\.cgi\?x=1 HTTP\/1\.1\n%% 500 \S+\/bad\.cgi\n%error\nmalformed header from script 'bad\.cgi': Bad header: garbage line without colon\n/,
    );
  });
});

describe('mod_cgid', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule cgid_module modules/mod_cgid.so
ServerName localhost
ScriptSock cgisock
ScriptAlias /cgi-bin/ @DIR@/cgi/
<Directory @DIR@/cgi>
  Require all granted
</Directory>
`,
      {
        'cgi/status.cgi': SCRIPTS['status.cgi'] ?? '',
        'cgi/empty.cgi': SCRIPTS['empty.cgi'] ?? '',
      },
    );
    chmodSync(join(h.dir, 'cgi', 'status.cgi'), 0o755);
    chmodSync(join(h.dir, 'cgi', 'empty.cgi'), 0o755);
  });
  after(() => h.stop());

  it('runs scripts as mod_cgi does, logging under cgid', async () => {
    const res = await rawRequest(h.port, get('/cgi-bin/status.cgi'));
    res.conn.close();
    assert.equal(res.statusLine, 'HTTP/1.1 404 Nope Here');
    assert.equal(res.body.toString(), 'missing\n');
    const bad = await rawRequest(h.port, get('/cgi-bin/empty.cgi'));
    bad.conn.close();
    assert.equal(bad.status, 500);
    await until(() =>
      h
        .errorLog()
        .some(
          (l) =>
            l.includes('[cgid:error]') &&
            l.endsWith('End of script output before headers: empty.cgi'),
        ),
    );
  });
});
