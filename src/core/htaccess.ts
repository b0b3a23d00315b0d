// httpd: server/request.c (ap_directory_walk reads AccessFileName in every directory whose
// AllowOverride, merged so far, is not None; ap_parse_htaccess), server/config.c.
//
// tswsgi does not read .htaccess files yet. Ignoring one would serve what it protects (a
// `Require all denied` in a private directory), so the walk fails closed: where httpd would
// read an access file that exists, the request gets 500 with a log line naming the file,
// as httpd answers a .htaccess it cannot parse. Configs without AllowOverride (the 2.4
// default is None) never pay for the check.

import { existsSync } from 'node:fs';
import type { ModuleSlots } from '../config/ir.js';
import type { RequestRecord } from '../request/record.js';
import type { CompiledSections } from '../request/walk.js';
import { directoryChain, sectionsForFile } from '../request/walk.js';
import type { CoreDirConf, CoreServerConf } from './config.js';

/** Message id of the refusal (MW003xx: the HTTP front end's request handling). */
export const HTACCESS_UNSUPPORTED = 'MW00304';

const overrideSet = (slots: ModuleSlots): boolean => {
  const c = slots['core'] as CoreDirConf | undefined;
  return c?.allowOverride !== undefined && c.allowOverride.length > 0;
};

const anyOverride = new WeakMap<CompiledSections, boolean>();

/** Does any <Directory> of this server allow an override? (computed once per server) */
function mayReadAccessFiles(cs: CompiledSections, defaults: ModuleSlots): boolean {
  let v = anyOverride.get(cs);
  if (v === undefined) {
    v =
      overrideSet(defaults) ||
      [...cs.directory, ...cs.directoryMatch].some((s) => overrideSet(s.ir.dir));
    anyOverride.set(cs, v);
  }
  return v;
}

/**
 * The access file httpd would read for this request and tswsgi cannot, or undefined.
 * Walks r.filename's directories; at each one the merged AllowOverride decides.
 */
export function unreadAccessFile(r: RequestRecord, isDir: boolean): string | undefined {
  const filename = r.filename;
  if (filename === undefined) return undefined;
  const rt = r.generation.runtime;
  const cs = rt.sections(r.server);
  const defaults = rt.dirDefaults(r.server);
  if (!mayReadAccessFiles(cs, defaults)) return undefined;
  const names = (r.server.server['core'] as CoreServerConf | undefined)?.accessFileName ?? [
    '.htaccess',
  ];
  for (const dir of directoryChain(filename, isDir)) {
    const merged = rt.walk.merge(
      defaults,
      sectionsForFile(cs, dir === '/' ? '/' : dir, true).filter(
        (s) => s.ir.kind === 'directory' || s.ir.kind === 'directoryMatch',
      ),
    );
    if (!overrideSet(merged)) continue;
    for (const name of names) {
      const path = `${dir === '/' ? '' : dir}/${name}`;
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}
