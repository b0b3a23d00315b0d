// ap_expr in <If>/<ElseIf>/<Else> (httpd server/request.c ap_if_walk) and in mod_headers'
// `expr=` values and conditions. The same behaviours are compared with Apache in
// tests/differential (the "expr" block).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule headers_module modules/mod_headers.so
LoadModule mime_module modules/mod_mime.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<If "%{QUERY_STRING} == 'a'">
  Header always set X-Branch a
</If>
<ElseIf "%{QUERY_STRING} =~ /^b(\\d)$/">
  Header always set X-Branch "expr=b-$1"
</ElseIf>
<Else>
  Header always set X-Branch other
</Else>
<Directory @DIR@/htdocs/dir>
  <If "req('X-Key') -in {'k1', 'k2'}">
    Header always set X-Dir yes
    <If "-f %{REQUEST_FILENAME}">
      Header always set X-Nested file
    </If>
  </If>
</Directory>
<Location /deny>
  <If "%{REQUEST_METHOD} != 'POST'">
    Require all denied
  </If>
</Location>
<Location /broken>
  <If "file('@DIR@/nothing') == ''">
    Header always set X-Broken if
  </If>
  <Else>
    Header always set X-Broken else
  </Else>
</Location>
<Files "*.txt">
  <If "true">
    ForceType text/x-if
  </If>
</Files>
Header always set X-Uri "expr=%{toupper:%{REQUEST_URI}}"
Header always set X-Cond yes "expr=%{HTTP_USER_AGENT} =~ m#^curl/#i"
Header always set X-File "expr=%{file:@DIR@/missing}"
`;

const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;

describe('<If>/<ElseIf>/<Else> and Header expr=', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/page.html': 'page\n',
      'htdocs/dir/f.html': 'f\n',
      'htdocs/deny/x.html': 'x\n',
      'htdocs/t.txt': 't\n',
    });
  });
  after(() => h.stop());

  async function fetch(
    path: string,
    extra = '',
  ): Promise<{ status: number; headers: Record<string, string | undefined>; body: string }> {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send(get(path, extra));
      const res = await conn.read();
      return { status: res.status, headers: res.headers, body: res.body.toString() };
    } finally {
      conn.close();
    }
  }

  it('takes the <If> branch', async () => {
    const res = await fetch('/page.html?a');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'page\n');
    assert.equal(res.headers['x-branch'], 'a');
  });

  it('takes the <ElseIf> branch; back-references do not outlive their expression', async () => {
    // Apache sends "b-" too: $1 belongs to the <ElseIf> condition's evaluation only.
    const res = await fetch('/page.html?b7');
    assert.equal(res.headers['x-branch'], 'b-');
  });

  it('falls to <Else>', async () => {
    const res = await fetch('/page.html?zzz');
    assert.equal(res.headers['x-branch'], 'other');
  });

  it('evaluates <If> in <Directory>, nested <If>, and adds Vary for req()', async () => {
    const yes = await fetch('/dir/f.html', 'X-Key: k2\r\n');
    assert.equal(yes.status, 200);
    assert.equal(yes.headers['x-dir'], 'yes');
    assert.equal(yes.headers['x-nested'], 'file');
    assert.match(yes.headers['vary'] ?? '', /X-Key/);
    const no = await fetch('/dir/f.html', 'X-Key: k3\r\n');
    assert.equal(no.headers['x-dir'], undefined);
    assert.equal(no.headers['x-nested'], undefined);
    const missing = await fetch('/dir/none.html', 'X-Key: k1\r\n');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-dir'], 'yes');
    assert.equal(missing.headers['x-nested'], undefined);
  });

  it('applies Require inside <If> in <Location>', async () => {
    const res = await fetch('/deny/x.html');
    assert.equal(res.status, 403);
  });

  it('applies ForceType inside <If> in <Files>', async () => {
    const res = await fetch('/t.txt');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/x-if');
  });

  it('evaluates Header expr= values and conditions', async () => {
    const res = await fetch('/page.html?q', 'User-Agent: CURL/8\r\n');
    assert.equal(res.headers['x-uri'], '/PAGE.HTML');
    assert.equal(res.headers['x-cond'], 'yes');
    assert.match(res.headers['vary'] ?? '', /User-Agent/);
    const other = await fetch('/page.html', 'User-Agent: wget\r\n');
    assert.equal(other.headers['x-cond'], undefined);
  });

  it('logs an <If> condition that fails to evaluate (AH00039), which counts as false', async () => {
    const res = await fetch('/broken');
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-broken'], 'else');
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          l.includes(
            `AH00039: Failed to evaluate <If > condition: Cannot open file ${h.dir}/nothing`,
          ),
        ),
      h.errorLog().join('\n'),
    );
  });

  it('logs a failed value expression (AH02557) and sends an empty value', async () => {
    const res = await fetch('/page.html');
    assert.equal(res.headers['x-file'], '');
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          l.includes(`AH02557: Can't evaluate value expression: Cannot open file ${h.dir}/missing`),
        ),
      h.errorLog().join('\n'),
    );
  });
});
