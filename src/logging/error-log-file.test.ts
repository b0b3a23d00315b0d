// The Apache error-log line format and LogLevel filtering.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorLogTime, FileErrorLog, formatErrorLine, MemoryErrorLog } from './error-log-file.js';

describe('formatErrorLine', () => {
  it('writes the default ErrorLogFormat', () => {
    const d = new Date(2026, 10, 1, 20, 8, 0, 123);
    assert.equal(errorLogTime(d), 'Sun Nov 01 20:08:00.123000 2026');
    assert.equal(
      formatErrorLine(d, 'error', 'core', 'AH00128', 'File does not exist: /x', {
        client: '127.0.0.1:5000',
        pid: 42,
      }),
      '[Sun Nov 01 20:08:00.123000 2026] [core:error] [pid 42:tid 42] [client 127.0.0.1:5000] AH00128: File does not exist: /x',
    );
  });
});

describe('LogLevel', () => {
  it('filters by the global level and per-module overrides', () => {
    const log = new MemoryErrorLog({ level: 'warn', modules: { wsgi: 'debug' } });
    log.log('info', 'core', 'AH1', 'dropped');
    log.log('debug', 'wsgi', 'MW1', 'kept');
    log.log('error', 'core', 'AH2', 'kept too');
    assert.equal(log.lines.length, 2);
    assert.equal(log.enabled('info', 'core'), false);
    assert.equal(log.enabled('debug', 'wsgi'), true);
  });
  it('always writes server-level notices, as httpd log.c does, but filters request notices', () => {
    const log = new MemoryErrorLog({ level: 'error' });
    log.log('notice', 'mpm_event', 'AH00489', 'configured -- resuming normal operations');
    log.log('notice', 'core', 'AH1', 'request-level notice', { client: '127.0.0.1:1' });
    log.log('info', 'core', 'AH2', 'dropped');
    assert.equal(log.lines.length, 1);
    assert.match(
      log.lines[0] ?? '',
      /\[mpm_event:notice\] .* AH00489: configured -- resuming normal operations$/,
    );
  });
  it('appends to a file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'elog-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const p = join(dir, 'error.log');
    const log = new FileErrorLog(p, { level: 'warn' });
    log.log('error', 'authz_core', 'AH01630', 'client denied by server configuration: /x', {
      client: '1.2.3.4:5',
    });
    await log.close();
    assert.match(
      readFileSync(p, 'utf8'),
      /^\[.*\] \[authz_core:error\] \[pid \d+:tid \d+\] \[client 1\.2\.3\.4:5\] AH01630: client denied by server configuration: \/x\n$/,
    );
  });
});
