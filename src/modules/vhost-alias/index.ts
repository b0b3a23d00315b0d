// httpd: modules/mappers/mod_vhost_alias.c (mva_commands, vhost_alias_set,
// vhost_alias_interpolate, mva_translate: translate_name MIDDLE after mod_alias and
// mod_userdir).
//
// Mass virtual hosting: VirtualDocumentRoot /srv/%0 (or %-2.0, %1.1, %p …) builds the
// document root from the server name the request named (…IP: from the local address), and
// VirtualScriptAlias does the same for /cgi-bin/ (run as CGI). `none` turns either off.

import { isAbsolute } from 'node:path';
import { RSRC_CONF, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { serverNameOf, serverPortOf } from '../../request/server-name.js';
import type { ModuleDef } from '../module.js';
import { DOCUMENT_ROOT_NOTE } from '../../request/server-vars.js';

/** A format and how its name is chosen; `none`: off. */
export interface VhostMap {
  readonly map: string | undefined;
  readonly mode: 'name' | 'ip' | 'none';
}

export interface VhostAliasServerConf {
  docRoot: VhostMap | undefined;
  cgiRoot: VhostMap | undefined;
}

const create = (): VhostAliasServerConf => ({ docRoot: undefined, cgiRoot: undefined });
const merge: MergeSpec<VhostAliasServerConf> = {
  docRoot: (parent, child) => child ?? parent,
  cgiRoot: (parent, child) => child ?? parent,
};

/** vhost_alias_set's sanity check of a format: the error text, if any. */
export function checkFormat(map: string): string | undefined {
  let i = 0;
  const digit = (): boolean => /[0-9]/.test(map[i] ?? '');
  while (i < map.length) {
    if (map[i++] !== '%') continue;
    if (map[i] === 'p' || map[i] === '%') {
      i++;
      continue;
    }
    if (map[i] === '-') i++;
    if (!digit()) return 'syntax error in format string';
    i++;
    if (map[i] === '+') i++;
    if (map[i] !== '.') continue;
    i++;
    if (map[i] === '-') i++;
    if (!digit()) return 'syntax error in format string';
    i++;
    if (map[i] === '+') i++;
  }
  return undefined;
}

/** mod_vhost_alias' directive table. */
export function vhostAliasDirectives(
  d: DirectiveBuilder<VhostAliasServerConf, undefined>,
): AnyDirective<VhostAliasServerConf, undefined>[] {
  const set = (name: string, which: 'docRoot' | 'cgiRoot', mode: 'name' | 'ip', help: string) =>
    d.take1(name, RSRC_CONF, help, (c, map) => {
      if (!isAbsolute(map)) {
        if (map.toLowerCase() !== 'none')
          throw c.fail("format string must be an absolute path, or 'none'");
        c.server[which] = { map: undefined, mode: 'none' };
        return;
      }
      const bad = checkFormat(map);
      if (bad !== undefined) throw c.fail(bad);
      c.server[which] = { map, mode };
    });
  return [
    set('VirtualScriptAlias', 'cgiRoot', 'name', 'how to create a ScriptAlias based on the host'),
    set(
      'VirtualDocumentRoot',
      'docRoot',
      'name',
      'how to create the DocumentRoot based on the host',
    ),
    set('VirtualScriptAliasIP', 'cgiRoot', 'ip', 'how to create a ScriptAlias based on the host'),
    set(
      'VirtualDocumentRootIP',
      'docRoot',
      'ip',
      'how to create the DocumentRoot based on the host',
    ),
  ];
}

/** vhost_alias_interpolate: the directory `map` names for `name` (no trailing slash). */
export function interpolate(name: string, map: string, port: number): string {
  // dots[0] is "before the name"; dots[k] the k-th dot; dots[ndots] the end (MAXDOTS 19).
  const dots: number[] = [-1];
  for (let i = 0; i < name.length; i++) if (name[i] === '.' && dots.length < 19) dots.push(i);
  const ndots = dots.length;
  dots.push(name.length);
  let out = '';
  let i = 0;
  while (i < map.length) {
    const ch = map[i] ?? '';
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    i++;
    if (map[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (map[i] === 'p') {
      out += String(port);
      i++;
      continue;
    }
    let nd = false;
    let np = false;
    let md = false;
    let mp = false;
    let m = 0;
    if (map[i] === '-') {
      nd = true;
      i++;
    }
    const n = Number(map[i++]);
    if (map[i] === '+') {
      np = true;
      i++;
    }
    if (map[i] === '.') {
      i++;
      if (map[i] === '-') {
        md = true;
        i++;
      }
      m = Number(map[i++]);
      if (map[i] === '+') {
        mp = true;
        i++;
      }
    }
    let text = name;
    let start = (dots[0] ?? -1) + 1;
    let end = dots[ndots] ?? name.length;
    let underscore = false;
    if (n !== 0) {
      if (n > ndots) underscore = true;
      else if (!nd) {
        start = (dots[n - 1] ?? 0) + 1;
        if (!np) end = dots[n] ?? end;
      } else {
        if (!np) start = (dots[ndots - n] ?? 0) + 1;
        end = dots[ndots - n + 1] ?? end;
      }
    }
    if (underscore) {
      text = '_';
      start = 0;
      end = 1;
    }
    if (m !== 0) {
      if (m > end - start) {
        text = '_';
        start = 0;
        end = 1;
      } else if (!md) {
        start = start + m - 1;
        if (!mp) end = start + 1;
      } else {
        if (!mp) start = end - m;
        end = end - m + 1;
      }
    }
    out += text.slice(start, end).toLowerCase();
  }
  return out.endsWith('/') ? out.slice(0, -1) : out;
}

/** mva_translate. */
export function mvaTranslate(r: RequestRecord): Outcome {
  const conf = r.serverConf(vhostAliasModule);
  let cgiAt = -1;
  if (conf.cgiRoot?.map !== undefined) {
    const at = r.uri.indexOf('cgi-bin/');
    const lead = /^\/*/.exec(r.uri)?.[0].length ?? 0;
    if (at >= 0 && at === lead) cgiAt = at;
  }
  let chosen: VhostMap | undefined;
  let uri: string;
  if (cgiAt >= 0) {
    chosen = conf.cgiRoot;
    uri = r.uri.slice(cgiAt + 'cgi-bin'.length);
  } else if (r.uri.startsWith('/')) {
    chosen = conf.docRoot;
    uri = r.uri;
  } else return DECLINED;
  if (chosen === undefined || chosen.mode === 'none' || chosen.map === undefined) return DECLINED;
  const name = chosen.mode === 'name' ? serverNameOf(r) : r.connection.localAddr;
  const docroot = interpolate(name, chosen.map, serverPortOf(r));
  r.filename = docroot + uri;
  r.notes.set('context-document-root', docroot);
  r.notes.set(DOCUMENT_ROOT_NOTE, docroot);
  if (cgiAt >= 0) {
    r.handler = 'cgi-script';
    r.notes.set('alias-forced-type', 'cgi-script');
    r.notes.set('context-prefix', '/cgi-bin');
  }
  return OK;
}

/** mod_vhost_alias. */
export const vhostAliasModule: ModuleDef<VhostAliasServerConf, undefined> = {
  name: 'vhost_alias',
  server: { create, merge },
  directives: vhostAliasDirectives,
  hooks: {
    translateName: { run: (r) => mvaTranslate(r), order: 'middle', after: ['alias', 'userdir'] },
  },
};
