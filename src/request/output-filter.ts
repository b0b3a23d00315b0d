// httpd: server/util_filter.c (ap_add_output_filter, ap_pass_brigade, ap_remove_output_filter),
// server/protocol.c (ap_content_length_filter), include/util_filter.h.
//
// The output filter chain, typed. Handlers keep writing to r.res as node's ServerResponse;
// a request that has output filters gets its r.res interposed here (instance-level write /
// end / writeHead / writableLength), and only then: a request without a filter pays nothing.
//
// The filters decide when the first body bytes (or the end) reach them, so the response
// head (status, Content-Type, Content-Encoding, ETag …) is known, as httpd's filters see
// r->headers_out on their first brigade. A filter that declines removes itself (as
// ap_remove_output_filter); if every filter declines, the response goes out unchanged
// through node's own path. A filter that transforms returns a node Transform; the stages
// are piped, with backpressure, into the response ("the next filter"). What the last stage
// emits is passed on once per turn of the event loop (one "brigade"); if the whole body
// ended before anything was passed, the response gets a Content-Length, as
// ap_content_length_filter gives one when it sees EOS in its first brigade.

import type { ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import type { RequestRecord } from './record.js';
import { parseByteRanges } from '../core/byteranges.js';
import { reasonPhrase } from '../http/status.js';

/** What a filter knows of the body when it first runs (its first brigade). */
export interface FirstBrigade {
  /** The body ended in this brigade (EOS seen): `length` is all of it. */
  readonly ended: boolean;
  /** Body bytes in the first brigade. */
  readonly length: number;
}

/** A transforming filter's body stage (its ctx once initialised). */
export interface BodyStage {
  readonly stream: Transform;
  /** A FLUSH bucket: push out what is buffered, then call `done`. */
  flush?(done: () => void): void;
}

/**
 * An output filter a module registers (ap_register_output_filter). `start` runs once per
 * request at the first brigade; it may edit the response head on `r.res` (setHeader /
 * removeHeader, statusCode). Undefined = the filter removes itself.
 */
export interface OutputFilterDef {
  start(r: RequestRecord, first: FirstBrigade): BodyStage | undefined;
  /**
   * Where the filter sits (ap_filter_type: AP_FTYPE_RESOURCE 10, CONTENT_SET 20, …):
   * a request's filters run in ascending order, ties in the order they were added.
   */
  readonly ftype: number;
}

/** httpd's ap_filter_type values. */
export const FTYPE = {
  RESOURCE: 10,
  CONTENT_SET: 20,
  PROTOCOL: 30,
  TRANSCODE: 40,
  CONNECTION: 50,
  NETWORK: 60,
} as const;

/** One filter added to a request: its name (for logs) and definition. */
export interface AddedFilter {
  readonly name: string;
  readonly def: OutputFilterDef;
}

type Cb = (err?: Error | null) => void;
type Res = ServerResponse;
interface Proto {
  write(this: Res, chunk: unknown, encoding?: unknown, cb?: unknown): boolean;
  end(this: Res, chunk?: unknown, encoding?: unknown, cb?: unknown): Res;
  writeHead(this: Res, status: number, reason?: unknown, headers?: unknown): Res;
}

/** The interposed names; deleting the own properties restores the prototype's. */
type Overridden = 'write' | 'end' | 'writeHead' | 'writableLength';

const chains = new WeakMap<Res, OutputChain>();
/** Filters added to a request before its handler runs (r->output_filters being built). */
const pending = new WeakMap<RequestRecord, (AddedFilter | string)[]>();

/**
 * ap_add_output_filter by name (`;`-separated list): resolved when the handler is about to
 * run, against the modules of the request's generation.
 */
export function addOutputFilters(r: RequestRecord, list: string): void {
  const names = list.split(';').filter((n) => n !== '');
  if (names.length === 0) return;
  const p = pending.get(r);
  if (p === undefined) pending.set(r, names);
  else p.push(...names);
}

/**
 * ap_internal_fast_redirect: `r` takes over the filters its sub-request `rr` added (mod_mime's
 * AddOutputFilter on the DirectoryIndex file), replacing its own.
 */
export function takeOutputFilters(rr: RequestRecord, r: RequestRecord): void {
  const p = pending.get(rr);
  pending.delete(r);
  if (p === undefined) return;
  pending.delete(rr);
  pending.set(r, p);
}

/** ap_add_output_filter_handle: a filter object of the caller's own (mod_filter's harness). */
export function addOutputFilter(r: RequestRecord, filter: AddedFilter): void {
  const p = pending.get(r);
  if (p === undefined) pending.set(r, [filter]);
  else p.push(filter);
}

/**
 * After the insert_filter phase: resolve the names added, log the unknown ones (AH00082,
 * as ap_add_output_filter does), and interpose on r.res if any filter is left.
 */
export function commitOutputFilters(r: RequestRecord): void {
  const p = pending.get(r);
  if (p === undefined) return;
  pending.delete(r);
  const out: AddedFilter[] = [];
  for (const f of p) {
    if (typeof f !== 'string') {
      out.push(f);
      continue;
    }
    const key = f.toLowerCase();
    let def: OutputFilterDef | undefined;
    for (const m of r.generation.runtime.modules) {
      const table = m.outputFilters;
      if (table !== undefined && Object.hasOwn(table, key)) {
        def = table[key];
        break;
      }
    }
    if (def === undefined)
      r.logError('error', 'core', 'AH00082', `an unknown filter was not added: ${f}`);
    else out.push({ name: f, def });
  }
  installOutputFilters(r, out);
}

/** Does `res` carry an output filter chain that has not decided yet (or is transforming)? */
export function hasOutputFilters(res: Res): boolean {
  return chains.has(res);
}

/** Body bytes already went into a transforming chain (so the head is as good as sent). */
export function outputStarted(res: Res): boolean {
  return chains.get(res)?.started === true;
}

/**
 * Add `filters` to r's response (the insert_filter phase). Replaces a chain left by the
 * request this one was redirected from. No filters: nothing is interposed.
 */
export function installOutputFilters(r: RequestRecord, filters: readonly AddedFilter[]): void {
  dropOutputFilters(r.res);
  if (filters.length === 0) return;
  // ap_add_output_filter inserts by type: stable, so equal types keep their order.
  const ordered = [...filters].sort((a, b) => a.def.ftype - b.def.ftype);
  const chain = new OutputChain(r, ordered);
  chains.set(r.res, chain);
}

/**
 * Take the chain off `res` before it started (ap_send_error_response resets the filters to
 * the protocol ones; an internal redirect builds its own chain).
 */
export function dropOutputFilters(res: Res): void {
  const chain = chains.get(res);
  if (chain === undefined || chain.started) return;
  chain.uninstall();
}

/**
 * A FLUSH bucket after what the handler wrote (mod_wsgi flushes after every write): a
 * transforming chain pushes its buffered output now. No chain: nothing to do.
 */
export function flushOutput(res: Res): void {
  chains.get(res)?.flush();
}

/**
 * Run the filters' decision now, before the body (a handler that knows the whole body up
 * front, as default_handler passing one file bucket and EOS). True if some filter will
 * transform the body; false if none does (the chain is gone, the response is unfiltered).
 */
export function startOutputFilters(res: Res, first: FirstBrigade): boolean {
  const chain = chains.get(res);
  if (chain === undefined) return false;
  chain.start(first);
  return chain.started;
}

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

class OutputChain {
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

  constructor(r: RequestRecord, filters: readonly AddedFilter[]) {
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
    chains.delete(this.#res);
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
   * ap_byterange_filter after the content filters: with the whole filtered body known, a
   * single satisfiable `Range` of a 200 answer is cut from it (206, Content-Range). A
   * streamed body, several ranges, an If-Range or an unsatisfiable range: the whole body.
   */
  #byterange(data: Buffer): Buffer {
    const res = this.#res;
    const h = this.#r.headersIn.headers;
    if (res.statusCode !== 200 || this.#r.headerOnly || h['if-range'] !== undefined) return data;
    if (res.getHeader('content-range') !== undefined) return data;
    const want = parseByteRanges(h.range, data.length);
    if (want.kind !== 'ranges' || want.ranges.length !== 1) return data;
    const range = want.ranges[0];
    if (range === undefined) return data;
    res.statusCode = 206;
    res.statusMessage = reasonPhrase(206);
    this.#r.status = 206;
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${data.length}`);
    return data.subarray(range.start, range.end + 1);
  }
}
