// mod_wsgi: src/server/wsgi_daemon.c (wsgi_read_request: environ block read with a
// 16 MiB cap) and wsgi_remote.c (response parsing), replaced by docs/protocol.md frames.
//
// FrameDecoder is incremental: feed it any split of the byte stream and it yields whole
// frames. It validates magic, version and type as soon as those header bytes arrive and
// the declared length from the 12-byte header alone, so a hostile or corrupt peer can
// never make it buffer more than HEADER_SIZE + MAX_PAYLOAD bytes.

import {
  FLAG_BODY,
  FLAG_NULSEP,
  FrameType,
  HEADER_SIZE,
  MAGIC,
  MAX_PAYLOAD,
  PROTOCOL_VERSION,
  ProtocolError,
  isFrameType,
} from './frames.js';
import type { FrameTypeCode, RawFrame } from './frames.js';
import type { FromWorker, HelloInfo, ToWorker } from './messages.js';
import { UTF8_ENVIRON_KEYS } from './messages.js';

/** FrameDecoder options. */
export interface FrameDecoderOptions {
  /**
   * Frame types whose payload is handed out as it arrives, as several frames of the same
   * type and stream whose payloads add up to the declared length. For body data this is
   * the same thing as the peer having sent smaller frames, and it saves reassembling a
   * 256 KiB payload from 64 KiB socket reads: no copy and no large allocation per frame.
   */
  readonly pieces?: ReadonlySet<FrameTypeCode>;
}

/** Incremental, length-bounded frame decoder. Once it throws, it stays failed. */
export class FrameDecoder {
  readonly #pieces: ReadonlySet<FrameTypeCode> | undefined;
  #chunks: Buffer[] = [];
  /** The chunk the last push() took (its memory is the caller's; see ownLeftover). */
  #pushed: Buffer | undefined;
  #buffered = 0;
  #need = HEADER_SIZE;
  #type: FrameTypeCode | undefined;
  #stream = 0;
  #failed: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.#pieces = options.pieces;
  }

  /** Bytes currently held (never more than one frame's worth beyond the last chunk). */
  get buffered(): number {
    return this.#buffered;
  }

  /** Feed bytes; returns the frames completed by them. Throws ProtocolError. */
  push(chunk: Buffer): RawFrame[] {
    if (this.#failed) throw this.#failed;
    const out: RawFrame[] = [];
    if (chunk.length === 0) return out;
    this.#chunks.push(chunk);
    this.#pushed = chunk;
    this.#buffered += chunk.length;
    try {
      for (;;) {
        if (this.#type === undefined) {
          this.#checkPartialHeader();
          if (this.#buffered < HEADER_SIZE) break;
          const h = this.#take(HEADER_SIZE);
          const length = h.readUInt32BE(8);
          if (length > MAX_PAYLOAD) {
            throw new ProtocolError(
              'too-large',
              `frame declares ${length} payload bytes (max ${MAX_PAYLOAD})`,
            );
          }
          const t = h.readUInt8(3);
          if (!isFrameType(t))
            throw new ProtocolError('unknown-type', `unknown frame type 0x${t.toString(16)}`);
          this.#type = t;
          this.#stream = h.readUInt32BE(4);
          this.#need = length;
        }
        if (this.#buffered < this.#need) {
          if (this.#buffered > 0 && this.#pieces?.has(this.#type) === true) {
            // Everything buffered belongs to this frame and lies in the last chunk (earlier
            // pieces were handed out by earlier pushes), so this is a subarray, not a copy.
            const n = this.#buffered;
            out.push({ type: this.#type, stream: this.#stream, payload: this.#take(n) });
            this.#need -= n;
          }
          break;
        }
        out.push({ type: this.#type, stream: this.#stream, payload: this.#take(this.#need) });
        this.#type = undefined;
        this.#need = HEADER_SIZE;
      }
    } catch (e) {
      if (e instanceof ProtocolError) this.#failed = e;
      throw e;
    }
    return out;
  }

  /**
   * Copy what is still held of the last pushed chunk into memory of the decoder's own: the
   * caller is about to reuse that chunk's memory (slab-reader.ts). Only the last chunk can
   * still be the caller's (earlier ones were copied by earlier calls), so a large frame
   * arriving in many reads costs one copy of each read, not a copy of all so far per read.
   */
  ownLeftover(): void {
    const n = this.#chunks.length;
    const last = this.#chunks[n - 1];
    if (last !== undefined && last.buffer === this.#pushed?.buffer)
      this.#chunks[n - 1] = Buffer.from(last);
    this.#pushed = undefined;
  }

  /** Validate magic/version/type from however many header bytes have arrived. */
  #checkPartialHeader(): void {
    const n = Math.min(this.#buffered, 4);
    if (n === 0) return;
    const first = this.#chunks[0];
    const h =
      first !== undefined && first.length >= n ? first : Buffer.concat(this.#chunks).subarray(0, n);
    if (n >= 1 && h[0] !== MAGIC >> 8) throw badMagic(h, n);
    if (n >= 2 && h.readUInt16BE(0) !== MAGIC) throw badMagic(h, n);
    if (n >= 3 && h[2] !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        'bad-version',
        `protocol version ${String(h[2])}, expected ${PROTOCOL_VERSION}`,
      );
    }
    if (n >= 4 && !isFrameType(h[3] ?? 0)) {
      throw new ProtocolError('unknown-type', `unknown frame type 0x${(h[3] ?? 0).toString(16)}`);
    }
  }

  /** Remove and return the first `n` buffered bytes (n ≤ buffered). */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (first === undefined) return Buffer.alloc(0);
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      if (c === undefined) break;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    return out;
  }
}

function badMagic(h: Buffer, n: number): ProtocolError {
  return new ProtocolError(
    'bad-magic',
    `bad frame magic 0x${h.subarray(0, Math.min(n, 2)).toString('hex')} (not a tswsgi worker stream?)`,
  );
}

/** Decode a strlist starting at `at`; throws `bad-payload` on overrun or trailing bytes. */
export function decodeStrlist(p: Buffer, at = 0): Buffer[] {
  if (p.length < at + 4) throw new ProtocolError('bad-payload', 'truncated string list');
  const count = p.readUInt32BE(at);
  at += 4;
  const items: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (p.length < at + 4) throw new ProtocolError('bad-payload', 'truncated string list item');
    const len = p.readUInt32BE(at);
    at += 4;
    if (p.length < at + len)
      throw new ProtocolError('bad-payload', 'string list item overruns payload');
    items.push(p.subarray(at, at + len));
    at += len;
  }
  if (at !== p.length) throw new ProtocolError('bad-payload', 'trailing bytes after string list');
  return items;
}

function u32(f: RawFrame): number {
  if (f.payload.length !== 4)
    throw new ProtocolError('bad-payload', `frame 0x${f.type.toString(16)} needs a 4-byte payload`);
  return f.payload.readUInt32BE(0);
}

/** NUL-separated items (FLAG_NULSEP); an empty payload is no items. */
function splitNul(p: Buffer): Buffer[] {
  if (p.length === 0) return [];
  const out: Buffer[] = [];
  let from = 0;
  for (let i = p.indexOf(0); i !== -1; i = p.indexOf(0, from)) {
    out.push(p.subarray(from, i));
    from = i + 1;
  }
  out.push(p.subarray(from));
  return out;
}

function pairs(items: readonly Buffer[], from: number, utf8Keys: boolean): [string, string][] {
  if ((items.length - from) % 2 !== 0)
    throw new ProtocolError('bad-payload', 'odd number of name/value items');
  const out: [string, string][] = [];
  for (let i = from; i < items.length; i += 2) {
    const k = (items[i] ?? Buffer.alloc(0)).toString('latin1');
    const enc = utf8Keys && UTF8_ENVIRON_KEYS.has(k) ? 'utf8' : 'latin1';
    out.push([k, (items[i + 1] ?? Buffer.alloc(0)).toString(enc)]);
  }
  return out;
}

function parseHello(p: Buffer): HelloInfo {
  let v: unknown;
  try {
    v = JSON.parse(p.toString('utf8'));
  } catch {
    throw new ProtocolError('bad-payload', 'HELLO payload is not JSON');
  }
  if (typeof v !== 'object' || v === null)
    throw new ProtocolError('bad-payload', 'HELLO payload is not an object');
  const o = v as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
  const pid = o['pid'];
  if (typeof pid !== 'number') throw new ProtocolError('bad-payload', 'HELLO lacks pid');
  return {
    protocol: typeof o['protocol'] === 'number' ? o['protocol'] : 0,
    pid,
    python: str('python'),
    executable: str('executable'),
    prefix: str('prefix'),
  };
}

/** Interpret a worker → front-end frame. Throws ProtocolError for a wrong direction or bad payload. */
export function decodeFromWorker(f: RawFrame): FromWorker {
  const s = f.stream;
  switch (f.type) {
    case FrameType.HELLO:
      return { kind: 'hello', info: parseHello(f.payload) };
    case FrameType.START: {
      const items = decodeStrlist(f.payload);
      const first = items[0];
      if (first === undefined)
        throw new ProtocolError('bad-payload', 'START without a status line');
      return {
        kind: 'start',
        stream: s,
        status: first.toString('latin1'),
        headers: pairs(items, 1, false),
      };
    }
    case FrameType.RESP_DATA:
      return { kind: 'data', stream: s, data: f.payload };
    case FrameType.END:
      return { kind: 'end', stream: s };
    case FrameType.ERROR:
      return { kind: 'error', stream: s, message: f.payload.toString('utf8') };
    case FrameType.RESP_WINDOW:
      return { kind: 'window', stream: s, increment: u32(f) };
    case FrameType.LOG:
      if (f.payload.length < 1) throw new ProtocolError('bad-payload', 'LOG without a level');
      return {
        kind: 'log',
        stream: s,
        level: f.payload.readUInt8(0),
        message: f.payload.subarray(1).toString('utf8'),
      };
    case FrameType.PONG:
      return { kind: 'pong', data: f.payload };
    case FrameType.METRICS_QUERY:
      return { kind: 'metrics-query', token: u32(f) };
    default:
      throw new ProtocolError(
        'bad-payload',
        `frame type 0x${f.type.toString(16)} is not sent by workers`,
      );
  }
}

/** Interpret a front-end → worker frame (tests and stand-in workers). */
export function decodeToWorker(f: RawFrame): ToWorker {
  const s = f.stream;
  switch (f.type) {
    case FrameType.REQUEST: {
      if (f.payload.length < 1) throw new ProtocolError('bad-payload', 'REQUEST without flags');
      const flags = f.payload.readUInt8(0);
      return {
        kind: 'request',
        stream: s,
        body: (flags & FLAG_BODY) !== 0,
        environ: pairs(
          (flags & FLAG_NULSEP) !== 0
            ? splitNul(f.payload.subarray(1))
            : decodeStrlist(f.payload, 1),
          0,
          true,
        ),
      };
    }
    case FrameType.DATA:
      return { kind: 'data', stream: s, data: f.payload };
    case FrameType.EOF:
      return { kind: 'eof', stream: s };
    case FrameType.ABORT:
      return { kind: 'abort', stream: s };
    case FrameType.WINDOW:
      return { kind: 'window', stream: s, increment: u32(f) };
    case FrameType.SHUTDOWN:
      return { kind: 'shutdown', timeoutMs: u32(f) };
    case FrameType.PING:
      return { kind: 'ping', data: f.payload };
    case FrameType.METRICS:
      if (f.payload.length < 4) throw new ProtocolError('bad-payload', 'METRICS without a token');
      return {
        kind: 'metrics',
        token: f.payload.readUInt32BE(0),
        json: f.payload.subarray(4).toString('utf8'),
      };
    default:
      throw new ProtocolError(
        'bad-payload',
        `frame type 0x${f.type.toString(16)} is not sent by the front end`,
      );
  }
}
