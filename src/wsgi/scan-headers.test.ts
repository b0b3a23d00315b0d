// scanHeaders: the application's headers as Apache + mod_wsgi 4.9.4 pass them on (the
// daemon-mode cases are also checked live against Apache in tests/differential).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanHeaders } from './scan-headers.js';
import type { HeaderPair } from './scan-headers.js';

const REQ = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('scanHeaders', () => {
  it('returns plain headers untouched (the hello-world fast path)', () => {
    const h: HeaderPair[] = [
      ['X-A', '1'],
      ['X-A', '2'],
    ];
    assert.equal(scanHeaders(h, false, REQ), h);
  });

  it('embedded mode: only WWW-Authenticate moves to the front', () => {
    assert.deepEqual(
      scanHeaders(
        [
          ['X-A', '1'],
          ['Set-Cookie', 'a=1'],
          ['WWW-Authenticate', 'Basic'],
          ['X-A', '2'],
        ],
        false,
        REQ,
      ),
      [
        ['WWW-Authenticate', 'Basic'],
        ['X-A', '1'],
        ['Set-Cookie', 'a=1'],
        ['X-A', '2'],
      ],
    );
  });

  it('daemon mode: CGI-special names first, the rest merged, cookies last', () => {
    assert.deepEqual(
      scanHeaders(
        [
          ['X-B', '1'],
          ['Set-Cookie', 'a=1'],
          ['Content-Type', 'Text/HTML; Charset=UTF-8'],
          ['x-b', '2'],
          ['Location', '/one'],
          ['Content-Length', '3'],
          ['Location', '/two'],
          ['Set-Cookie', 'b=2'],
        ],
        true,
        REQ,
      ),
      [
        ['Content-Type', 'text/html; Charset=UTF-8'],
        ['Location', '/two'],
        ['Content-Length', '3'],
        ['X-B', '1, 2'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
      ],
    );
  });

  it('daemon mode: Last-Modified is re-dated, clamped to now, the epoch when unparsable', () => {
    const lm = (v: string): string | undefined =>
      scanHeaders(
        [
          ['Last-Modified', v],
          ['X', '1'],
        ],
        true,
        REQ,
        REQ + 2500,
      )[0]?.[1];
    assert.equal(lm('Tue, 01 Jan 2019 00:00:00 GMT'), 'Tue, 01 Jan 2019 00:00:00 GMT');
    assert.equal(lm('2019-01-01T00:00:00.900Z'), 'Tue, 01 Jan 2019 00:00:00 GMT');
    assert.equal(lm('Fri, 01 Jan 2100 00:00:00 GMT'), 'Sun, 22 Nov 2026 12:00:02 GMT');
    assert.equal(lm('garbage'), 'Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('writes Content-Type, Content-Length (and in daemon mode Last-Modified) as Apache spells them', () => {
    const h: HeaderPair[] = [
      ['content-type', 'text/plain'],
      ['content-LENGTH', '1'],
      ['last-modified', 'Tue, 01 Jan 2019 00:00:00 GMT'],
      ['x-lower', 'kept'],
    ];
    assert.deepEqual(
      scanHeaders(h, true, REQ).map(([k]) => k),
      ['Content-Type', 'Content-Length', 'Last-Modified', 'x-lower'],
    );
    assert.deepEqual(
      scanHeaders(h, false, REQ).map(([k]) => k),
      ['Content-Type', 'Content-Length', 'last-modified', 'x-lower'],
    );
  });
});
