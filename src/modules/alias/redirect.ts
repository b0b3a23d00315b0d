// httpd: modules/mappers/mod_alias.c (add_redirect_internal, try_alias_list's redirect
// branch, try_redirect, translate_alias_redir, fixup_redir).
//
// Redirect / RedirectMatch / RedirectTemp / RedirectPermanent. Server-level redirects are
// tried in translate_name before any Alias; those in <Directory>/<Location> (and
// .htaccess) in fixups. A match answers the status with a Location built from the target
// plus the rest of the path (escaped), the request's query appended unless the target has
// its own; a relative target is made absolute. Non-3xx statuses (gone, 404, …) have no
// target. Inside <Location>, `Redirect [status] URL` applies to the whole location.

import { ANY_CONF, Ctx } from '../../config/directive.js';
import type { AnyDirective, Cmd, DirectiveBuilder } from '../../config/directive.js';
import { DECLINED } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { constructUrl } from '../../request/server-name.js';
import { aliasMatchLength, pregsub } from '../../util/alias-match.js';
import type { AliasDirConf, AliasServerConf, RedirectEntry } from './config.js';

type C = Cmd<AliasServerConf, AliasDirConf>;

/** OR_FILEINFO: the config files anywhere, and .htaccess with AllowOverride FileInfo. */
const FILEINFO = ANY_CONF | Ctx.OR_FILEINFO;

const isRedirect = (s: number): boolean => s >= 300 && s <= 399;
/** ap_is_url: a scheme and a colon. */
const isUrl = (u: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(u);

/**
 * add_redirect_internal. `status`: the directive's default (302, or 301 for
 * RedirectPermanent); a first argument may name another.
 */
function addRedirect(
  c: C,
  defStatus: number,
  arg1: string,
  arg2: string | undefined,
  arg3: string | undefined,
  regex: boolean,
): void {
  let status = defStatus;
  let grok: 1 | 0 | -1 = 1;
  const a = arg1.toLowerCase();
  if (a === 'permanent') status = 301;
  else if (a === 'temp') status = 302;
  else if (a === 'seeother') status = 303;
  else if (a === 'gone') {
    status = 410;
    grok = -1;
  } else if (/^\d/.test(arg1)) {
    status = Number.parseInt(arg1, 10);
    if (!isRedirect(status)) grok = -1;
  } else grok = 0;
  if (arg3 !== undefined && grok === 0) throw c.fail('Redirect: invalid first argument (of three)');
  const inSection = c.context.kind === 'section';
  if (
    inSection &&
    ((grok > 0 && arg2 !== undefined && arg3 === undefined) || (grok === 0 && arg2 === undefined))
  ) {
    // <Location> form: the target for the whole location (literal; no ap_expr here).
    const url = grok > 0 ? (arg2 ?? '') : arg1;
    if (url.includes('%{'))
      throw c.fail(`Cannot parse redirect expression '${url}': expressions are not supported`);
    c.dir.redirect = { status, url };
    return;
  }
  if (inSection && grok < 0 && arg2 === undefined) {
    c.dir.redirect = { status, url: undefined };
    return;
  }
  let fake = arg2 ?? '';
  let url = arg3;
  if (arg3 === undefined && grok === 0) {
    fake = arg1;
    url = arg2;
  }
  if (regex) {
    try {
      new RegExp(fake);
    } catch {
      throw c.fail('Regular expression could not be compiled.');
    }
  }
  if (isRedirect(status)) {
    if (url === undefined) throw c.fail('URL to redirect to is missing');
    if (!regex && !isUrl(url) && !url.startsWith('/')) throw c.fail('Redirect to non-URL');
  } else if (url !== undefined) throw c.fail('Redirect URL not valid for this status');
  const entry: RedirectEntry = {
    fake,
    real: url,
    regex,
    status,
    origin: { file: c.node.file, line: c.node.line },
  };
  if (inSection) c.dir.redirects = [...(c.dir.redirects ?? []), entry];
  else c.server.redirects = [...c.server.redirects, entry];
}

/** The Redirect family of mod_alias's directive table. */
export function redirectDirectives(
  d: DirectiveBuilder<AliasServerConf, AliasDirConf>,
): AnyDirective<AliasServerConf, AliasDirConf>[] {
  return [
    d.take123(
      'Redirect',
      FILEINFO,
      'an optional status, then document to be redirected and destination URL',
      (c, a, b, x) => {
        addRedirect(c, 302, a, b, x, false);
      },
    ),
    d.take23(
      'RedirectMatch',
      FILEINFO,
      'an optional status, then a regular expression and destination URL',
      (c, a, b, x) => {
        addRedirect(c, 302, a, b, x, true);
      },
    ),
    d.take2(
      'RedirectTemp',
      FILEINFO,
      'a document to be redirected, then the destination URL',
      (c, a, b) => {
        addRedirect(c, 302, a, b, undefined, false);
      },
    ),
    d.take2(
      'RedirectPermanent',
      FILEINFO,
      'a document to be redirected, then the destination URL',
      (c, a, b) => {
        addRedirect(c, 301, a, b, undefined, false);
      },
    ),
  ];
}

/** ap_os_escape_path(…, partial): %-escape what may not stand in a URL path. */
function escapePath(p: string): string {
  return Array.from(Buffer.from(p, 'utf8'))
    .map((b) =>
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      "$-_.+!*'(),:@&=~/;".includes(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** A redirect RegExp-match target: escape the path part, keep query and fragment. */
function escapeTarget(url: string): string {
  const q = url.search(/[?#]/);
  const head = q < 0 ? url : url.slice(0, q);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(head);
  const prefix = scheme?.[0] ?? '';
  return prefix + escapePath(head.slice(prefix.length)) + (q < 0 ? '' : url.slice(q));
}

const compiled = new WeakMap<RedirectEntry, RegExp>();

/** try_alias_list for redirects: the first match's status and target. */
function tryRedirects(
  list: readonly RedirectEntry[],
  uri: string,
): { status: number; url: string | undefined } | undefined {
  for (const e of list) {
    if (e.regex) {
      let re = compiled.get(e);
      if (re === undefined) compiled.set(e, (re = new RegExp(e.fake)));
      const m = re.exec(uri);
      if (m === null) continue;
      return {
        status: e.status,
        url: e.real === undefined ? undefined : escapeTarget(pregsub(e.real, m)),
      };
    }
    const l = aliasMatchLength(uri, e.fake);
    if (l > 0)
      return {
        status: e.status,
        url: e.real === undefined ? undefined : e.real + escapePath(uri.slice(l)),
      };
  }
  return undefined;
}

/** The shared tail of translate_alias_redir / fixup_redir: answer a matched redirect. */
function answer(
  r: RequestRecord,
  hit: { status: number; url: string | undefined },
  id: string,
): Outcome {
  if (!isRedirect(hit.status)) return hit.status;
  let url = hit.url ?? '';
  if (url.startsWith('/')) {
    const abs = constructUrl(r, url);
    r.logError(
      'debug',
      'alias',
      id,
      `incomplete redirection target of '${url}' for URI '${r.uri}' modified to '${abs}'`,
    );
    url = abs;
  }
  if (!isUrl(url)) {
    r.logError(
      'error',
      'alias',
      id === 'AH00673' ? 'AH00674' : 'AH00676',
      `cannot redirect '${r.uri}' to '${url}'; target is not a valid absoluteURI or abs_path`,
    );
    return 500;
  }
  if (r.args !== '' && !url.includes('?')) url += `?${r.args}`;
  r.res.setHeader('Location', url);
  return hit.status;
}

/** translate_alias_redir's redirect half: the <Location> form, then the server list. */
export function translateRedirect(
  r: RequestRecord,
  server: AliasServerConf,
  dir: AliasDirConf,
): Outcome {
  const hit = dir.redirect !== undefined ? dir.redirect : tryRedirects(server.redirects, r.uri);
  return hit === undefined ? DECLINED : answer(r, hit, 'AH00673');
}

/** fixup_redir: the <Location> form again (the walk may have changed it), then per-dir lists. */
export function fixupRedirect(r: RequestRecord, dir: AliasDirConf): Outcome {
  const hit = dir.redirect !== undefined ? dir.redirect : tryRedirects(dir.redirects ?? [], r.uri);
  return hit === undefined ? DECLINED : answer(r, hit, 'AH00675');
}
