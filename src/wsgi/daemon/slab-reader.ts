// Where a worker channel's reads land: regions of recycled slabs, not a fresh buffer per
// read (no httpd counterpart: httpd reads the daemon socket into its bucket allocator).
//
// node's default socket read allocates a new 64 KiB backing store for every read. For a
// 1 MiB response that was 16 allocations (page faults, malloc) and 1 MiB of external memory
// per response: V8 starts a full GC for every ~64 MB of it, so the front end ran dozens of
// mark-compacts a second under load. Reads now go (socket `onread`) into consecutive
// regions of a few slabs that are reused once nothing holds their bytes.
//
// The bytes of a read are valid during the read's callback. A consumer that keeps some of
// them longer (the response body handed to the client socket) calls retain() during the
// callback and the returned release when the bytes are no longer referenced (the client
// socket's write callback). A slab goes back to the free list when the reader has moved
// past it and every retain() on it was released. A release that never comes (node drops a
// write callback when the socket was already destroyed) leaves the slab to the GC.

/**
 * Bytes offered to each read: 256 KiB, not node's 64 KiB. The worker's send buffer
 * (DEFAULT_SEND_BUFFER) holds more than that, so a 1 MiB response takes ~5 reads and ~7
 * client writes instead of ~18 and ~21 (strace, benchmarks/http /big).
 */
export const READ_SIZE = 1 << 18;
/** Slab size: 4 reads. */
export const SLAB_SIZE = 4 * READ_SIZE;
/** Free slabs kept for reuse (shared by all readers). */
const FREE_MAX = 4;
/**
 * Slabs one reader may have pinned (left behind with bytes still retained) before it
 * reads into plain buffers instead: slow clients cannot make it hold more than this.
 */
export const PINNED_MAX = 4;

class Slab {
  readonly buf = Buffer.allocUnsafeSlow(SLAB_SIZE);
  refs = 0;
  /** The reader moved on: recycle once refs reach 0. */
  retired = false;
  owner: SlabReader | undefined;
}

const free: Slab[] = [];

/** Pinned slabs that became garbage with a retain never released: unpin them. */
const lost = new FinalizationRegistry<WeakRef<SlabReader>>((reader) => reader.deref()?.unpin());

/** Hands out read regions and tracks who still holds their bytes. */
export class SlabReader {
  #slab: Slab | undefined;
  #pos = 0;
  /** The region offered to the next read (a slab view, or a plain buffer when over the pin limit). */
  #region: Buffer | undefined;
  #pinned = 0;
  readonly #self = new WeakRef(this);

  /** The buffer for the next read (node's `onread.buffer` generator). */
  next = (): Buffer => {
    let s = this.#slab;
    if (s === undefined || this.#pos + READ_SIZE > SLAB_SIZE) {
      if (s !== undefined) this.#retire(s);
      s = this.#slab = this.#pinned >= PINNED_MAX ? undefined : this.#take();
      this.#pos = 0;
    }
    this.#region =
      s === undefined
        ? Buffer.allocUnsafeSlow(READ_SIZE)
        : s.buf.subarray(this.#pos, this.#pos + READ_SIZE);
    return this.#region;
  };

  /** The `n` bytes the last read put in its region (valid until the callback returns). */
  take(n: number): Buffer {
    const r = this.#region;
    if (r === undefined) return Buffer.alloc(0);
    if (this.#slab !== undefined) this.#pos += n;
    return r.subarray(0, n);
  }

  /**
   * Keep the bytes of the current read beyond its callback; call only during the callback.
   * Returns their release (idempotent).
   */
  retain(): () => void {
    const s = this.#slab;
    if (s === undefined) return noop; // a plain buffer: the GC owns it
    s.refs++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--s.refs === 0 && s.retired) {
        s.owner?.unpin();
        s.owner = undefined;
        lost.unregister(s);
        recycle(s);
      }
    };
  }

  /** Slabs left behind with retained bytes. */
  get pinned(): number {
    return this.#pinned;
  }

  unpin(): void {
    if (this.#pinned > 0) this.#pinned--;
  }

  #retire(s: Slab): void {
    s.retired = true;
    if (s.refs === 0) {
      recycle(s);
      return;
    }
    s.owner = this;
    this.#pinned++;
    lost.register(s, this.#self, s);
  }

  #take(): Slab {
    const s = free.pop() ?? new Slab();
    s.retired = false;
    return s;
  }
}

function recycle(s: Slab): void {
  if (free.length < FREE_MAX) free.push(s);
}

function noop(): void {
  // nothing retained
}
