// Mutation fuzzing at the wire (seeded, so every run sends the same bytes): well-formed
// requests for a static file and for a WSGI app in a daemon group are mutated (bytes
// flipped, inserted, deleted, duplicated, truncated; CR, LF, NUL, high bytes favoured) and
// sent. Whatever arrives, the server must answer with a well-formed status line or close,
// never hit an unexpected-error path (MW00301), never lose its daemon, and keep serving.
// Counterpart: the fuzz corpora of gunicorn/waitress (reference peers.md) and httpd's
// test/modules/http1 request tables; here the oracle is only "no crash, no malformed reply".

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exchange, prng } from '../support/fuzz.js';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LoadModule mime_module modules/mod_mime.so
Timeout 1
LimitRequestBody 100000
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
Redirect /old http://elsewhere.example/new
RedirectMatch 301 ^/rm/(.*)$ /a.txt?$1
WSGIDaemonProcess fuzz threads=4 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /app @DIR@/dump.wsgi process-group=fuzz
<Location /app>
  WSGIChunkedRequest On
</Location>
`;

const SEEDS = [
  'GET /a.txt HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n',
  'GET /app/x/y?q=1&r=%41 HTTP/1.1\r\nHost: localhost:80\r\nCookie: a=b; c=d\r\n\r\n',
  'POST /app/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world',
  'POST /app/c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nTrailer: t\r\n\r\n',
  'HEAD /a.txt HTTP/1.0\r\nRange: bytes=0-1\r\nIf-None-Match: "x"\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET /a.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-0,2-2,-1\r\nIf-Range: "x"\r\n\r\n',
  'TRACE /a.txt HTTP/1.1\r\nHost: localhost\r\nX-T: 1\r\n\r\n',
  'GET /old/a%20b?q=1 HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n\r\n',
  'CONNECT localhost:80 HTTP/1.1\r\nHost: localhost\r\n\r\n',
];
const SPECIAL = [0x0d, 0x0a, 0x00, 0x20, 0x3a, 0x25, 0x2f, 0x2e, 0x80, 0xff, 0x09, 0x2c, 0x3b];

function mutate(seed: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(seed);
  const n = rnd() < 0.7 ? 1 : 2;
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * Math.max(1, b.length));
    const byte =
      rnd() < 0.6 ? (SPECIAL[Math.floor(rnd() * SPECIAL.length)] ?? 0) : Math.floor(rnd() * 256);
    switch (Math.floor(rnd() * 9) % 5) {
      case 0:
        b[at] = byte;
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rnd() * 8))]);
        break;
      case 3: {
        const len = 1 + Math.floor(rnd() * 16);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      default:
        b = b.subarray(0, at);
    }
  }
  return b;
}

const CASES = 600;

describe('HTTP mutation fuzzing', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'htdocs/a.txt': 'hi\n', 'dump.wsgi': app('dump.wsgi') });
  });
  after(() => h.stop());

  it(`answers ${String(CASES)} mutated requests with well-formed replies and keeps serving`, async () => {
    const rnd = prng(20261122);
    const sent: Buffer[] = [];
    for (let i = 0; i < CASES; i++) {
      const seed = Buffer.from(SEEDS[i % SEEDS.length] ?? '', 'latin1');
      sent.push(mutate(seed, rnd));
    }
    const statuses = new Map<string, number>();
    let appAnswers = 0;
    // 12 at a time: requests left incomplete wait for Timeout (1 s) before their 408.
    for (let i = 0; i < sent.length; i += 12) {
      const batch = sent.slice(i, i + 12);
      const replies = await Promise.all(batch.map((b) => exchange(h.port, b)));
      replies.forEach(({ reply, timedOut }, j) => {
        const what = `case ${String(i + j)}: ${JSON.stringify(batch[j]?.toString('latin1'))}`;
        assert.equal(timedOut, false, `the server neither answered nor closed: ${what}`);
        if (reply.length === 0) return; // closed without a reply (e.g. nothing usable sent)
        const text = reply.toString('latin1');
        // Every reply on the connection starts with a status line (pipelined seeds may get two).
        const first = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*\r\n/.exec(text);
        assert.ok(first, `malformed reply ${JSON.stringify(text.slice(0, 80))} to ${what}`);
        const code = first[1] ?? '';
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
        if (code === '200' && text.includes('"environ"')) appAnswers++;
        assert.notEqual(code, '500', `500 to ${what}\n${text.slice(0, 400)}`);
        assert.ok(text.includes('\r\n\r\n'), `reply without the end of its head: ${what}`);
      });
    }
    // The corpus reached both the static and the WSGI paths, and the refusals.
    assert.ok((statuses.get('200') ?? 0) > 10, JSON.stringify([...statuses]));
    assert.ok((statuses.get('400') ?? 0) > 10, JSON.stringify([...statuses]));
    assert.ok(appAnswers > 5, `the WSGI app answered ${String(appAnswers)} cases`);
    const unexpected = h.errorLog().filter((l) => /MW00301|MW00203|MW00214|MW00225/.test(l));
    assert.deepEqual(unexpected, [], unexpected.join('\n'));
    const ok = await rawRequest(
      h.port,
      'GET /app/after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
    assert.match(ok.body.toString(), /"PATH_INFO": "\/after"/);
  });
});
