// Tests for the WSGIDaemonProcess option table (mod_wsgi wsgi_add_daemon_process).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDaemonProcess } from '../../wsgi/daemon/options.js';

const o = { file: 'x.conf', line: 3 };
const err = (raw: string): string => {
  const p = parseDaemonProcess(raw, o);
  return 'error' in p ? p.error : 'no error';
};

describe('WSGIDaemonProcess options', () => {
  it('uses processes=1 threads=15 and the express production timeouts by default', () => {
    const p = parseDaemonProcess('app', o);
    assert.ok(!('error' in p));
    assert.equal(p.spec.processes, 1);
    assert.equal(p.spec.processesExplicit, false);
    assert.equal(p.spec.threads, 15);
    assert.equal(p.spec.requestTimeout, 60);
    assert.equal(p.spec.queueTimeout, 45);
    assert.equal(p.spec.displayName, '(wsgi:app)');
  });
  it('parses quoted values, %{GROUP} and marks processes= explicit', () => {
    const p = parseDaemonProcess(
      'app processes=1 threads=3 python-path="/a b:/c" display-name=%{GROUP} umask=0022 listen-backlog=50',
      o,
    );
    assert.ok(!('error' in p));
    assert.equal(p.spec.processesExplicit, true);
    assert.equal(p.spec.threads, 3);
    assert.deepEqual(p.spec.pythonPath, ['/a b', '/c']);
    assert.equal(p.spec.umask, 0o022);
    assert.deepEqual(p.ignored, { 'listen-backlog': '50' });
  });
  it("rejects unknown options with mod_wsgi's message", () => {
    assert.equal(err('app bogus=1'), 'Invalid option to WSGI daemon process definition.');
    assert.equal(err('app threads'), 'Invalid option to WSGI daemon process definition.');
  });
  it('reports bad numbers precisely', () => {
    assert.equal(err('app processes=0'), 'Invalid process count for WSGI daemon process.');
    assert.equal(
      err('app request-timeout=abc'),
      "Invalid request timeout for WSGI daemon process. 'abc' is not a whole number.",
    );
    assert.equal(
      err('app header-buffer-size=100'),
      'Header buffer size must be >= 8192 bytes, or 0 for default.',
    );
    assert.equal(err('app user=root'), 'WSGI process blocked from running as root.');
    assert.equal(err(''), 'Name of WSGI daemon process not supplied.');
  });
});
