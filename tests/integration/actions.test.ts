// mod_actions (httpd modules/mappers/mod_actions.c): Action by handler name and by media
// type, `virtual`, Script by method, .htaccess Action under AllowOverride FileInfo, and the
// loop guard. Each answer was first taken from apache2 2.4.71 with mod_actions + mod_cgi on
// the same layout (tests/differential has the cases both servers run).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { REDIRECT_VARS, cgiVars, envCgi } from '../support/cgi.js';

const SHOW = envCgi(REDIRECT_VARS, { after: ['cat'] });

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule mime_module modules/mod_mime.so
LoadModule cgi_module modules/mod_cgi.so
LoadModule actions_module modules/mod_actions.so
ServerName localhost
LogLevel info
TypesConfig /etc/mime.types
DocumentRoot @DIR@/htdocs
<Directory @DIR@>
  Require all granted
</Directory>
ScriptAlias /cgi-bin/ @DIR@/cgi/
<Directory @DIR@/htdocs/docs>
  AddHandler my-file-type .xyz
  Action my-file-type /cgi-bin/show.cgi
  Action text/html /cgi-bin/show.cgi
  Script PUT /cgi-bin/show.cgi
  Script GET /cgi-bin/show.cgi
</Directory>
<Directory @DIR@/htdocs/ht>
  AllowOverride FileInfo
</Directory>
<Location /v>
  SetHandler virt-handler
  Action virt-handler /cgi-bin/show.cgi virtual
</Location>
<Location /nv>
  SetHandler nv-handler
  Action nv-handler /cgi-bin/show.cgi
</Location>
# Script PUT on a tree whose script is itself under Script PUT: the loop guard.
<Directory @DIR@/htdocs/loop>
  Script PUT /loop/again
</Directory>
`;

const FILES = {
  'cgi/show.cgi': SHOW,
  'htdocs/docs/a.xyz': 'xyz data\n',
  'htdocs/docs/page.html': '<p>hi</p>\n',
  'htdocs/docs/a.txt': 'plain\n',
  'htdocs/ht/.htaccess': 'AddHandler ht-type .htx\nAction ht-type /cgi-bin/show.cgi\n',
  'htdocs/ht/f.htx': 'ht\n',
  'htdocs/loop/again': 'static\n',
};

const req = (method: string, path: string, extra = '', body = ''): string =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}` +
  (body !== '' ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : '') +
  `\r\n${body}`;

describe('mod_actions', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
    chmodSync(join(h.dir, 'cgi/show.cgi'), 0o755);
  });
  after(() => h.stop());

  it('sends a request whose handler has an Action to the script, the URI as PATH_INFO', async () => {
    const res = await rawRequest(h.port, req('GET', '/docs/a.xyz'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain');
    const v = cgiVars(res.body.toString());
    assert.equal(v.get('SCRIPT_NAME'), '/cgi-bin/show.cgi');
    assert.equal(v.get('PATH_INFO'), '/docs/a.xyz');
    assert.equal(v.get('PATH_TRANSLATED'), join(h.dir, 'htdocs/docs/a.xyz'));
    assert.equal(v.get('REQUEST_URI'), '/docs/a.xyz');
    assert.equal(v.get('REDIRECT_HANDLER'), 'my-file-type');
    assert.equal(v.get('REDIRECT_URL'), '/docs/a.xyz');
    assert.equal(v.get('REDIRECT_STATUS'), '200');
    assert.equal(v.get('QUERY_STRING'), '');
  });

  it('uses an Action for the media type when no handler is set', async () => {
    const res = await rawRequest(h.port, req('GET', '/docs/page.html'));
    assert.equal(res.status, 200);
    assert.equal(cgiVars(res.body.toString()).get('REDIRECT_HANDLER'), 'text/html');
  });

  it('runs Script GET only for a GET with a query string, which it passes on', async () => {
    const withQuery = await rawRequest(h.port, req('GET', '/docs/a.txt?q=1'));
    const v = cgiVars(withQuery.body.toString());
    assert.equal(v.get('QUERY_STRING'), 'q=1');
    assert.equal(v.get('REDIRECT_QUERY_STRING'), 'q=1');
    assert.equal(v.get('REQUEST_URI'), '/docs/a.txt?q=1');
    assert.equal(v.get('REDIRECT_HANDLER'), '');
    const plain = await rawRequest(h.port, req('GET', '/docs/a.txt'));
    assert.equal(plain.status, 200);
    assert.equal(plain.body.toString(), 'plain\n');
  });

  it('runs Script PUT with the request body on the script’s stdin', async () => {
    const res = await rawRequest(h.port, req('PUT', '/docs/a.txt', '', 'abc'));
    assert.equal(res.status, 200);
    const body = res.body.toString();
    assert.equal(cgiVars(body).get('REQUEST_METHOD'), 'PUT');
    assert.equal(cgiVars(body).get('CONTENT_LENGTH'), '3');
    assert.ok(body.endsWith('CONTENT_LENGTH=3\nabc'), body);
  });

  it('does not add Script methods to Allow (httpd 2.4 lists r->allowed_methods only)', async () => {
    const res = await rawRequest(h.port, req('OPTIONS', '/docs/a.txt'));
    assert.equal(res.status, 200);
    assert.deepEqual((res.headers['allow'] ?? '').split(',').sort(), [
      'GET',
      'HEAD',
      'OPTIONS',
      'POST',
      'TRACE',
    ]);
  });

  it('needs no file behind a virtual Action, and escapes the URI into the target', async () => {
    const res = await rawRequest(h.port, req('GET', '/v/any/x%20y?z=2'));
    assert.equal(res.status, 200);
    const v = cgiVars(res.body.toString());
    assert.equal(v.get('PATH_INFO'), '/v/any/x y');
    assert.equal(v.get('QUERY_STRING'), 'z=2');
    assert.equal(v.get('REDIRECT_URL'), '/v/any/x y');
    assert.equal(v.get('REDIRECT_HANDLER'), 'virt-handler');
  });

  it('answers 404 with AH00652 at info when an Action without virtual has no file', async () => {
    const res = await rawRequest(h.port, req('GET', '/nv/missing'));
    assert.equal(res.status, 404);
    assert.ok(
      h
        .errorLog()
        .some((l) => /\[actions:info\] .*AH00652: File does not exist: .*\/htdocs\/nv$/.test(l)),
      h.errorLog().join('\n'),
    );
    const none = await rawRequest(h.port, req('GET', '/docs/none.xyz'));
    assert.equal(none.status, 404);
    assert.ok(
      h.errorLog().some((l) => /AH00652: File does not exist: .*\/docs\/none\.xyz$/.test(l)),
    );
  });

  it('takes an Action from .htaccess under AllowOverride FileInfo', async () => {
    const res = await rawRequest(h.port, req('GET', '/ht/f.htx'));
    assert.equal(res.status, 200);
    assert.equal(cgiVars(res.body.toString()).get('REDIRECT_HANDLER'), 'ht-type');
  });

  it('stops a Script that would redirect to itself after two hops (405, no recursion error)', async () => {
    const res = await rawRequest(h.port, req('PUT', '/loop/x', '', 'abc'));
    // PUT /loop/x → /loop/again/loop/x → /loop/again/loop/again/loop/x: the third request
    // declines (r->prev->prev), and the default handler refuses PUT.
    assert.equal(res.status, 405);
    assert.ok(!h.errorLog().some((l) => /AH00124/.test(l)));
  });
});
