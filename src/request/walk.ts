// httpd: server/request.c (ap_location_walk, ap_directory_walk, ap_file_walk and their
// walk caches), server/config.c (ap_merge_per_dir_configs).
//
// Sections are compiled once per generation (compileSections). A walk picks the sections
// that apply, in httpd's order, and merges their per-dir slots over a base config:
//   <Directory> (fewest path components first, config order on ties) → <DirectoryMatch>
//   → <Files>/<FilesMatch> (config order) → <Location>/<LocationMatch> (config order).
// Merged configs are cached per (base object, list of applied sections), so a hot URL
// costs a Map lookup, like httpd's walk_cache.

import type { ModuleSlots, SectionIR, ServerIR } from '../config/ir.js';
import type { ModuleDef } from '../modules/module.js';
import { mergeBySpec } from '../config/merge.js';

/** A section with its matcher compiled. */
export interface CompiledSection {
  /** Position in the server's section list (identity for the merge cache). */
  readonly index: number;
  readonly ir: SectionIR;
  /** Non-regex Directory: number of path components ('/' = 0). */
  readonly depth: number;
  readonly test: (subject: string) => boolean;
  /** `<Files>`/`<FilesMatch>` written inside this `<Directory>` (its own sec_file). */
  readonly nested?: readonly CompiledSection[];
}

/** A server's sections split by walk, in walk order. */
export interface CompiledSections {
  readonly directory: readonly CompiledSection[];
  readonly directoryMatch: readonly CompiledSection[];
  readonly files: readonly CompiledSection[];
  readonly location: readonly CompiledSection[];
}

/** Convert an fnmatch pattern (with FNM_PATHNAME: `*` does not cross `/`) to a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const body = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) out += '\\' + (glob[++i] ?? '');
    else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const isGlob = (p: string): boolean => /[*?[]/.test(p);
const stripSlash = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
const depthOf = (p: string): number => p.split('/').filter((s) => s !== '').length;

/**
 * Location prefix match with httpd's segment rule: `<Location /foo>` matches `/foo`,
 * `/foo/` and `/foo/x`, never `/foobar`.
 */
export function locationMatches(pattern: string, uri: string): boolean {
  if (!uri.startsWith(pattern)) return false;
  return pattern.endsWith('/') || uri.length === pattern.length || uri[pattern.length] === '/';
}

/** Compile a `<Files>`/`<FilesMatch>` section; `index` is its merge-cache identity. */
export function compileFileSection(ir: SectionIR, index: number): CompiledSection {
  const re = ir.regex ? new RegExp(ir.pattern) : undefined;
  const glob = re === undefined && isGlob(ir.pattern) ? globToRegExp(ir.pattern) : undefined;
  const pat = ir.pattern;
  return {
    index,
    ir,
    depth: depthOf(pat),
    test: (f) => (re ? re.test(f) : glob ? glob.test(f) : f === pat),
  };
}

/** Compile a server's sections (regexes, globs) once, at provision time. */
export function compileSections(server: ServerIR): CompiledSections {
  const directory: CompiledSection[] = [];
  const directoryMatch: CompiledSection[] = [];
  const files: CompiledSection[] = [];
  const location: CompiledSection[] = [];
  // Nested <Files> get indexes after the top-level sections (merge-cache identity).
  let nextIndex = server.sections.length;
  const fileSection = compileFileSection;
  server.sections.forEach((ir, index) => {
    const re = ir.regex ? new RegExp(ir.pattern) : undefined;
    const pat =
      ir.kind === 'directory' || ir.kind === 'directoryMatch' ? stripSlash(ir.pattern) : ir.pattern;
    const glob = re === undefined && isGlob(pat) ? globToRegExp(pat) : undefined;
    const nestedFiles = (ir.nested ?? [])
      .filter((n) => n.kind === 'files' || n.kind === 'filesMatch')
      .map((n) => fileSection(n, nextIndex++));
    const base = {
      index,
      ir,
      depth: depthOf(pat),
      ...(nestedFiles.length > 0 ? { nested: nestedFiles } : {}),
    };
    switch (ir.kind) {
      case 'directory':
      case 'directoryMatch':
        if (re !== undefined) directoryMatch.push({ ...base, test: (s) => re.test(s) });
        else directory.push({ ...base, test: (d) => (glob ? glob.test(d) : d === pat) });
        break;
      case 'files':
      case 'filesMatch':
        files.push(fileSection(ir, index));
        break;
      case 'location':
      case 'locationMatch':
        location.push({
          ...base,
          test: (u) =>
            re
              ? re.test(u)
              : glob
                ? globToRegExp(pat + '*').test(u) || glob.test(u)
                : locationMatches(pat, u),
        });
        break;
      case 'if':
        // <If> sections live in core's per-dir sec_if, never in the server's list.
        break;
    }
  });
  // Shortest path first; Array.prototype.sort is stable, so ties keep config order.
  directory.sort((a, b) => a.depth - b.depth);
  return { directory, directoryMatch, files, location };
}

/** The directories a directory walk visits for `filename`: `/`, `/a`, `/a/b`, … */
export function directoryChain(filename: string, isDir: boolean): string[] {
  const parts = filename.split('/').filter((s) => s !== '');
  if (!isDir) parts.pop();
  const out = ['/'];
  for (let i = 1; i <= parts.length; i++) out.push('/' + parts.slice(0, i).join('/'));
  return out;
}

/** Sections of a directory + file walk for `filename`, in merge order. */
export function sectionsForFile(
  cs: CompiledSections,
  filename: string,
  isDir: boolean,
): CompiledSection[] {
  const chain = directoryChain(filename, isDir);
  const out: CompiledSection[] = [];
  for (const s of cs.directory) {
    const d = chain[s.depth];
    if (d !== undefined && s.test(d)) out.push(s);
  }
  return finishFileWalk(cs, out, filename, chain);
}

/**
 * The rest of a walk after the <Directory> sections (and access files) in `out`, for
 * `filename` whose directories are `chain`: <DirectoryMatch>, then the file walk. Appends
 * to `out` and returns it.
 */
export function finishFileWalk(
  cs: CompiledSections,
  out: CompiledSection[],
  filename: string,
  chain: readonly string[],
): CompiledSection[] {
  for (const s of cs.directoryMatch) {
    if (chain.some((d) => s.test(d === '/' ? d : d + '/') || s.test(d))) out.push(s);
  }
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  for (const s of cs.files) if (s.test(base)) out.push(s);
  // ap_file_walk reads the merged sec_file: the top-level <Files> first, then those nested
  // in each <Directory>/<DirectoryMatch> (and .htaccess file) the directory walk applied,
  // in that order.
  const applied = out.length;
  for (let i = 0; i < applied; i++) {
    const nested = out[i]?.nested;
    if (nested !== undefined) for (const n of nested) if (n.test(base)) out.push(n);
  }
  return out;
}

/** Sections of a location walk for `uri`. */
export function sectionsForUri(cs: CompiledSections, uri: string): CompiledSection[] {
  return cs.location.filter((s) => s.test(uri));
}

/** Merge one module's slot (mod.dir.merge) — the IR boundary, where slots are `unknown`. */
function mergeSlot<S, D>(mod: ModuleDef<S, D>, base: unknown, over: unknown): unknown {
  const spec = mod.dir;
  if (spec === undefined) return base;
  // The IR stores each slot as the module's own D (build.ts created it with mod.dir.create()).
  const b = (base ?? spec.create()) as D & object;
  return mergeBySpec(spec.merge as never, b, over as D & object);
}

/** Merge `over` slots over `base` slots for every module (ap_merge_per_dir_configs). */
export function mergeSlots(
  modules: readonly ModuleDef[],
  base: ModuleSlots,
  over: ModuleSlots,
): ModuleSlots {
  const out: Record<string, unknown> = { ...base };
  for (const m of modules) {
    const o = over[m.name];
    if (o !== undefined) out[m.name] = mergeSlot(m, base[m.name], o);
  }
  return out;
}

/** Merge cache: base config object → applied-section key → merged config. */
/** Entries per memo table before it is cleared (bounds memory under hostile paths). */
const MEMO_LIMIT = 10000;

export class WalkCache {
  readonly #cache = new WeakMap<ModuleSlots, Map<string, ModuleSlots>>();
  readonly #modules: readonly ModuleDef[];
  constructor(modules: readonly ModuleDef[]) {
    this.#modules = modules;
  }
  readonly #memo = new WeakMap<ModuleSlots, Map<string, unknown>>();
  /**
   * A fact derived only from the static config for a path (e.g. the Options in force for a
   * directory), computed once per `base` (server defaults) and key. Keys come from request
   * paths, so each table is capped: past MEMO_LIMIT entries it starts over.
   */
  memo<T>(base: ModuleSlots, key: string, compute: () => T): T {
    let table = this.#memo.get(base);
    if (table === undefined) {
      table = new Map();
      this.#memo.set(base, table);
    }
    if (table.has(key)) return table.get(key) as T; // set below from compute(): a T
    const v = compute();
    if (table.size >= MEMO_LIMIT) table.clear();
    table.set(key, v);
    return v;
  }
  readonly #over = new WeakMap<ModuleSlots, WeakMap<ModuleSlots, ModuleSlots>>();
  /** Merge the slots `over` over `base` (ap_merge_per_dir_configs), cached by identity. */
  mergeOver(base: ModuleSlots, over: ModuleSlots): ModuleSlots {
    let byOver = this.#over.get(base);
    if (byOver === undefined) {
      byOver = new WeakMap();
      this.#over.set(base, byOver);
    }
    const hit = byOver.get(over);
    if (hit !== undefined) return hit;
    const merged = mergeSlots(this.#modules, base, over);
    byOver.set(over, merged);
    return merged;
  }
  /** Merge `sections` (already in walk order) over `base`, reusing earlier results. */
  merge(base: ModuleSlots, sections: readonly CompiledSection[]): ModuleSlots {
    if (sections.length === 0) return base;
    let byKey = this.#cache.get(base);
    if (byKey === undefined) {
      byKey = new Map();
      this.#cache.set(base, byKey);
    }
    const key = sections.map((s) => s.index).join(',');
    const hit = byKey.get(key);
    if (hit !== undefined) return hit;
    let cur = base;
    for (const s of sections) cur = mergeSlots(this.#modules, cur, s.ir.dir);
    // .htaccess files give new section identities when they change: keep the table bounded.
    if (byKey.size >= MEMO_LIMIT) byKey.clear();
    byKey.set(key, cur);
    return cur;
  }
}
