// startServer / reload / stop (caddy-style generation swap; httpd graceful restart).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/server/server.js';
import { MemoryErrorLog } from '../../src/logging/error-log-file.js';
import { toEphemeralPorts, PLACEHOLDER_PORT } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';

function conf(dir: string, root: string): string {
  const p = join(dir, 'httpd.conf');
  writeFileSync(
    p,
    `ServerRoot ${dir}\nListen 127.0.0.1:${PLACEHOLDER_PORT}\nLoadModule authz_core_module modules/mod_authz_core.so\nDocumentRoot ${join(dir, root)}\n`,
  );
  return p;
}

describe('RunningServer', () => {
  it('reports the bound port, reloads a new configuration, and stops', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-life-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const d of ['one', 'two']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'who.txt'), `${d}\n`);
    }
    const log = new MemoryErrorLog();
    const srv = await startServer(
      toEphemeralPorts(loadConfig({ file: conf(dir, 'one'), serverRoot: dir })),
      { log },
    );
    let stopped = false;
    t.after(async () => {
      if (!stopped) await srv.stop({ graceful: false });
    });
    const [addr] = srv.addresses();
    assert.ok(addr !== undefined && addr.port > 0);
    assert.equal(addr.host, '127.0.0.1');
    const get = 'GET /who.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    assert.equal((await rawRequest(addr.port, get)).body.toString(), 'one\n');

    // An idle keep-alive connection opened before the reload is closed by it (httpd 2.4's
    // graceful restart closes the old children's idle connections); new ones see the new config.
    const c = await RawConnection.open(addr.port);
    c.send('GET /who.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await c.read()).body.toString(), 'one\n');
    const old = srv.generation;
    await srv.reload(toEphemeralPorts(loadConfig({ file: conf(dir, 'two'), serverRoot: dir })));
    assert.notEqual(srv.generation, old);
    await c.closed;
    assert.equal((await rawRequest(addr.port, get)).body.toString(), 'two\n');
    const k = await RawConnection.open(addr.port);
    k.send('GET /who.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await k.read()).body.toString(), 'two\n');

    await srv.stop({ graceful: true });
    stopped = true;
    await k.closed;
    await assert.rejects(RawConnection.open(addr.port));
  });

  it('rolls back when a Listen cannot be bound', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-life-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'one'));
    const ir = toEphemeralPorts(loadConfig({ file: conf(dir, 'one'), serverRoot: dir }));
    const first = await startServer(ir, { log: new MemoryErrorLog() });
    t.after(() => first.stop({ graceful: false }));
    const taken = first.addresses()[0]?.port ?? 0;
    const clash = { ...ir, listen: ir.listen.map((l) => ({ ...l, port: taken })) };
    await assert.rejects(startServer(clash, { log: new MemoryErrorLog() }), /EADDRINUSE/);
  });
});
