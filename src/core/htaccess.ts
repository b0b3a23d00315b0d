// httpd: server/request.c (ap_directory_walk: at each directory, after its <Directory>
//        sections, the access file is read when the merged AllowOverride or
//        AllowOverrideList allows anything), server/config.c (ap_parse_htaccess,
//        ap_open_htaccess: the first AccessFileName that opens is used; a parse error is
//        500 with "<file>: <message>" at alert; a file that exists but cannot be opened is
//        403 with AH00529).
//
// httpd parses the file on every request. Here a parse is kept per file and per
// AllowOverride in force, and used again while the file's stat (mtime, ctime, size,
// inode) is unchanged, so an edit takes effect on the next request as in httpd. Warnings
// of a Nonfatal parse are logged again each time the file is used, as httpd's re-parse
// logs them. Servers where no AllowOverride allows anything never look for the file.

import { readFileSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { parseAccessFile } from '../config/access-file.js';
import type { AccessRules } from '../config/access-file.js';
import { Ctx, type ContextMask } from '../config/directive.js';
import { ConfigError } from '../config/errors.js';
import type { ModuleSlots } from '../config/ir.js';
import { Registry } from '../config/registry.js';
import type { RequestRecord } from '../request/record.js';
import { aprStatus, NOT_REGULAR_FILE } from '../util/apr-status.js';
import type { RequestRuntime } from '../request/runtime.js';
import type { CompiledSection, CompiledSections } from '../request/walk.js';
import {
  compileFileSection,
  directoryChain,
  finishFileWalk,
  sectionsForFile,
} from '../request/walk.js';
import type { CoreDirConf, CoreServerConf, OverrideClass } from './config.js';
import { OVERRIDE_OPTS_DEFAULT } from './config-options.js';

const CLASS_BITS: Readonly<Record<OverrideClass, ContextMask>> = {
  AuthConfig: Ctx.OR_AUTHCFG,
  FileInfo: Ctx.OR_FILEINFO,
  Indexes: Ctx.OR_INDEXES,
  Limit: Ctx.OR_LIMIT,
  Options: Ctx.OR_OPTIONS,
};

/** Does this per-dir config let an access file set anything (opts.override / override_list)? */
const allowsAny = (c: CoreDirConf | undefined): boolean =>
  (c?.allowOverride?.length ?? 0) > 0 || (c?.allowOverrideList?.length ?? 0) > 0;

const anyOverride = new WeakMap<CompiledSections, boolean>();

/** Does the server's defaults or any <Directory> allow an override? (once per server) */
function mayReadAccessFiles(cs: CompiledSections, defaults: ModuleSlots): boolean {
  let v = anyOverride.get(cs);
  if (v === undefined) {
    v =
      allowsAny(defaults['core'] as CoreDirConf | undefined) ||
      [...cs.directory, ...cs.directoryMatch].some((s) =>
        allowsAny(s.ir.dir['core'] as CoreDirConf | undefined),
      );
    anyOverride.set(cs, v);
  }
  return v;
}

/** A parse kept for reuse: the file's stat stamp, and the section or the error text. */
interface Parsed {
  readonly stamp: string;
  readonly section?: CompiledSection;
  readonly error?: string;
  readonly warnings: readonly (readonly [id: string, message: string])[];
}

/** Parses per generation: file + AllowOverride in force → Parsed. Bounded like the walk memo. */
const PARSE_LIMIT = 10000;
const parses = new WeakMap<RequestRuntime, Map<string, Parsed>>();
const registries = new WeakMap<RequestRuntime, Registry>();
/** Merge-cache identities of parsed files (after any config section's index). */
let nextIndex = 1 << 30;

const stampOf = (st: Stats): string => `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}`;

/** What came of looking for an access file in one directory. */
type Found = { readonly section: CompiledSection } | { readonly status: 403 | 500 } | undefined;

/**
 * ap_parse_htaccess for one directory `dir` (no trailing slash, '/' for the root) under
 * the merged per-dir config `merged`.
 */
function accessFileIn(r: RequestRecord, dir: string, merged: CoreDirConf): Found {
  const rt = r.generation.runtime;
  const names = (r.server.server['core'] as CoreServerConf | undefined)?.accessFileName ?? [
    '.htaccess',
  ];
  const d = dir === '/' ? '/' : `${dir}/`;
  const rules: AccessRules = {
    override: (merged.allowOverride ?? []).reduce((m, c) => m | CLASS_BITS[c], 0),
    list: (merged.allowOverrideList ?? []).map((n) => n.toLowerCase()),
    opts: merged.allowOverrideOpts ?? OVERRIDE_OPTS_DEFAULT,
  };
  const nonfatal = merged.allowOverrideNonfatal ?? [];
  for (const name of names) {
    const file = d + name;
    let st: Stats | undefined;
    try {
      st = statSync(file, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      return unreadable(r, file, d, e);
    }
    if (st === undefined) continue;
    if (!st.isFile()) {
      // ap_pcfg_openfile refuses anything but a regular file, then fails with EBADF.
      r.generation.log.log(
        'error',
        'core',
        'AH00554',
        `Access to file ${file} denied by server: not a regular file`,
      );
      return unreadable(r, file, d, NOT_REGULAR_FILE);
    }
    let table = parses.get(rt);
    if (table === undefined) {
      table = new Map();
      parses.set(rt, table);
    }
    const key = `${file}\0${rules.override}\0${rules.list.join(' ')}\0${rules.opts.join(' ')}\0${nonfatal.join(' ')}`;
    const stamp = stampOf(st);
    let parsed = table.get(key);
    if (parsed?.stamp !== stamp) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        return unreadable(r, file, d, e);
      }
      parsed = parse(rt, text, file, d, rules, nonfatal, stamp);
      if (table.size >= PARSE_LIMIT) table.clear();
      table.set(key, parsed);
    }
    for (const [id, message] of parsed.warnings) r.generation.log.log('warn', 'core', id, message);
    if (parsed.error !== undefined) {
      r.logError('alert', 'core', '', `${file}: ${parsed.error}`);
      return { status: 500 };
    }
    return parsed.section === undefined ? undefined : { section: parsed.section };
  }
  return undefined;
}

function parse(
  rt: RequestRuntime,
  text: string,
  file: string,
  directory: string,
  rules: AccessRules,
  nonfatal: readonly ('Override' | 'Unknown')[],
  stamp: string,
): Parsed {
  let registry = registries.get(rt);
  if (registry === undefined) {
    registry = new Registry(rt.modules);
    registries.set(rt, registry);
  }
  const warnings: [string, string][] = [];
  try {
    const { dir, nested } = parseAccessFile({
      text,
      file,
      directory,
      ir: rt.ir,
      registry,
      rules,
      nonfatal: {
        override: nonfatal.includes('Override'),
        unknown: nonfatal.includes('Unknown'),
        warn: (id, message) => warnings.push([id, message]),
      },
    });
    const ir = {
      kind: 'directory' as const,
      pattern: directory,
      regex: false,
      dir,
      origin: { file, line: 0 },
      ...(nested.length > 0 ? { nested } : {}),
    };
    const section: CompiledSection = {
      index: nextIndex++,
      ir,
      depth: 0,
      test: () => true,
      ...(nested.length > 0
        ? { nested: nested.map((n) => compileFileSection(n, nextIndex++)) }
        : {}),
    };
    return { stamp, section, warnings };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { stamp, error: e.detail, warnings };
  }
}

/** AH00529: the file is there but cannot be read; httpd denies access to be safe. */
function unreadable(r: RequestRecord, file: string, d: string, e: unknown): Found {
  r.logError(
    'crit',
    'core',
    'AH00529',
    `${file} pcfg_openfile: unable to check htaccess file, ensure it is readable and that '${d}' is executable`,
    typeof e === 'string' ? e : aprStatus(e),
  );
  r.notes.set('error-notes', 'Server unable to read htaccess file, denying access to be safe');
  return { status: 403 };
}

/**
 * The sections of a directory + file walk for `filename` over `base`, in merge order, with
 * each directory's access file after its <Directory> sections (ap_directory_walk), or the
 * status an access file answers (403, 500).
 */
export function directoryWalk(
  r: RequestRecord,
  base: ModuleSlots,
  filename: string,
  isDir: boolean,
): CompiledSection[] | 403 | 500 {
  const rt = r.generation.runtime;
  const cs = rt.sections(r.server);
  if (!mayReadAccessFiles(cs, rt.dirDefaults(r.server)))
    return sectionsForFile(cs, filename, isDir);
  const chain = directoryChain(filename, isDir);
  const out: CompiledSection[] = [];
  let k = 0;
  for (let i = 0; i < chain.length; i++) {
    const d = chain[i] ?? '/';
    // Sections are sorted by depth: those of this depth that match, in config order.
    for (; k < cs.directory.length; k++) {
      const s = cs.directory[k];
      if (s === undefined || s.depth > i) break;
      if (s.depth === i && s.test(d)) out.push(s);
    }
    const merged = rt.walk.merge(base, out)['core'] as CoreDirConf | undefined;
    if (merged === undefined || !allowsAny(merged)) continue;
    const found = accessFileIn(r, d, merged);
    if (found === undefined) continue;
    if ('status' in found) return found.status;
    out.push(found.section);
  }
  return finishFileWalk(cs, out, filename, chain);
}

/**
 * The merged per-dir config of directory `dir` itself (its <Directory> chain, access
 * files included, no <Files>), for the symbolic-link check; undefined when this server
 * reads no access files (the static config decides) or one of them failed.
 */
export function directoryConfigWithAccess(
  r: RequestRecord,
  base: ModuleSlots,
  dir: string,
): ModuleSlots | undefined {
  const rt = r.generation.runtime;
  if (!mayReadAccessFiles(rt.sections(r.server), rt.dirDefaults(r.server))) return undefined;
  const walked = directoryWalk(r, base, dir, true);
  if (typeof walked === 'number') return undefined;
  return rt.walk.merge(
    base,
    walked.filter((s) => s.ir.kind === 'directory' || s.ir.kind === 'directoryMatch'),
  );
}

/** True when this server may read access files at all (the symlink memo's guard). */
export function readsAccessFiles(r: RequestRecord): boolean {
  const rt = r.generation.runtime;
  return mayReadAccessFiles(rt.sections(r.server), rt.dirDefaults(r.server));
}
