// LogFormat compilation and the common / combined lines (mod_log_config).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clfTime, compileLogFormat, escapeLogItem, STOCK_FORMATS } from './access-log.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';

async function ctx(opts: Parameters<typeof fakeRequest>[1] = {}) {
  const { gen } = await generation(config(server()), []);
  const r = fakeRequest(gen, opts);
  return { r, status: 200, endTime: r.requestTime + 1500 };
}

describe('compileLogFormat', () => {
  it('formats the common format', async () => {
    const c = await ctx({ target: '/a.txt?x=1', remote: { addr: '10.0.0.7', port: 4000 } });
    const line = compileLogFormat(STOCK_FORMATS['common'] ?? '')(c);
    assert.equal(line, `10.0.0.7 - - ${clfTime(c.r.requestTime)} "GET /a.txt?x=1 HTTP/1.1" 200 -`);
  });

  it('formats the combined format with Referer and User-Agent, "-" when absent', async () => {
    const c = await ctx({
      headers: [
        ['Host', 'h'],
        ['User-Agent', 'curl/8 "x"'],
      ],
    });
    const line = compileLogFormat(STOCK_FORMATS['combined'] ?? '')(c);
    assert.ok(line.endsWith('"GET / HTTP/1.1" 200 0 "-" "curl/8 \\"x\\""'), line);
  });

  it('supports %B %D %T %U %q %m %H %v %p %P %a %A %{X}e %{X}o %% and literal escapes', async () => {
    const c = await ctx({ method: 'POST', target: '/p/q?k=v' });
    c.r.env.set('FOO', 'bar');
    c.r.res.setHeader('X-Out', 'yes');
    const f = compileLogFormat(
      '%B|%D|%T|%U|%q|%m|%H|%v|%p|%P|%a|%A|%{FOO}e|%{X-Out}o|%{Nope}e|%%|\\t|%>s|%<s',
    );
    assert.equal(
      f(c),
      `0|1500000|1|/p/q|?k=v|POST|HTTP/1.1|127.0.0.1|80|${process.pid}|127.0.0.1|127.0.0.1|bar|yes|-|%|\t|200|200`,
    );
  });

  it('rejects an unknown directive', () => {
    assert.throws(() => compileLogFormat('%Y'), /Unrecognized LogFormat directive %Y/);
  });
});

describe('escapeLogItem', () => {
  it('escapes quotes, backslashes and control bytes as ap_escape_logitem', () => {
    assert.equal(escapeLogItem('a"b\\c\nd\x01'), 'a\\"b\\\\c\\nd\\x01');
  });
});

describe('clfTime', () => {
  it('renders [dd/Mon/yyyy:HH:MM:SS +zzzz]', () => {
    assert.match(
      clfTime(Date.UTC(2026, 10, 21, 20, 8, 0)),
      /^\[\d\d\/Nov\/2026:\d\d:\d\d:00 [+-]\d{4}\]$/,
    );
  });
});
