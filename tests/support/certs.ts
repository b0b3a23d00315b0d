// Test certificates made at test time with the openssl CLI, in a temp dir (no private key
// is ever committed). One CA, server certificates for a few names, and client
// certificates (one signed by the CA, one self-signed).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  readonly dir: string;
  /** `<dir>/<name>.crt` / `.key`. */
  crt(name: string): string;
  key(name: string): string;
  remove(): void;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Make `ca`, a self-signed server certificate per name in `servers` (CN = the name), a
 * client certificate `client` signed by `ca` (CN=client one, O=Tst, C=DE) and a
 * self-signed `stranger`.
 */
export function makeCerts(servers: readonly string[]): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-certs-'));
  const selfSigned = (name: string, subj: string): void =>
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
      ].concat(['-days', '2', '-subj', subj]),
      dir,
    );
  for (const s of servers) selfSigned(s, `/CN=${s}`);
  selfSigned('ca', '/CN=Test CA');
  selfSigned('stranger', '/CN=stranger');
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr'].concat([
      '-subj',
      '/C=DE/O=Tst/CN=client one',
    ]),
    dir,
  );
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\n');
  openssl(
    ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key'].concat([
      '-CAcreateserial',
      '-out',
      'client.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ]),
    dir,
  );
  return {
    dir,
    crt: (n) => join(dir, `${n}.crt`),
    key: (n) => join(dir, `${n}.key`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
