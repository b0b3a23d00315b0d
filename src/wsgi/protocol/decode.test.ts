// Decoder edge cases not in the shared wire vectors: empty reads, a frame type rejected
// from a 4-byte partial header, the sticky failure, strlist overruns and trailing bytes,
// HELLO field defaults, REQUEST without its flag byte, and the environ codec's two forms.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, decodeFromWorker, decodeStrlist, decodeToWorker } from './decode.js';
import { encodeFrame, encodeRequestFrame, encodeStrlist, environItems } from './encode.js';
import { FrameType, HEADER_SIZE, MAX_PAYLOAD, PROTOCOL_VERSION, ProtocolError } from './frames.js';

/** Assert `fn` throws a ProtocolError with this code and exact message. */
function throwsProtocol(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `not a ProtocolError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

describe('FrameDecoder edge cases', () => {
  it('returns no frames and buffers nothing for an empty chunk', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.equal(d.buffered, 0);
    const f = encodeFrame(FrameType.PONG, 3);
    assert.deepEqual(d.push(f.subarray(0, 5)), []);
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.equal(d.buffered, 5);
    const out = d.push(f.subarray(5));
    assert.deepEqual(
      out.map((x) => [x.type, x.stream, x.payload.length]),
      [[FrameType.PONG, 3, 0]],
    );
  });

  it('rejects an unknown type from the first four header bytes, across chunk boundaries', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(Buffer.from([0x54, 0x57])), []);
    assert.deepEqual(d.push(Buffer.from([PROTOCOL_VERSION])), []);
    throwsProtocol(() => d.push(Buffer.from([0x7f])), 'unknown-type', 'unknown frame type 0x7f');
  });

  it('stays failed: every later push rethrows the first error', () => {
    const d = new FrameDecoder();
    throwsProtocol(
      () => d.push(Buffer.from([0x54, 0x57, 0x09])),
      'bad-version',
      `protocol version 9, expected ${PROTOCOL_VERSION}`,
    );
    const good = encodeFrame(FrameType.PONG, 1);
    throwsProtocol(
      () => d.push(good),
      'bad-version',
      `protocol version 9, expected ${PROTOCOL_VERSION}`,
    );
  });

  it('assembles a header split over many one-byte chunks', () => {
    const f = encodeFrame(FrameType.RESP_DATA, 0x01020304, Buffer.from('xyz'));
    const d = new FrameDecoder();
    for (let i = 0; i < HEADER_SIZE; i++) assert.deepEqual(d.push(f.subarray(i, i + 1)), []);
    const out = d.push(f.subarray(HEADER_SIZE));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.stream, 0x01020304);
    assert.equal(out[0]?.payload.toString(), 'xyz');
  });
});

describe('decodeStrlist', () => {
  it('rejects an item length field cut short', () => {
    // count 2, one complete empty item, then only two bytes of the second length
    const p = Buffer.from('00000002000000000000', 'hex');
    throwsProtocol(() => decodeStrlist(p), 'bad-payload', 'truncated string list item');
  });

  it('rejects bytes left over after the last item', () => {
    const p = Buffer.concat([encodeStrlist([Buffer.from('a')]), Buffer.from([0])]);
    throwsProtocol(() => decodeStrlist(p), 'bad-payload', 'trailing bytes after string list');
  });

  it('reads from an offset (a prefix byte before the list)', () => {
    const p = encodeStrlist([Buffer.from('k'), Buffer.from('v')], 1);
    assert.deepEqual(
      decodeStrlist(p, 1).map((b) => b.toString()),
      ['k', 'v'],
    );
  });
});

describe('HELLO', () => {
  const hello = (json: string) =>
    decodeFromWorker({ type: FrameType.HELLO, stream: 0, payload: Buffer.from(json) });

  it('rejects JSON that is not an object', () => {
    for (const j of ['null', '42', '"s"']) {
      throwsProtocol(() => hello(j), 'bad-payload', 'HELLO payload is not an object');
    }
  });

  it('defaults a missing protocol to 0 and missing strings to ""', () => {
    assert.deepEqual(hello('{"pid":12,"python":3}'), {
      kind: 'hello',
      info: { protocol: 0, pid: 12, python: '', executable: '', prefix: '' },
    });
  });
});

describe('REQUEST', () => {
  it('rejects a REQUEST frame without its flags byte', () => {
    throwsProtocol(
      () => decodeToWorker({ type: FrameType.REQUEST, stream: 1, payload: Buffer.alloc(0) }),
      'bad-payload',
      'REQUEST without flags',
    );
  });

  it('refuses to encode a REQUEST whose environ exceeds MAX_PAYLOAD', () => {
    const big = 'x'.repeat(MAX_PAYLOAD);
    assert.throws(
      () => encodeRequestFrame(1, [['HTTP_X', big]], false),
      (e: unknown) =>
        e instanceof ProtocolError &&
        e.code === 'too-large' &&
        e.message === `payload of ${MAX_PAYLOAD + 8} bytes exceeds ${MAX_PAYLOAD}`,
    );
  });
});

describe('environItems', () => {
  it('yields the same strlist payload the REQUEST encoder writes in its NUL fallback', () => {
    // A NUL in a value forces the strlist form, whose payload is flags + strlist(items).
    const env: [string, string][] = [
      ['SCRIPT_FILENAME', '/srv/ü.wsgi'],
      ['HTTP_X', 'a\0b'],
      ['PATH_INFO', '\u00e9'],
    ];
    const frame = encodeRequestFrame(5, env, true);
    const payload = frame.subarray(HEADER_SIZE + 1);
    assert.deepEqual(payload, encodeStrlist(environItems(env)));
    const items = environItems(env);
    assert.deepEqual(items[1], Buffer.from('/srv/ü.wsgi', 'utf8'), 'SCRIPT_FILENAME is UTF-8');
    assert.deepEqual(items[5], Buffer.from([0xe9]), 'other values are latin-1');
    const back = decodeToWorker({
      type: FrameType.REQUEST,
      stream: 5,
      payload: frame.subarray(HEADER_SIZE),
    });
    assert.deepEqual(back, { kind: 'request', stream: 5, body: true, environ: env });
  });
});

describe('FrameDecoder pieces', () => {
  const payload = Buffer.alloc(256 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  const data = encodeFrame(FrameType.RESP_DATA, 9, payload);
  const end = encodeFrame(FrameType.END, 9);
  const log = encodeFrame(FrameType.LOG, 9, Buffer.from('\x03hello'));
  const stream = Buffer.concat([log, data, end]);

  it('hands out RESP_DATA as it arrives, without copying, and other frames whole', () => {
    const dec = new FrameDecoder({ pieces: new Set([FrameType.RESP_DATA]) });
    const frames = [];
    for (let at = 0; at < stream.length; at += 65536) {
      const chunk = stream.subarray(at, at + 65536);
      for (const f of dec.push(chunk)) {
        if (f.type === FrameType.RESP_DATA)
          assert.equal(f.payload.buffer, chunk.buffer, 'a piece is a view of the read, not a copy');
        frames.push(f);
      }
    }
    assert.equal(frames[0]?.type, FrameType.LOG);
    assert.deepEqual(frames[0]?.payload, Buffer.from('\x03hello'));
    const pieces = frames.filter((f) => f.type === FrameType.RESP_DATA);
    assert.equal(pieces.length, 5, 'the LOG frame and header shift 256 KiB over five reads');
    assert.ok(pieces.every((f) => f.stream === 9));
    assert.deepEqual(Buffer.concat(pieces.map((f) => f.payload)), payload);
    assert.equal(frames.at(-1)?.type, FrameType.END);
    assert.equal(dec.buffered, 0);
  });

  it('still yields whole frames by default, and an empty RESP_DATA as one frame', () => {
    const dec = new FrameDecoder();
    const frames = [];
    for (let at = 0; at < stream.length; at += 65536)
      frames.push(...dec.push(stream.subarray(at, at + 65536)));
    assert.deepEqual(
      frames.map((f) => [f.type, f.payload.length]),
      [
        [FrameType.LOG, 6],
        [FrameType.RESP_DATA, payload.length],
        [FrameType.END, 0],
      ],
    );
    const piecewise = new FrameDecoder({ pieces: new Set([FrameType.RESP_DATA]) });
    const empty = piecewise.push(encodeFrame(FrameType.RESP_DATA, 4));
    assert.deepEqual(
      empty.map((f) => [f.type, f.stream, f.payload.length]),
      [[FrameType.RESP_DATA, 4, 0]],
    );
  });
});

describe('FrameDecoder.ownLeftover', () => {
  it('keeps a partial frame intact when the pushed memory is reused, copying each read once', () => {
    const d = new FrameDecoder();
    const log = encodeFrame(FrameType.LOG, 7, Buffer.from('\x03a log line long enough'));
    const end = encodeFrame(FrameType.END, 7);
    const wire = Buffer.concat([end, log]);
    // One reusable read buffer, as the channel's slab regions are.
    const mem = Buffer.alloc(wire.length);
    const feed = (from: number, to: number) => {
      wire.copy(mem, 0, from, to);
      const frames = d.push(mem.subarray(0, to - from));
      d.ownLeftover();
      mem.fill(0xee); // the next read overwrites it
      return frames;
    };
    // END whole plus the first 5 bytes of LOG's header; then the header's rest and part of
    // its payload; then the remainder.
    const a = feed(0, HEADER_SIZE + 5);
    assert.deepEqual(
      a.map((f) => f.type),
      [FrameType.END],
    );
    assert.deepEqual(feed(HEADER_SIZE + 5, HEADER_SIZE + 20), []);
    const c = feed(HEADER_SIZE + 20, wire.length);
    assert.equal(c.length, 1);
    const m = decodeFromWorker(c[0] as NonNullable<(typeof c)[0]>);
    assert.deepEqual(m, { kind: 'log', stream: 7, level: 3, message: 'a log line long enough' });
    assert.equal(d.buffered, 0);
  });
});
