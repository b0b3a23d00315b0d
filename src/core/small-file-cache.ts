// httpd: modules/cache/mod_file_cache.c (MMapFile: a file's bytes kept in memory, served
// without opening it) — here automatic, and checked against a fresh stat on every request.
//
// The contents of small regular files the default handler served, so the next request for
// an unchanged file is answered without open + fstat + read + close (four of the six system
// calls of a static request; the stat is made anyway, by translate). An entry is used only
// when the request's stat shows the same file as when it was read: device, inode, size,
// mtime and ctime. Any write, truncate, rename over the path, chmod or chown changes one of
// them (ctime moves on every change to the inode), so a changed file is read again, and a
// file that became unreadable is opened again and refused.
//
// A file changed within the last SETTLED_MS is not kept ("racily clean", as git calls it):
// the kernel stamps times from a coarse clock (a few ms), so two writes of the same size in
// one tick leave identical stats, and content read between them could otherwise be served
// after the second. Any change made after an entry was kept has a later ctime.
//
// Bounded: files up to ENTRY_MAX bytes, TOTAL_MAX bytes in all. Eviction is second-chance
// ("clock") in insertion order: a hit only marks its entry, so the request path never
// reorders the table; an entry marked since the last pass goes round once more.

import type { Stats } from 'node:fs';

/** What the default handler needs of a file besides its bytes (the fstat it would make). */
export interface CachedFile {
  /** The file's bytes. Shared between responses: never written to. */
  readonly body: Buffer;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeUs: bigint;
}

interface Entry extends CachedFile {
  readonly dev: number;
  readonly inoNum: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** Used since the eviction pass last went by (second chance). */
  recent: boolean;
}

/** The largest file kept. */
export const ENTRY_MAX = 64 * 1024;
/** The most bytes kept in all. */
export const TOTAL_MAX = 16 * 1024 * 1024;
/** A file whose inode changed more recently than this (ms) is not kept. */
export const SETTLED_MS = 2000;

/** A bigint stat time as node's number Stats give it (sec * 1e3 + nsec / 1e6). */
function msOf(ns: bigint): number {
  return Number(ns / 1_000_000_000n) * 1e3 + Number(ns % 1_000_000_000n) / 1e6;
}

/** Same file, unchanged: what a stat of the path says now against what the entry recorded. */
function matches(e: Entry, st: Stats): boolean {
  return (
    e.inoNum === st.ino &&
    e.dev === st.dev &&
    e.body.length === st.size &&
    e.mtimeMs === st.mtimeMs &&
    e.ctimeMs === st.ctimeMs
  );
}

/** Small files' contents by path, validated by the caller's stat of that path. */
export class SmallFileCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  readonly #entryMax: number;
  readonly #totalMax: number;
  readonly #now: () => number;
  /** SETTLED_MS, or what a test sets. */
  settledMs: number;

  constructor(
    opts: { entryMax?: number; totalMax?: number; settledMs?: number; now?: () => number } = {},
  ) {
    this.#entryMax = opts.entryMax ?? ENTRY_MAX;
    this.#totalMax = opts.totalMax ?? TOTAL_MAX;
    this.settledMs = opts.settledMs ?? SETTLED_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The file at `path` if `st` (a stat of it made for this request) shows it unchanged. */
  get(path: string, st: Stats): CachedFile | undefined {
    const e = this.#entries.get(path);
    if (e === undefined) return undefined;
    if (!matches(e, st)) {
      this.#drop(path, e);
      return undefined;
    }
    e.recent = true;
    return e;
  }

  /**
   * Whether a file with this stat (of its path, for this request) could be kept: a regular
   * file small enough, unchanged for settledMs. Checked before the fstat put needs.
   */
  accepts(st: Stats): boolean {
    if (st.size > this.#entryMax || !st.isFile()) return false;
    return this.settledMs <= 0 || this.#now() - st.ctimeMs >= this.settledMs;
  }

  /**
   * Keep `body`, read from the open file whose fstat is `big`, if the path's stat `st`
   * shows that same file, unchanged (not replaced or written between the two), the file
   * was read whole, and it has not changed for settledMs.
   */
  put(
    path: string,
    st: Stats,
    big: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint },
    body: Buffer,
  ): void {
    if (body.length !== st.size || !this.accepts(st)) return;
    if (big.ino !== BigInt(st.ino) || big.dev !== BigInt(st.dev) || big.size !== BigInt(st.size))
      return;
    if (msOf(big.mtimeNs) !== st.mtimeMs || msOf(big.ctimeNs) !== st.ctimeMs) return;
    const old = this.#entries.get(path);
    if (old !== undefined) this.#drop(path, old);
    const e: Entry = {
      body,
      ino: big.ino,
      size: big.size,
      mtimeUs: big.mtimeNs / 1000n,
      dev: st.dev,
      inoNum: st.ino,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      recent: false,
    };
    this.#entries.set(path, e);
    this.#bytes += body.length;
    // Oldest first; an entry used since the last pass is moved to the end, unmarked (the
    // iteration reaches it again there).
    for (const [p, oldest] of this.#entries) {
      if (this.#bytes <= this.#totalMax) break;
      if (oldest.recent) {
        oldest.recent = false;
        this.#entries.delete(p);
        this.#entries.set(p, oldest);
      } else this.#drop(p, oldest);
    }
  }

  #drop(path: string, e: Entry): void {
    this.#entries.delete(path);
    this.#bytes -= e.body.length;
  }
}
