// The stock Debian configuration (/etc/apache2 as the apache2 package installs it) served
// by tswsgi with nothing changed but the port: a copy of the tree whose ports.conf and
// default site listen on a free loopback port, and whose APACHE_* variables point the
// logs, pid and run dirs into a temp dir. What it must answer is what Debian's apache2
// answers on the same tree: the Debian default page, the icons Alias, `.ht*` refused by
// `<FilesMatch "^\.ht">`, gzip for clients that take it, server-status for local clients,
// directory listings refused where `Options Indexes` is off. Skipped when /etc/apache2 is
// absent or enables a module tswsgi does not implement (the test names them).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/load.js';
import { ACCEPTED_MODULES } from '../../src/config/registry.js';
import { MODULES } from '../../src/modules/index.js';
import { startServer } from '../../src/server/server.js';
import type { RunningServer } from '../../src/server/server.js';
import { PLACEHOLDER_PORT, toEphemeralPorts } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';

const ETC = '/etc/apache2';

/** Enabled modules tswsgi lacks (empty when it has them all). */
function missingModules(): string[] {
  if (!existsSync(join(ETC, 'mods-enabled'))) return [];
  const have = new Set([...MODULES.map((m) => m.name), ...ACCEPTED_MODULES]);
  return readdirSync(join(ETC, 'mods-enabled'))
    .filter((f) => f.endsWith('.load'))
    .map((f) => f.replace(/\.load$/, ''))
    .filter((m) => !have.has(m));
}

const missing = missingModules();
const skip = !existsSync(join(ETC, 'apache2.conf'))
  ? 'no /etc/apache2'
  : missing.length > 0
    ? `tswsgi does not implement ${missing.join(', ')} yet`
    : false;

/** The APACHE_* variables of envvars, pointed into `run`. */
function debianEnv(run: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(ETC, 'envvars'), 'utf8').split('\n')) {
    const m = /^export (APACHE_\w+|LANG)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2].replace('$SUFFIX', '');
  }
  env['APACHE_LOG_DIR'] = join(run, 'log');
  env['APACHE_PID_FILE'] = join(run, 'apache2.pid');
  env['APACHE_RUN_DIR'] = join(run, 'run');
  env['APACHE_LOCK_DIR'] = join(run, 'lock');
  return env;
}

const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

describe('the stock Debian apache2 configuration', { skip }, () => {
  let root: string;
  let server: RunningServer;
  let port: number;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tswsgi-stock-'));
    const conf = join(root, 'etc');
    cpSync(ETC, conf, { recursive: true, verbatimSymlinks: true });
    // The one change: the port (Listen 80 / <VirtualHost *:80>).
    writeFileSync(join(conf, 'ports.conf'), `Listen 127.0.0.1:${PLACEHOLDER_PORT}\n`);
    for (const site of readdirSync(join(conf, 'sites-available'))) {
      const p = join(conf, 'sites-available', site);
      writeFileSync(p, readFileSync(p, 'utf8').replaceAll('*:80>', `*:${PLACEHOLDER_PORT}>`));
    }
    for (const d of ['log', 'run', 'lock']) mkdirSync(join(root, d));
    const ir = loadConfig({
      file: 'apache2.conf',
      serverRoot: conf,
      env: debianEnv(root),
      modules: MODULES,
    });
    assert.deepEqual(ir.warnings, []);
    server = await startServer(toEphemeralPorts(ir));
    port = server.addresses()[0]?.port ?? 0;
  });
  after(async () => {
    await server.stop({ graceful: false });
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the Debian default page from /var/www/html', async () => {
    const res = await rawRequest(port, get('/'));
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html');
    assert.match(res.body.toString(), /<title>Apache2 Debian Default Page: It works<\/title>/);
  });

  it('compresses the page for a gzip client (deflate.conf), with Vary', async () => {
    const res = await rawRequest(port, get('/', 'Accept-Encoding: gzip\r\n'));
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['vary'], 'Accept-Encoding');
    assert.match(gunzipSync(res.body).toString(), /Apache2 Debian Default Page/);
  });

  it('serves the icons through alias.conf, and refuses their directory listing', async () => {
    const icon = await rawRequest(port, get('/icons/folder.gif'));
    icon.conn.close();
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['content-type'], 'image/gif');
    assert.equal(icon.body.subarray(0, 3).toString(), 'GIF');
    const dir = await rawRequest(port, get('/icons/'));
    dir.conn.close();
    assert.equal(dir.status, 403);
  });

  it('refuses .ht* files and lets local clients see server-status', async () => {
    const ht = await rawRequest(port, get('/.htaccess'));
    ht.conn.close();
    assert.equal(ht.status, 403);
    const status = await rawRequest(port, get('/server-status?auto'));
    status.conn.close();
    assert.equal(status.status, 200);
    assert.match(status.body.toString(), /\nBusyWorkers: 1\n/);
  });

  it('logs the request in the combined-format access log of the default site', async () => {
    const log = join(root, 'log', 'access.log');
    for (
      let i = 0;
      i < 200 && !(existsSync(log) && readFileSync(log, 'utf8').includes('GET / '));
      i++
    )
      await new Promise((r) => setImmediate(r));
    assert.match(
      readFileSync(log, 'utf8'),
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "-"$/m,
    );
  });
});

const SNAKEOIL = ['/etc/ssl/certs/ssl-cert-snakeoil.pem', '/etc/ssl/private/ssl-cert-snakeoil.key'];
const readable = (p: string): boolean => {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
};
const sslSkip =
  skip !== false ? skip : SNAKEOIL.every(readable) ? false : 'no readable snakeoil certificate';

// `a2enmod ssl` + `a2ensite default-ssl` (and 000-default disabled, so the one test port
// is the TLS one): Debian's ssl.conf and default-ssl.conf as shipped, snakeoil certificate.
describe('the stock Debian default-ssl site', { skip: sslSkip }, () => {
  let root: string;
  let server: RunningServer;
  let port: number;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tswsgi-stock-ssl-'));
    const conf = join(root, 'etc');
    cpSync(ETC, conf, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(conf, 'ports.conf'), `Listen 127.0.0.1:${PLACEHOLDER_PORT} https\n`);
    const site = join(conf, 'sites-available', 'default-ssl.conf');
    writeFileSync(site, readFileSync(site, 'utf8').replaceAll('*:443>', `*:${PLACEHOLDER_PORT}>`));
    rmSync(join(conf, 'sites-enabled', '000-default.conf'), { force: true });
    symlinkSync(
      '../sites-available/default-ssl.conf',
      join(conf, 'sites-enabled', 'default-ssl.conf'),
    );
    for (const m of ['ssl.load', 'ssl.conf', 'socache_shmcb.load'])
      symlinkSync(`../mods-available/${m}`, join(conf, 'mods-enabled', m));
    for (const d of ['log', 'run', 'lock']) mkdirSync(join(root, d));
    const ir = loadConfig({
      file: 'apache2.conf',
      serverRoot: conf,
      env: debianEnv(root),
      modules: MODULES,
    });
    server = await startServer(toEphemeralPorts(ir));
    port = server.addresses()[0]?.port ?? 0;
  });
  after(async () => {
    await server.stop({ graceful: false });
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the Debian default page over TLS with the snakeoil certificate', async () => {
    const conn = await RawConnection.openTls(port, { servername: 'localhost' });
    const cert = (conn.socket as TLSSocket).getPeerX509Certificate();
    conn.send(get('/'));
    const res = await conn.read();
    conn.close();
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /<title>Apache2 Debian Default Page: It works<\/title>/);
    const snakeoil = new X509Certificate(readFileSync(SNAKEOIL[0] ?? ''));
    assert.equal(cert?.fingerprint256, snakeoil.fingerprint256);
  });
});
