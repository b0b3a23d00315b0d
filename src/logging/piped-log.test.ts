import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PipedLog, pipedCommand, tokenizeToArgv } from './piped-log.js';

describe('piped log targets', () => {
  it('runs |prog and ||prog directly and |$cmd through the shell', () => {
    assert.deepEqual(pipedCommand('|/usr/bin/rotatelogs -l /var/log/x 86400'), {
      argv: ['/usr/bin/rotatelogs', '-l', '/var/log/x', '86400'],
      shell: false,
    });
    assert.deepEqual(pipedCommand('||/bin/cat'), { argv: ['/bin/cat'], shell: false });
    assert.deepEqual(pipedCommand('|$ cat >> /tmp/x'), {
      argv: ['/bin/sh', '-c', 'cat >> /tmp/x'],
      shell: true,
    });
    assert.deepEqual(pipedCommand('||$exec cat'), {
      argv: ['/bin/sh', '-c', 'exec cat'],
      shell: true,
    });
    assert.equal(pipedCommand('/var/log/access.log'), undefined);
  });

  it('splits words as apr_tokenize_to_argv: quotes group, a backslash keeps the next character', () => {
    assert.deepEqual(tokenizeToArgv(`  a "b c"  'd e' f\\ g\t`), ['a', 'b c', 'd e', 'f g']);
    assert.deepEqual(tokenizeToArgv(''), []);
  });
});

describe('PipedLog', () => {
  it('reports a program that cannot start, keeps lines up to 1 MiB, then reports the drop once', async () => {
    const reports: string[] = [];
    const target = '|/nonexistent/tswsgi-logger';
    const p = new PipedLog(
      target,
      { argv: ['/nonexistent/tswsgi-logger'], shell: false },
      (l, _m, id, m) => reports.push(`${l} ${id} ${m}`),
    );
    const deadline = Date.now() + 5000;
    while (!reports.some((r) => r.includes('AH00104')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.match(
      reports[0] ?? '',
      /^error AH00104 unable to start piped log program '\|\/nonexistent\/tswsgi-logger': spawn \/nonexistent\/tswsgi-logger ENOENT$/,
    );
    const line = 'x'.repeat(1023) + '\n';
    for (let i = 0; i < 1100; i++) p.write(line);
    const drops = reports.filter((r) => r.includes('MW00502'));
    assert.equal(drops.length, 1);
    assert.match(
      drops[0] ?? '',
      /^warn MW00502 piped log program '\|\/nonexistent\/tswsgi-logger' is not running/,
    );
    await p.close();
  });

  it('bounds what waits for a program that does not read, and kills it on close if it stays', async () => {
    const reports: string[] = [];
    const p = new PipedLog(
      '|/bin/sleep 30',
      { argv: ['/bin/sleep', '30'], shell: false },
      (l, _m, id, m) => reports.push(`${l} ${id} ${m}`),
    );
    const line = 'y'.repeat(1023) + '\n';
    for (let i = 0; i < 1200; i++) p.write(line);
    assert.deepEqual(reports, [
      "warn MW00502 piped log program '|/bin/sleep 30' is not keeping up; dropping log lines past 1048576 bytes",
    ]);
    const pid = p.pid;
    assert.ok(pid !== undefined);
    await p.close(100);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
