// Shared wire vectors (tests/fixtures/wire/vectors.json), encoded and decoded both ways,
// plus every decoder error and replay of a byte stream at several split sizes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { FrameDecoder, decodeFromWorker, decodeToWorker } from './decode.js';
import { encodeFrame, encodeFromWorker, encodeToWorker } from './encode.js';
import {
  FLAG_BODY,
  FLAG_NULSEP,
  HEADER_SIZE,
  MAX_PAYLOAD,
  PROTOCOL_VERSION,
  ProtocolError,
  isFrameType,
} from './frames.js';
import type { FrameTypeCode, RawFrame } from './frames.js';

interface Valid {
  name: string;
  type: number;
  stream: number;
  payload_hex: string;
  frame_hex: string;
}
interface Invalid {
  name: string;
  frame_hex: string;
  error: string;
}

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      readFileSync(path.join(dir, 'tests/fixtures/wire/vectors.json'));
      return dir;
    } catch {
      const up = path.dirname(dir);
      if (up === dir) throw new Error('vectors.json not found');
      dir = up;
    }
  }
}
const vectors = JSON.parse(
  readFileSync(path.join(findRoot(), 'tests/fixtures/wire/vectors.json'), 'utf8'),
) as { valid: Valid[]; invalid: Invalid[] };

function typeOf(n: number): FrameTypeCode {
  if (!isFrameType(n)) throw new Error(`vector type ${n}`);
  return n;
}

describe('wire vectors', () => {
  it('covers every frame type and the four error kinds', () => {
    const types = new Set(vectors.valid.map((v) => v.type));
    for (const t of [1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89])
      assert.ok(types.has(t), `type ${t}`);
    assert.deepEqual(
      new Set(vectors.invalid.map((v) => v.error)),
      new Set(['bad-magic', 'bad-version', 'too-large', 'unknown-type']),
    );
  });

  for (const v of vectors.valid) {
    it(`encodes and decodes ${v.name}`, () => {
      const payload = Buffer.from(v.payload_hex, 'hex');
      assert.equal(encodeFrame(typeOf(v.type), v.stream, payload).toString('hex'), v.frame_hex);
      const frames = new FrameDecoder().push(Buffer.from(v.frame_hex, 'hex'));
      assert.equal(frames.length, 1);
      const f = frames[0] as RawFrame;
      assert.equal(f.type, v.type);
      assert.equal(f.stream, v.stream);
      assert.equal(f.payload.toString('hex'), v.payload_hex);
      // The typed message layer round-trips to the same bytes.
      const re =
        v.type & 0x80 ? encodeFromWorker(decodeFromWorker(f)) : encodeToWorker(decodeToWorker(f));
      assert.equal(re.toString('hex'), v.frame_hex);
    });
  }

  for (const v of vectors.invalid) {
    it(`rejects ${v.name} with ${v.error}`, () => {
      const d = new FrameDecoder();
      assert.throws(
        () => d.push(Buffer.from(v.frame_hex, 'hex')),
        (e: unknown) => e instanceof ProtocolError && e.code === v.error,
      );
      // Once failed, the decoder stays failed.
      assert.throws(() => d.push(Buffer.from('00', 'hex')), ProtocolError);
    });
  }
});

describe('FrameDecoder', () => {
  const stream = Buffer.concat(vectors.valid.map((v) => Buffer.from(v.frame_hex, 'hex')));
  for (const size of [1, 2, 3, 5, 11, 12, 13, 64, 1000, stream.length]) {
    it(`yields the same frames when the stream arrives in ${size}-byte pieces`, () => {
      const d = new FrameDecoder();
      const got: RawFrame[] = [];
      for (let i = 0; i < stream.length; i += size)
        got.push(...d.push(stream.subarray(i, i + size)));
      assert.equal(d.buffered, 0);
      assert.deepEqual(
        got.map((f) => [f.type, f.stream, f.payload.toString('hex')]),
        vectors.valid.map((v) => [v.type, v.stream, v.payload_hex]),
      );
    });
  }

  it('rejects an oversized length from the header alone, before any payload', () => {
    const h = Buffer.alloc(HEADER_SIZE);
    h.writeUInt16BE(0x5457, 0);
    h.writeUInt8(PROTOCOL_VERSION, 2);
    h.writeUInt8(0x83, 3);
    h.writeUInt32BE(MAX_PAYLOAD + 1, 8);
    const d = new FrameDecoder();
    assert.deepEqual(d.push(h.subarray(0, 11)), []);
    assert.throws(
      () => d.push(h.subarray(11)),
      (e: unknown) => e instanceof ProtocolError && e.code === 'too-large',
    );
  });

  it('accepts exactly MAX_PAYLOAD and never buffers beyond what was pushed', () => {
    const f = encodeFrame(0x83, 9, Buffer.alloc(MAX_PAYLOAD, 7));
    const d = new FrameDecoder();
    assert.deepEqual(d.push(f.subarray(0, 100)), []);
    assert.equal(d.buffered, 100 - HEADER_SIZE);
    const out = d.push(f.subarray(100));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.payload.length, MAX_PAYLOAD);
  });

  it('detects a bad magic from the first byte', () => {
    assert.throws(
      () => new FrameDecoder().push(Buffer.from('G')),
      (e: unknown) => e instanceof ProtocolError && e.code === 'bad-magic',
    );
  });

  it('refuses to encode an oversized payload', () => {
    assert.throws(
      () => encodeFrame(0x02, 1, Buffer.alloc(MAX_PAYLOAD + 1)),
      (e: unknown) => e instanceof ProtocolError && e.code === 'too-large',
    );
  });
});

describe('message payloads', () => {
  it('falls back to a strlist when an environ value holds a NUL byte, and both decode alike', () => {
    const environ: [string, string][] = [
      ['REQUEST_METHOD', 'GET'],
      ['PATH_INFO', '/a\0b'],
      ['SCRIPT_FILENAME', '/srv/café.wsgi'],
    ];
    const [raw] = new FrameDecoder().push(
      encodeToWorker({ kind: 'request', stream: 5, body: false, environ }),
    );
    assert.ok(raw);
    assert.equal(raw.payload[0], 0, 'strlist layout: no FLAG_NULSEP');
    assert.equal(raw.payload.readUInt32BE(1), 6, 'item count');
    assert.deepEqual(decodeToWorker(raw), { kind: 'request', stream: 5, body: false, environ });
    const plain = environ.map(([k, v]): [string, string] => [k, v.replace('\0', '')]);
    const [nul] = new FrameDecoder().push(
      encodeToWorker({ kind: 'request', stream: 5, body: false, environ: plain }),
    );
    assert.ok(nul);
    assert.equal(nul.payload[0], FLAG_NULSEP);
    assert.deepEqual(decodeToWorker(nul), {
      kind: 'request',
      stream: 5,
      body: false,
      environ: plain,
    });
  });

  it('encodes SCRIPT_FILENAME as UTF-8 and other environ values as latin-1', () => {
    const f = encodeToWorker({
      kind: 'request',
      stream: 3,
      body: true,
      environ: [
        ['SCRIPT_FILENAME', '/srv/café.wsgi'],
        ['HTTP_X', 'café'],
      ],
    });
    const [raw] = new FrameDecoder().push(f);
    assert.ok(raw);
    assert.equal(raw.payload[0], FLAG_BODY | FLAG_NULSEP, 'no NUL in any item: NUL-separated');
    assert.ok(raw.payload.includes(Buffer.from('/srv/caf\xc3\xa9.wsgi', 'latin1')));
    assert.ok(raw.payload.includes(Buffer.from('caf\xe9', 'latin1')));
    const m = decodeToWorker(raw);
    assert.deepEqual(m, {
      kind: 'request',
      stream: 3,
      body: true,
      environ: [
        ['SCRIPT_FILENAME', '/srv/café.wsgi'],
        ['HTTP_X', 'café'],
      ],
    });
  });

  it('decodes START with duplicate headers in order', () => {
    const f = encodeFromWorker({
      kind: 'start',
      stream: 1,
      status: '200 OK',
      headers: [
        ['Set-Cookie', 'a'],
        ['Set-Cookie', 'b'],
      ],
    });
    const [raw] = new FrameDecoder().push(f);
    assert.ok(raw);
    assert.deepEqual(decodeFromWorker(raw), {
      kind: 'start',
      stream: 1,
      status: '200 OK',
      headers: [
        ['Set-Cookie', 'a'],
        ['Set-Cookie', 'b'],
      ],
    });
  });

  it('rejects malformed payloads with bad-payload', () => {
    const bad: RawFrame[] = [
      { type: 0x82, stream: 1, payload: Buffer.from('00000001000000ff', 'hex') },
      { type: 0x82, stream: 1, payload: Buffer.from('00000000', 'hex') },
      { type: 0x86, stream: 1, payload: Buffer.from('0001', 'hex') },
      { type: 0x81, stream: 0, payload: Buffer.from('not json') },
      { type: 0x81, stream: 0, payload: Buffer.from('{"protocol":1}') },
      { type: 0x87, stream: 0, payload: Buffer.alloc(0) },
      { type: 0x01, stream: 1, payload: Buffer.from('01', 'hex') },
      { type: 0x01, stream: 1, payload: Buffer.from('010000000100000000', 'hex') },
    ];
    for (const f of bad) {
      const fn = f.type & 0x80 ? () => decodeFromWorker(f) : () => decodeToWorker(f);
      assert.throws(
        fn,
        (e: unknown) => e instanceof ProtocolError && e.code === 'bad-payload',
        f.payload.toString('hex'),
      );
    }
    assert.throws(
      () => decodeFromWorker({ type: 0x01, stream: 1, payload: Buffer.from('00', 'hex') }),
      ProtocolError,
    );
    assert.throws(
      () => decodeToWorker({ type: 0x84, stream: 1, payload: Buffer.alloc(0) }),
      ProtocolError,
    );
  });
});
