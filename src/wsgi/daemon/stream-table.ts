// The open request streams of one worker channel, by stream id.
//
// Not a Map: a Map whose values are short-lived (one per request) and whose backing table
// lives long is rehashed every few dozen requests, and V8 links each obsolete table to its
// successor (for live iterators) without clearing it. Once a table was promoted, every
// later table and every stream in them stayed reachable from old space until the next full
// GC: under wrk, 7 KB of each hello-world request was promoted and the front end spent a
// tenth of its time in scavenges. Here a slot array that only grows holds the streams, a
// closed stream's slot is cleared, and ids still never repeat soon (the worker may be
// finishing a stream it has answered, see docs/protocol.md).

/** What the table needs of a stream. */
export interface Keyed {
  readonly id: number;
}

const MAX_ID = 0xffffffff;

/** Open streams keyed by a u32 id (never 0), in slots `id & mask`. */
export class StreamTable<S extends Keyed> {
  #slots: (S | undefined)[] = new Array<S | undefined>(16).fill(undefined);
  #mask = 15;
  #size = 0;
  #nextId = 1;

  get size(): number {
    return this.#size;
  }

  get(id: number): S | undefined {
    const s = this.#slots[id & this.#mask];
    return s !== undefined && s.id === id ? s : undefined;
  }

  /** Add the stream `make(id)` under a fresh id whose slot is free. */
  open(make: (id: number) => S): S {
    if (this.#size >= this.#slots.length / 2) this.#grow();
    let id = this.#nextId;
    while (this.#slots[id & this.#mask] !== undefined) id = id >= MAX_ID ? 1 : id + 1;
    this.#nextId = id >= MAX_ID ? 1 : id + 1;
    const s = make(id);
    this.#slots[id & this.#mask] = s;
    this.#size++;
    return s;
  }

  /** Remove `s` (no-op if it is not in the table). */
  delete(s: S): void {
    const at = s.id & this.#mask;
    if (this.#slots[at] !== s) return;
    this.#slots[at] = undefined;
    this.#size--;
  }

  /** The open streams (a copy: safe to delete while iterating). */
  values(): S[] {
    const out: S[] = [];
    for (const s of this.#slots) if (s !== undefined) out.push(s);
    return out;
  }

  /** Remove every stream; returns them. */
  clear(): S[] {
    const all = this.values();
    this.#slots.fill(undefined);
    this.#size = 0;
    return all;
  }

  /** Double the slots. Ids distinct modulo 2^k stay distinct modulo 2^(k+1). */
  #grow(): void {
    const old = this.#slots;
    this.#slots = new Array<S | undefined>(old.length * 2).fill(undefined);
    this.#mask = this.#slots.length - 1;
    for (const s of old) if (s !== undefined) this.#slots[s.id & this.#mask] = s;
  }
}
