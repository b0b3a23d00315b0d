// httpd: server/util_filter.c (ap_pass_brigade, ap_remove_output_filter),
// server/protocol.c (ap_content_length_filter), modules/http/byterange_filter.c.
//
// One response's output filter chain (output-filter.ts adds and installs it): the
// interposition on r.res, the first-brigade decision, the stages piped with backpressure,
// and what is passed to the client once per turn of the event loop (a "brigade"), with a
// Content-Length when the whole filtered body was known before anything was passed.

import type { ServerResponse } from 'node:http';
import type { RequestRecord } from './record.js';
import type { AddedFilter, BodyStage, FirstBrigade } from './output-filter.js';
import { newBoundary, parseByteRanges, planMultipart } from '../core/byteranges.js';
import { reasonPhrase } from '../http/status.js';

type Cb = (err?: Error | null) => void;
export type Res = ServerResponse;
interface Proto {
  write(this: Res, chunk: unknown, encoding?: unknown, cb?: unknown): boolean;
  end(this: Res, chunk?: unknown, encoding?: unknown, cb?: unknown): Res;
  writeHead(this: Res, status: number, reason?: unknown, headers?: unknown): Res;
}

/** The interposed names; deleting the own properties restores the prototype's. */
type Overridden = 'write' | 'end' | 'writeHead' | 'writableLength';

/** A property's descriptor from the nearest prototype that defines it. */
function findDescriptor(o: object, key: string): PropertyDescriptor | undefined {
  for (
    let p = Object.getPrototypeOf(o) as object | null;
    p !== null;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return d;
  }
  return undefined;
}

export class OutputChain {
  readonly #r: RequestRecord;
  readonly #res: Res;
  readonly #proto: Proto;
  #filters: readonly AddedFilter[];
  #stages: BodyStage[] = [];
  #decided = false;
  #held: Buffer[] = [];
  #heldLength = 0;
  #passed = false;
  #releaseQueued = false;
  #endCbs: Cb[] = [];
  #ended = false;
  #wantDrain = false;
  /** The overrides act (false once the chain is off the response). */
  #active = true;
  readonly #mine = new Map<string, PropertyDescriptor>();
  /** Body bytes went into the stages. */
  #wrote = false;

  readonly #onOff: () => void;

  /** `onOff` runs when the chain leaves the response (declined, ended, dropped). */
  constructor(r: RequestRecord, filters: readonly AddedFilter[], onOff: () => void) {
    this.#onOff = onOff;
    this.#r = r;
    this.#res = r.res;
    this.#filters = filters;
    this.#proto = Object.getPrototypeOf(r.res) as Proto;
    const res = this.#res;
    const proto = this.#proto;
    // While the chain is off (declined, ended, dropped) each override forwards to node's
    // own method: another wrapper put over one of them (mod_wsgi's keepOnError) keeps working.
    this.#define('writeHead', {
      value: (status: number, reason?: unknown, headers?: unknown) =>
        this.#active
          ? this.#writeHead(status, reason, headers)
          : proto.writeHead.call(res, status, reason, headers),
    });
    this.#define('write', {
      value: (chunk: unknown, encoding?: unknown, cb?: unknown) =>
        this.#active
          ? this.#write(chunk, encoding, cb)
          : proto.write.call(res, chunk, encoding, cb),
    });
    this.#define('end', {
      value: (chunk?: unknown, encoding?: unknown, cb?: unknown) =>
        this.#active ? this.#end(chunk, encoding, cb) : proto.end.call(res, chunk, encoding, cb),
    });
    const protoLength = findDescriptor(res, 'writableLength');
    const own = (): number => Number(protoLength?.get?.call(res) ?? 0);
    this.#define('writableLength', {
      get: () =>
        this.#active
          ? own() + this.#heldLength + this.#stages.reduce((n, s) => n + s.stream.writableLength, 0)
          : own(),
    });
  }

  /** Put one override on the response instance, remembering it for uninstall(). */
  #define(key: Overridden, d: PropertyDescriptor): void {
    const desc: PropertyDescriptor = {
      configurable: true,
      ...d,
      ...('value' in d ? { writable: true } : {}),
    };
    Object.defineProperty(this.#res, key, desc);
    this.#mine.set(key, desc);
  }

  get started(): boolean {
    return this.#stages.length > 0;
  }

  /** Take the overrides off (those nobody wrapped since); node's methods are back. */
  uninstall(): void {
    this.#active = false;
    for (const [k, d] of this.#mine) {
      const now = Object.getOwnPropertyDescriptor(this.#res, k);
      if (now !== undefined && now.value === d.value && now.get === d.get)
        Reflect.deleteProperty(this.#res, k);
    }
    this.#onOff();
  }

  /** writeHead before the first brigade: keep status and headers on res, send nothing yet. */
  #writeHead(status: number, reason?: unknown, headers?: unknown): Res {
    const res = this.#res;
    if (res.headersSent) return this.#proto.writeHead.call(res, status, reason, headers);
    res.statusCode = status;
    const hs = typeof reason === 'string' ? headers : reason;
    if (typeof reason === 'string') res.statusMessage = reason;
    if (Array.isArray(hs)) {
      const flat = hs as unknown[];
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2)
        pairs.push([String(flat[i]), String(flat[i + 1])]);
      for (const [n] of pairs) res.removeHeader(n);
      for (const [n, v] of pairs) res.appendHeader(n, v);
    } else if (typeof hs === 'object' && hs !== null) {
      for (const [n, v] of Object.entries(hs as Record<string, unknown>))
        if (v !== undefined) res.setHeader(n, v as string | string[]);
    }
    return res;
  }

  /** The filters' decision at the first brigade. */
  start(first: FirstBrigade): void {
    if (this.#decided) return;
    this.#decided = true;
    for (const f of this.#filters) {
      const stage = f.def.start(this.#r, first);
      if (stage !== undefined) this.#stages.push(stage);
    }
    this.#filters = [];
    if (this.#stages.length === 0) {
      // Every filter removed itself: node's own path from here on.
      this.uninstall();
      return;
    }
    for (let i = 0; i + 1 < this.#stages.length; i++) {
      const a = this.#stages[i];
      const b = this.#stages[i + 1];
      if (a !== undefined && b !== undefined) a.stream.pipe(b.stream);
    }
    const last = this.#stages[this.#stages.length - 1];
    const firstStage = this.#stages[0];
    if (last === undefined || firstStage === undefined) return;
    last.stream.on('data', (chunk: Buffer) => this.#hold(chunk));
    last.stream.on('end', () => this.#finish());
    firstStage.stream.on('drain', () => this.#maybeDrain());
    for (const s of this.#stages)
      s.stream.on('error', (e: Error) => {
        this.#r.logError('error', 'core', 'MW00560', `output filter failed: ${e.message}`);
        this.#res.destroy(e);
      });
    this.#res.on('drain', () => {
      last.stream.resume();
      this.#maybeDrain();
    });
    // The client went away: free the stages (zlib state) now.
    this.#res.once('close', () => {
      if (!this.#res.writableFinished) for (const st of this.#stages) st.stream.destroy();
    });
  }

  #maybeDrain(): void {
    if (!this.#wantDrain) return;
    const first = this.#stages[0];
    if (first !== undefined && first.stream.writableNeedDrain) return;
    if (this.#res.writableNeedDrain) return;
    this.#wantDrain = false;
    this.#res.emit('drain');
  }

  #toBuffer(chunk: unknown, encoding: unknown): Buffer {
    if (Buffer.isBuffer(chunk)) return chunk;
    if (chunk instanceof Uint8Array)
      return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    return Buffer.from(
      String(chunk),
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  }

  #write(chunk: unknown, encoding: unknown, cb: unknown): boolean {
    const buf = this.#toBuffer(chunk, encoding);
    this.start({ ended: false, length: buf.length });
    const done = typeof encoding === 'function' ? encoding : cb;
    if (!this.started) return this.#res.write(buf, done as Cb);
    const first = this.#stages[0];
    if (first === undefined) return true;
    if (this.#headerOnlyDone()) {
      if (typeof done === 'function') process.nextTick(done);
      return true;
    }
    if (buf.length > 0) this.#wrote = true;
    const ok = first.stream.write(buf, done as Cb);
    if (!ok || this.#res.writableNeedDrain) {
      this.#wantDrain = true;
      return false;
    }
    return true;
  }

  #end(chunk: unknown, encoding: unknown, cb: unknown): Res {
    const res = this.#res;
    const done =
      typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : cb;
    const data =
      chunk === undefined || chunk === null || typeof chunk === 'function'
        ? undefined
        : this.#toBuffer(chunk, encoding);
    this.start({ ended: true, length: data?.length ?? 0 });
    if (!this.started) {
      return data === undefined ? res.end(done as Cb) : res.end(data, done as Cb);
    }
    if (this.#ended) return res;
    this.#ended = true;
    if (typeof done === 'function') this.#endCbs.push(done as Cb);
    const first = this.#stages[0];
    // A HEAD answer with no body written (mod_wsgi skips it): nothing to count, no notes.
    if (this.#headerOnlyDone() || (this.#r.headerOnly && !this.#wrote && data === undefined)) {
      for (const s of this.#stages) s.stream.destroy();
      this.#finish(false);
      return res;
    }
    if (data !== undefined && data.length > 0) first?.stream.end(data);
    else first?.stream.end();
    return res;
  }

  /**
   * deflate_out_filter: "If we are a HEAD request and bytes_sent is not zero … we can stop
   * compressing": once the head of a HEAD answer is out, the rest is not needed.
   */
  #headerOnlyDone(): boolean {
    return this.#r.headerOnly && this.#passed;
  }

  flush(): void {
    if (!this.#decided) this.start({ ended: false, length: 0 });
    if (!this.started || this.#ended) return;
    // A FLUSH bucket goes through every stage in turn, then what came out is passed on.
    const run = (i: number): void => {
      const s = this.#stages[i];
      if (s === undefined) {
        this.#release();
        return;
      }
      if (s.flush === undefined) run(i + 1);
      else s.flush(() => run(i + 1));
    };
    run(0);
  }

  #hold(chunk: Buffer): void {
    this.#held.push(chunk);
    this.#heldLength += chunk.length;
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    setImmediate(() => {
      this.#releaseQueued = false;
      this.#release();
    });
  }

  /** Pass what is held to the client (the head first, without a Content-Length). */
  #release(): void {
    if (this.#heldLength === 0 && this.#passed) return;
    const res = this.#res;
    if (res.destroyed) return;
    if (!this.#passed) {
      this.#passed = true;
      res.removeHeader('Content-Length');
      const bodyless = res.statusCode === 204 || res.statusCode === 304 || this.#r.headerOnly;
      if (!bodyless && res.useChunkedEncodingByDefault && this.#r.protocol === 'HTTP/1.1')
        res.setHeader('Transfer-Encoding', 'chunked');
      this.#sendHead();
    }
    if (this.#heldLength === 0) return;
    const data = this.#take();
    if (this.#r.headerOnly) {
      // ap_http_header_filter drops a HEAD answer's body; bytes_sent still counts it.
      return;
    }
    if (!this.#proto.write.call(res, data)) this.#stages[this.#stages.length - 1]?.stream.pause();
  }

  #take(): Buffer {
    const data =
      this.#held.length === 1 ? (this.#held[0] ?? Buffer.alloc(0)) : Buffer.concat(this.#held);
    this.#held = [];
    this.#heldLength = 0;
    return data;
  }

  #sendHead(): void {
    const res = this.#res;
    if (res.headersSent) return;
    this.#proto.writeHead.call(res, res.statusCode);
  }

  /** EOS: the last brigade; with nothing passed yet the length is known (C-L filter). */
  #finish(lengthKnown = true): void {
    const res = this.#res;
    if (res.destroyed) {
      this.uninstall();
      return;
    }
    if (!this.#passed && !lengthKnown) {
      this.#passed = true;
      res.removeHeader('Content-Length');
      this.#sendHead();
    }
    let data: Buffer;
    if (!this.#passed) {
      this.#passed = true;
      const bodyless = res.statusCode === 204 || res.statusCode === 304;
      res.removeHeader('Transfer-Encoding');
      res.removeHeader('Content-Length');
      data = this.#take();
      if (!bodyless) data = this.#byterange(data);
      if (!bodyless) res.setHeader('Content-Length', data.length);
      this.#sendHead();
    } else data = this.#take();
    const cbs = this.#endCbs;
    this.#endCbs = [];
    const done = (): void => {
      for (const cb of cbs) cb();
    };
    // After the last brigade the response is node's again (writableLength etc.).
    this.uninstall();
    if (data.length > 0 && !this.#r.headerOnly) this.#proto.end.call(res, data, done);
    else this.#proto.end.call(res, done);
  }

  /**
   * ap_byterange_filter after the content filters: with the whole filtered body known, the
   * `Range` of a 200 answer is cut from it (206: one part with Content-Range, or up to 32
   * parts as multipart/byteranges). A streamed body, an If-Range, an unsatisfiable range or
   * more than 32 parts: the whole body.
   */
  #byterange(data: Buffer): Buffer {
    const res = this.#res;
    const h = this.#r.headersIn.headers;
    if (res.statusCode !== 200 || this.#r.headerOnly || h['if-range'] !== undefined) return data;
    if (res.getHeader('content-range') !== undefined) return data;
    const want = parseByteRanges(h.range, data.length);
    if (want.kind !== 'ranges' || want.ranges.length > 32) return data;
    const ranges = want.ranges;
    const one = ranges.length === 1 ? ranges[0] : undefined;
    res.statusCode = 206;
    res.statusMessage = reasonPhrase(206);
    this.#r.status = 206;
    if (one !== undefined) {
      res.setHeader('Content-Range', `bytes ${one.start}-${one.end}/${data.length}`);
      return data.subarray(one.start, one.end + 1);
    }
    const type = res.getHeader('content-type');
    const plan = planMultipart(
      ranges,
      data.length,
      type === undefined ? undefined : String(type),
      newBoundary(),
    );
    res.setHeader('Content-Type', plan.contentType);
    const parts: Buffer[] = [];
    for (const [i, g] of ranges.entries()) {
      parts.push(Buffer.from(plan.heads[i] ?? '', 'latin1'), data.subarray(g.start, g.end + 1));
    }
    parts.push(Buffer.from(plan.tail, 'latin1'));
    return Buffer.concat(parts);
  }
}
