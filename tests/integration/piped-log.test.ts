// Piped logs (httpd server/log.c ap_open_piped_log_ex, piped_log_maintenance): CustomLog and
// ErrorLog targets `|program` (run directly, words split as apr_tokenize_to_argv does) and
// `|$command` (through /bin/sh -c). Lines reach the program's standard input; a program
// that exits is started again (AH00106); stopping the server ends its input.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
LogFormat "%>s %U" short
CustomLog "|/bin/sh -c 'cat >> @DIR@/direct.log'" short
CustomLog "|$cat >> @DIR@/shell.log" short
CustomLog "|$head -n 1 >> @DIR@/one.log" short
`;

const read = (p: string): string[] =>
  existsSync(p)
    ? readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

/** Poll (a condition, not a sleep) until `file` has `n` lines, or 10 s. */
async function linesOf(file: string, n: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (read(file).length < n && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  return read(file);
}

const get = (h: Harness, path: string): Promise<unknown> =>
  rawRequest(h.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);

describe('piped CustomLog', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'htdocs/a.txt': 'a\n' });
  });
  after(() => h.stop());

  it('feeds each line to a program run directly and to one run through the shell', async () => {
    await get(h, '/a.txt');
    await get(h, '/missing');
    assert.deepEqual(await linesOf(join(h.dir, 'direct.log'), 2), ['200 /a.txt', '404 /missing']);
    assert.deepEqual(await linesOf(join(h.dir, 'shell.log'), 2), ['200 /a.txt', '404 /missing']);
  });

  it('starts a program that exits again (AH00106), and the next lines reach it', async () => {
    // head -n 1 took the first request's line and exited; each later line needs a new one.
    const deadline = Date.now() + 10_000;
    let n = 0;
    while (read(join(h.dir, 'one.log')).length < 2 && Date.now() < deadline) {
      await get(h, `/again-${String(n++)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = read(join(h.dir, 'one.log'));
    assert.ok(lines.length >= 2, `one.log: ${JSON.stringify(lines)}`);
    assert.equal(lines[0], '200 /a.txt');
    assert.match(lines[1] ?? '', /^404 \/(missing|again-\d+)$/);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[core:error\] .*AH00106: piped log program '\|\$head -n 1 >> \S+\/one\.log' failed unexpectedly$/.test(
            l,
          ),
        ),
      h.errorLog().join('\n'),
    );
  });
});

describe('piped ErrorLog', () => {
  it('sends error-log lines to the program, and stopping the server ends its input', async () => {
    // Outside the server's directory, which stop() removes.
    const file = join(mkdtempSync(join(tmpdir(), 'tswsgi-piped-')), 'error.log');
    const h = await startServer(
      `${CONF.replace(/^CustomLog.*$/gm, '')}\nErrorLog "|$cat >> ${file}; echo closed >> ${file}"\nLogLevel info\n`,
      { 'htdocs/a.txt': 'a\n' },
    );
    try {
      await get(h, '/nothing-here');
      const lines = await linesOf(file, 1);
      assert.ok(
        lines.some((l) =>
          /\[core:info\] .*AH00128: File does not exist: \S+\/htdocs\/nothing-here$/.test(l),
        ),
        lines.join('\n'),
      );
    } finally {
      await h.stop();
    }
    // stop() waited for the program: it saw EOF on its input and wrote its last line.
    assert.equal(read(file).at(-1), 'closed');
    rmSync(dirname(file), { recursive: true, force: true });
  });
});
