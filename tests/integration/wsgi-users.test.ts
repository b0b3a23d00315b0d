// User / Group for daemon processes (reference mod_wsgi.md §2 user=/group=, §3.1): when
// the server starts as root, daemons run as Apache's User/Group unless the group names
// its own. If that user cannot execute the interpreter (here pyenv's python under /root)
// the server refuses to start with a plain message naming the interpreter and the user;
// with python-home=/usr (Debian's python3, usable by www-data) the app runs as uid 33.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { APP_HEADERS_CLOSE, WSGI_PREAMBLE, app, req } from '../support/wsgi.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (the server can only switch users as root)';

describe('daemon processes under User/Group', { skip }, () => {
  // The script must be readable by www-data: the harness's own temp dir is 0700 root.
  let shared = '';
  before(() => {
    shared = mkdtempSync(join(tmpdir(), 'tswsgi-users-'));
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'state.wsgi'), app('state.wsgi'));
    chmodSync(join(shared, 'state.wsgi'), 0o644);
  });
  after(() => rmSync(shared, { recursive: true, force: true }));

  const conf = (opt: string): string => `${WSGI_PREAMBLE}
User www-data
Group www-data
WSGIDaemonProcess u threads=1 graceful-timeout=1 shutdown-timeout=1 ${opt}
WSGIScriptAlias /s ${shared}/state.wsgi process-group=u
`;

  it('refuses to start when User cannot execute the default interpreter, naming both', async () => {
    await assert.rejects(startServer(conf('')), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(
        e.message,
        /^WSGIDaemonProcess u \(.*httpd\.conf:\d+\): Python interpreter \/\S+ is not executable by user www-data \(uid 33\); set python-home= on WSGIDaemonProcess \(or WSGIPythonHome\) to an interpreter that user can run, e\.g\. \/usr$/,
      );
      return true;
    });
  });

  it('runs the app as www-data (uid 33) with python-home=/usr', async (t) => {
    const h = await startServer(conf('python-home=/usr'));
    t.after(() => h.stop());
    const res = await rawRequest(h.port, req('/s'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
    assert.deepEqual(res.headerNames, APP_HEADERS_CLOSE);
    const doc = JSON.parse(res.body.toString()) as {
      uid: number;
      decimal_file: string;
      script: string;
    };
    assert.equal(doc.uid, 33);
    assert.equal(doc.script, `${shared}/state.wsgi`);
    assert.match(doc.decimal_file, /^\/usr\/lib\/python3/);
  });

  // nobody's home is /nonexistent: spawn-config.ts uses the account's home as the cwd
  // and spawn() fails with ENOENT in a restart loop (mod_wsgi logs the failed chdir and
  // carries on). connect-timeout=2 keeps the failing case short.
  it('lets user= on the group override the server User', async (t) => {
    const h = await startServer(
      conf('python-home=/usr user=nobody group=nogroup connect-timeout=2'),
    );
    t.after(() => h.stop());
    const res = await rawRequest(h.port, req('/s'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
    assert.equal((JSON.parse(res.body.toString()) as { uid: number }).uid, 65534);
  });
});
