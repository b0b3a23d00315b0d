// mod_wsgi: src/server/wsgi_remote.c (wsgi_send_request: environ block to the daemon),
// replaced by docs/protocol.md frames. Pure functions; no I/O.

import {
  FLAG_BODY,
  FLAG_NULSEP,
  FrameType,
  HEADER_SIZE,
  MAGIC,
  MAX_PAYLOAD,
  PROTOCOL_VERSION,
  ProtocolError,
} from './frames.js';
import type { FrameTypeCode } from './frames.js';
import type { Environ, ToWorker, FromWorker } from './messages.js';
import { UTF8_ENVIRON_KEYS } from './messages.js';

const EMPTY = Buffer.alloc(0);

/** Encode one frame: 12-byte header + payload. Throws `too-large` over MAX_PAYLOAD. */
export function encodeFrame(type: FrameTypeCode, stream: number, payload: Buffer = EMPTY): Buffer {
  if (payload.length > MAX_PAYLOAD) {
    throw new ProtocolError(
      'too-large',
      `payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`,
    );
  }
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  writeHeader(out, 0, type, stream, payload.length);
  payload.copy(out, HEADER_SIZE);
  return out;
}

/** Write a frame header into `buf` at `at`. */
export function writeHeader(
  buf: Buffer,
  at: number,
  type: FrameTypeCode,
  stream: number,
  length: number,
): void {
  buf.writeUInt16BE(MAGIC, at);
  buf.writeUInt8(PROTOCOL_VERSION, at + 2);
  buf.writeUInt8(type, at + 3);
  buf.writeUInt32BE(stream >>> 0, at + 4);
  buf.writeUInt32BE(length, at + 8);
}

/** Encode a string list (`u32 count`, then `u32 len` + bytes per item). */
export function encodeStrlist(items: readonly Buffer[], prefix = 0): Buffer {
  let size = prefix + 4;
  for (const it of items) size += 4 + it.length;
  const out = Buffer.allocUnsafe(size);
  let at = prefix;
  out.writeUInt32BE(items.length, at);
  at += 4;
  for (const it of items) {
    out.writeUInt32BE(it.length, at);
    at += 4;
    it.copy(out, at);
    at += it.length;
  }
  return out;
}

/** Environ pairs → strlist payload bytes (latin-1, except UTF-8 for path keys). */
export function environItems(environ: readonly (readonly [string, string])[]): Buffer[] {
  const items: Buffer[] = [];
  for (const [k, v] of environ) {
    items.push(
      Buffer.from(k, 'latin1'),
      Buffer.from(v, UTF8_ENVIRON_KEYS.has(k) ? 'utf8' : 'latin1'),
    );
  }
  return items;
}

/** Pairs in an environ (a Map or a pair list). */
function environCount(environ: Environ): number {
  return 'size' in environ ? environ.size : environ.length;
}

/** `v` as the latin-1 string of its UTF-8 bytes, so one latin-1 write puts out UTF-8. */
function utf8AsLatin1(v: string): string {
  // Fast check: pure ASCII is the same in both encodings.
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) > 0x7f) return Buffer.from(v, 'utf8').toString('latin1');
  }
  return v;
}

/**
 * REQUEST frame in one allocation: header, flags, then the environ. This runs once per
 * request, so it matters. The usual form (FLAG_NULSEP: no NUL inside a name or value) is
 * built as one string and written with one latin-1 write; the first version wrote every
 * name and value separately (~100 calls into the Buffer binding per request) and before
 * that allocated ~60 small Buffers and copied the payload twice.
 */
export function encodeRequestFrame(stream: number, environ: Environ, body: boolean): Buffer {
  // One join, not a concatenation per pair: the rope of ~100 cons strings the latter built
  // was the largest allocation of a hello-world request (8 KB of its ~45 KB).
  // Sized once: growing it by push reallocated its backing store ~5 times per request.
  const parts = new Array<string>(2 * environCount(environ));
  let n = 0;
  for (const [k, v] of environ) {
    if (k.includes('\0') || v.includes('\0')) return encodeRequestStrlist(stream, environ, body);
    parts[n++] = k;
    parts[n++] = UTF8_ENVIRON_KEYS.has(k) ? utf8AsLatin1(v) : v;
  }
  const text = parts.join('\0');
  // latin-1 is one byte per UTF-16 code unit (Buffer.write('latin1') keeps the low 8 bits).
  const length = 1 + text.length;
  if (length > MAX_PAYLOAD) {
    throw new ProtocolError('too-large', `payload of ${length} bytes exceeds ${MAX_PAYLOAD}`);
  }
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(out, 0, FrameType.REQUEST, stream, length);
  out[HEADER_SIZE] = (body ? FLAG_BODY : 0) | FLAG_NULSEP;
  out.write(text, HEADER_SIZE + 1, 'latin1');
  return out;
}

/** The strlist form of REQUEST, for an environ with a NUL inside a name or value. */
function encodeRequestStrlist(stream: number, environ: Environ, body: boolean): Buffer {
  const count = environCount(environ);
  let size = HEADER_SIZE + 1 + 4 + count * 8;
  for (const [k, v] of environ) {
    size += k.length + (UTF8_ENVIRON_KEYS.has(k) ? Buffer.byteLength(v, 'utf8') : v.length);
  }
  const length = size - HEADER_SIZE;
  if (length > MAX_PAYLOAD) {
    throw new ProtocolError('too-large', `payload of ${length} bytes exceeds ${MAX_PAYLOAD}`);
  }
  const out = Buffer.allocUnsafe(size);
  writeHeader(out, 0, FrameType.REQUEST, stream, length);
  let at = HEADER_SIZE;
  out[at++] = body ? FLAG_BODY : 0;
  out.writeUInt32BE(count * 2, at);
  at += 4;
  for (const [k, v] of environ) {
    out.writeUInt32BE(k.length, at);
    at += 4;
    at += out.write(k, at, 'latin1');
    const n = out.write(v, at + 4, UTF8_ENVIRON_KEYS.has(k) ? 'utf8' : 'latin1');
    out.writeUInt32BE(n, at);
    at += 4 + n;
  }
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** Encode a front-end → worker message as one frame. */
export function encodeToWorker(m: ToWorker): Buffer {
  switch (m.kind) {
    case 'request':
      return encodeRequestFrame(m.stream, m.environ, m.body);
    case 'data':
      return encodeFrame(FrameType.DATA, m.stream, m.data);
    case 'eof':
      return encodeFrame(FrameType.EOF, m.stream);
    case 'abort':
      return encodeFrame(FrameType.ABORT, m.stream);
    case 'window':
      return encodeFrame(FrameType.WINDOW, m.stream, u32(m.increment));
    case 'shutdown':
      return encodeFrame(FrameType.SHUTDOWN, 0, u32(m.timeoutMs));
    case 'ping':
      return encodeFrame(FrameType.PING, 0, m.data);
    case 'metrics':
      return encodeFrame(
        FrameType.METRICS,
        0,
        Buffer.concat([u32(m.token), Buffer.from(m.json, 'utf8')]),
      );
  }
}

/** Encode a worker → front-end message (used by tests and stand-in workers). */
export function encodeFromWorker(m: FromWorker): Buffer {
  switch (m.kind) {
    case 'hello':
      return encodeFrame(FrameType.HELLO, 0, Buffer.from(JSON.stringify(m.info), 'utf8'));
    case 'start': {
      const items = [Buffer.from(m.status, 'latin1')];
      for (const [k, v] of m.headers)
        items.push(Buffer.from(k, 'latin1'), Buffer.from(v, 'latin1'));
      return encodeFrame(FrameType.START, m.stream, encodeStrlist(items));
    }
    case 'data':
      return encodeFrame(FrameType.RESP_DATA, m.stream, m.data);
    case 'end':
      return encodeFrame(FrameType.END, m.stream);
    case 'error':
      return encodeFrame(FrameType.ERROR, m.stream, Buffer.from(m.message, 'utf8'));
    case 'window':
      return encodeFrame(FrameType.RESP_WINDOW, m.stream, u32(m.increment));
    case 'log': {
      const msg = Buffer.from(m.message, 'utf8');
      const p = Buffer.allocUnsafe(1 + msg.length);
      p.writeUInt8(m.level, 0);
      msg.copy(p, 1);
      return encodeFrame(FrameType.LOG, m.stream, p);
    }
    case 'pong':
      return encodeFrame(FrameType.PONG, 0, m.data);
    case 'metrics-query':
      return encodeFrame(FrameType.METRICS_QUERY, 0, u32(m.token));
  }
}
