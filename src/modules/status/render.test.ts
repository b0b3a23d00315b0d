import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fmtG,
  formatBytes,
  formatKbytes,
  renderAuto,
  renderHtml,
  showTime,
  statusOptions,
} from './render.js';
import type { Snapshot } from './render.js';

describe('mod_status formatting', () => {
  it('show_time leaves out zero parts and pluralises', () => {
    assert.equal(showTime(0), '');
    assert.equal(showTime(1), ' 1 second');
    assert.equal(showTime(61), ' 1 minute 1 second');
    assert.equal(showTime(2 * 86400 + 3600 + 120), ' 2 days 1 hour 2 minutes');
  });
  it('prints floats as C %g does', () => {
    assert.equal(fmtG(0), '0');
    assert.equal(fmtG(0.5), '0.5');
    assert.equal(fmtG(1 / 3), '0.333333');
    assert.equal(fmtG(1234567), '1.23457e+06');
    assert.equal(fmtG(0.00001), '1e-05');
    assert.equal(fmtG(20.123, 3), '20.1');
    assert.equal(fmtG(100, 3), '100');
  });
  it('formats byte counts as format_byte_out / format_kbyte_out', () => {
    assert.equal(formatBytes(1024), '1024 B');
    assert.equal(formatBytes(6000), '5.9 kB');
    assert.equal(formatBytes(3 * 1048576), '3.0 MB');
    assert.equal(formatKbytes(1), '1 kB');
    assert.equal(formatKbytes(2048), '2.0 MB');
    assert.equal(formatKbytes(3 * 1048576), '3.0 GB');
  });
  it('reads refresh, notable and auto anywhere in the query string', () => {
    assert.deepEqual(statusOptions(''), { refresh: undefined, notable: false, auto: false });
    assert.deepEqual(statusOptions('auto'), { refresh: undefined, notable: false, auto: true });
    assert.deepEqual(statusOptions('refresh=5&notable'), {
      refresh: 5,
      notable: true,
      auto: false,
    });
    assert.equal(statusOptions('refresh').refresh, 10);
    assert.equal(statusOptions('refresh=0').refresh, 10);
    assert.equal(statusOptions('xrefresh=3').refresh, 3);
  });
});

const T0 = Date.UTC(2026, 10, 22, 5, 0, 0);
const SNAP: Snapshot = {
  serverName: 'www.example.com',
  localIp: '127.0.0.1',
  version: 'Apache/2.4.62 (tswsgi)',
  built: '2026-11-22T05:00:00',
  now: T0 + 3723_000,
  restartTime: T0,
  configGeneration: 2,
  mpmGeneration: 1,
  load: [0.5, 0.25, 1],
  extended: true,
  accesses: 10,
  bytes: 10 * 2048,
  durationMs: 55,
  cpu: [1.5, 0.5, 0, 0],
  pid: 4242,
  slots: 70,
  busy: [
    {
      connAccesses: 2,
      seconds: 3,
      client: '10.0.0.9',
      protocol: 'http/1.1',
      vhost: 'www.example.com:80',
      request: 'GET /slow?a="b"&c=<d> HTTP/1.1',
      bytes: 3000,
    },
  ],
  connections: 5,
  keepAlive: 3,
  stopping: 0,
};

describe('renderAuto', () => {
  it('writes the ?auto keys monitoring tools parse, from the snapshot', () => {
    const text = renderAuto(SNAP);
    const lines = text.split('\n');
    assert.equal(lines[0], 'www.example.com');
    const kv = new Map(
      lines.slice(1, -1).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
    );
    assert.equal(kv.get('ServerUptimeSeconds'), ' 3723');
    assert.equal(kv.get('ServerUptime'), ' 1 hour 2 minutes 3 seconds');
    assert.equal(kv.get('ParentServerConfigGeneration'), ' 2');
    assert.equal(kv.get('Load15'), ' 1.00');
    assert.equal(kv.get('Total Accesses'), ' 10');
    assert.equal(kv.get('Total kBytes'), ' 20');
    assert.equal(kv.get('Total Duration'), ' 55');
    assert.equal(kv.get('CPUUser'), ' 1.5');
    assert.equal(kv.get('CPULoad'), ' 0.0537201');
    assert.equal(kv.get('ReqPerSec'), ' 0.00268601');
    assert.equal(kv.get('BytesPerReq'), ' 2048');
    assert.equal(kv.get('DurationPerReq'), ' 5.5');
    assert.equal(kv.get('BusyWorkers'), ' 1');
    assert.equal(kv.get('IdleWorkers'), ' 69');
    assert.equal(kv.get('ConnsTotal'), ' 5');
    assert.equal(kv.get('ConnsAsyncKeepAlive'), ' 3');
    assert.equal(kv.get('Scoreboard'), ' W' + '_'.repeat(69));
    assert.ok(text.endsWith('\n'));
  });
  it('leaves the counters out without ExtendedStatus', () => {
    const text = renderAuto({ ...SNAP, extended: false });
    assert.doesNotMatch(text, /Total Accesses|CPUUser|ReqPerSec/);
    assert.match(text, /\nBusyWorkers: 1\n/);
  });
});

describe('renderHtml', () => {
  it('wraps the scoreboard at 64 and lists the request in flight, escaped', () => {
    const html = renderHtml(SNAP, statusOptions(''));
    assert.match(html, /<h1>Apache Server Status for www\.example\.com \(via 127\.0\.0\.1\)<\/h1>/);
    assert.ok(html.includes(`<pre>W${'_'.repeat(63)}\n${'_'.repeat(6)}</pre>`));
    assert.match(html, /<dt>Total accesses: 10 - Total Traffic: 20 kB - Total Duration: 55<\/dt>/);
    assert.match(
      html,
      /<dt>1 requests currently being processed, 0 workers gracefully restarting, 69 idle workers<\/dt>/,
    );
    assert.ok(
      html.includes(
        '<td>10.0.0.9</td><td>http/1.1</td><td nowrap>www.example.com:80</td><td nowrap>GET /slow?a=\\&quot;b\\&quot;&amp;c=&lt;d&gt; HTTP/1.1</td>',
      ),
      html,
    );
    assert.match(html, /<tr><td><b>0-1<\/b><\/td><td>4242<\/td><td>2\/10\/10<\/td><td><b>W<\/b>/);
    assert.ok(html.endsWith('</body></html>\n'));
  });
  it('gives the Server Details list for ?notable, and a PID key without ExtendedStatus', () => {
    const notable = renderHtml(SNAP, statusOptions('notable'));
    assert.match(notable, /<hr \/><h2>Server Details<\/h2>/);
    assert.match(
      notable,
      /<b>Server 0-1<\/b> \(4242\): 2\|10\|10 \[<b>Write<\/b>\] \n 3 - 55\(3000 B\|20\.0 kB\|20\.0 kB\)\n/,
    );
    assert.doesNotMatch(notable, /<table border="0">/);
    const plain = renderHtml({ ...SNAP, extended: false }, statusOptions(''));
    assert.match(
      plain,
      /PID Key: <br \/>\n<pre>\n {3}4242 in state: W , {3}4242 in state: _ , {3}4242 in state: _ \n/,
    );
    assert.doesNotMatch(plain, /Total accesses/);
  });
});
