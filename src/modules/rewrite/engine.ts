// httpd: modules/mappers/mod_rewrite.c (apply_rewrite_rule, apply_rewrite_list).
//
// The engine shared by the server-context hook (translate) and the per-directory hook
// (fixups): it rewrites r.filename/r.args and reports what happened; hooks.ts decides
// what that means for the request.

import type { RequestRecord } from '../../request/record.js';
import { coreServer } from '../../core/view.js';
import { CF, RF } from './flags.js';
import type { MapEntry, RuleEntry } from './config.js';
import { ruleRegex } from './compiled.js';
import { escapeBackref } from './escape.js';
import { absoluteUri, fullyQualify, reduceUri, splitoutQueryArgs } from './uri.js';
import { RewriteCtx, chainHead, expandAsync, rewriteLog } from './context.js';
import { applyCond } from './conditions.js';
import { addCookie, expandEnv, forceTypeHandler } from './actions.js';

export { NOTE_HANDLER, NOTE_MIMETYPE, chainHead, rewriteLog } from './context.js';
export type { RewriteCtx } from './context.js';

/** rule_return_type. */
export type RuleResult = 'nomatch' | 'match' | 'nosub' | 'statusSet';

/** apply_rewrite_rule. */
/**
 * The first half of apply_rewrite_rule, synchronous: match the pattern. Most rules stop
 * here, so a request that matches none costs no promise at all.
 */
function matchRule(p: RuleEntry, ctx: RewriteCtx): boolean {
  const r = ctx.r;
  let uri = r.filename ?? '';
  if (ctx.perdir !== undefined) {
    if (r.pathInfo !== '') {
      ctx.log(3, `add path info postfix: ${uri} -> ${uri}${r.pathInfo}`);
      uri += r.pathInfo;
    }
    if (uri.length >= ctx.perdir.length && uri.startsWith(ctx.perdir)) {
      ctx.log(3, `strip per-dir prefix: ${uri} -> ${uri.slice(ctx.perdir.length)}`);
      uri = uri.slice(ctx.perdir.length);
    }
  }
  ctx.uri = uri;
  ctx.log(3, `applying pattern '${p.pattern}' to uri '${uri}'`);
  const m = ruleRegex(p).exec(uri);
  const notmatch = (p.flags & RF.NOTMATCH) !== 0;
  if ((m !== null) === notmatch) return false;
  ctx.varyThis = undefined;
  ctx.condMatch = undefined;
  ctx.ruleMatch = notmatch ? undefined : (m ?? undefined);
  ctx.escapeRef = undefined;
  return true;
}

/** The rest of apply_rewrite_rule, after the pattern matched: conditions, substitution. */
async function applyRule(p: RuleEntry, ctx: RewriteCtx): Promise<RuleResult> {
  const r = ctx.r;
  const uri = ctx.uri;
  for (let i = 0; i < p.conds.length; i++) {
    let c = p.conds[i];
    if (c === undefined) break;
    const rc = await applyCond(c, ctx);
    if ((c.flags & CF.NOVARY) !== 0) ctx.varyThis = undefined;
    if ((c.flags & CF.ORNEXT) !== 0) {
      if (!rc) {
        ctx.varyThis = undefined;
        continue;
      }
      while (i < p.conds.length && c !== undefined && (c.flags & CF.ORNEXT) !== 0) c = p.conds[++i];
    } else if (!rc) return 'nomatch';
    ctx.foldVary();
  }
  let newuri = '';
  if ((p.flags & RF.NOSUB) === 0) {
    if ((p.flags & RF.ESCAPEBACKREF) !== 0) {
      const o = {
        escapes: p.escapes,
        noescapes: p.noescapes,
        noPlus: (p.flags & RF.ESCAPENOPLUS) !== 0,
        ctls: (p.flags & RF.ESCAPECTLS) !== 0,
      };
      ctx.escapeRef = (s) => {
        const e = escapeBackref(s, o);
        ctx.log(5, `escaping backreference '${s}' to '${e}'`);
        return e;
      };
    }
    const track =
      (p.flags & RF.UNSAFE_ALLOW3F) !== 0
        ? undefined
        : (p.flags & RF.QSLAST) !== 0
          ? 'last'
          : 'first';
    const ex = await expandAsync(p.output, ctx, track);
    ctx.escapeRef = undefined;
    newuri = ex.text;
    ctx.log(2, `rewrite '${uri}' -> '${newuri}'`);
    if (ex.unsafeQmark > 0) {
      r.logError(
        'error',
        'rewrite',
        'AH10508',
        'Unsafe URL with %3f URL rewritten without UnsafeAllow3F',
      );
      r.status = 403;
      return 'statusSet';
    }
  }
  await expandEnv(p, ctx);
  for (const t of p.cookies) addCookie(r, (await expandAsync(t, ctx)).text);
  if ((p.flags & RF.NOSUB) !== 0) {
    await forceTypeHandler(p, ctx);
    if ((p.flags & RF.STATUS) !== 0) {
      ctx.log(2, `forcing responsecode ${String(p.status)} for ${r.filename ?? ''}`);
      r.status = p.status;
    }
    return 'nosub';
  }
  let prefixAdded = false;
  if (!newuri.startsWith('/') && absoluteUri(newuri).len === 0) {
    if (ctx.perdir !== undefined) {
      ctx.log(3, `add per-dir prefix: ${newuri} -> ${ctx.perdir}${newuri}`);
      newuri = ctx.perdir + newuri;
      prefixAdded = true;
    } else if ((p.flags & (RF.FORCEREDIRECT | RF.PROXY)) === 0) {
      ctx.log(3, `add root prefix: ${newuri} -> /${newuri}`);
      newuri = '/' + newuri;
      prefixAdded = true;
    }
  }
  r.filename = newuri;
  if (ctx.perdir !== undefined && (p.flags & RF.DISCARDPATHINFO) !== 0) r.pathInfo = '';
  splitoutQueryArgs(r, p.flags, (l, t) => rewriteLog(r, l, undefined, t));
  if ((p.flags & RF.PROXY) !== 0) {
    // [P]: emulate mod_proxy's translate (the `proxy:` prefix), fully qualified.
    fullyQualify(r);
    ctx.log(2, `forcing proxy-throughput with ${r.filename ?? ''}`);
    r.filename = `proxy:${r.filename ?? ''}`;
    return 'match';
  }
  if ((p.flags & RF.FORCEREDIRECT) !== 0) {
    fullyQualify(r);
    ctx.log(2, `explicitly forcing redirect with ${r.filename ?? ''}`);
    r.status = p.status;
    return 'match';
  }
  if (reduceUri(r, (l, t) => rewriteLog(r, l, undefined, t)))
    r.notes.set('mod_rewrite_uri_reduced', 'true');
  if (absoluteUri(r.filename ?? '').len > 0) {
    ctx.log(2, `implicitly forcing redirect (rc=${String(p.status)} with ${r.filename ?? ''}`);
    r.status = p.status;
    return 'match';
  }
  if ((p.flags & RF.UNC) === 0 && !prefixAdded) {
    // Merge leading slashes, unless the substitution itself starts with two.
    if (!(p.outputText.startsWith('/') && p.outputText[1] === '/')) {
      let f = r.filename ?? '';
      while (f.startsWith('//')) f = f.slice(1);
      r.filename = f;
    }
  }
  await forceTypeHandler(p, ctx);
  return 'match';
}

/** apply_rewrite_list's answer (ACTION_*): nothing changed, changed, [NE], or a status. */
export type ListResult = 'none' | 'normal' | 'noescape' | 'status' | 'statusSet';

/** apply_rewrite_list: run the rules in order; `lastsub` is the last rule that substituted. */
export async function applyList(
  r: RequestRecord,
  rules: readonly RuleEntry[],
  perdir: string | undefined,
  maps: Readonly<Record<string, MapEntry>>,
  baseUrl?: string,
): Promise<{ result: ListResult; lastsub: RuleEntry | undefined }> {
  const ctx = new RewriteCtx(r, perdir, maps, baseUrl);
  let changed: ListResult = 'none';
  let lastsub: RuleEntry | undefined;
  let round = 1;
  const limitLine = coreServer(r.server.server).limitRequestLine;
  loop: for (;;) {
    for (let i = 0; i < rules.length; i++) {
      let p = rules[i];
      if (p === undefined) break;
      if (
        r.main !== undefined &&
        ((p.flags & RF.IGNOREONSUBREQ) !== 0 || (p.flags & RF.FORCEREDIRECT) !== 0)
      )
        continue;
      ctx.vary = undefined;
      const rc = matchRule(p, ctx) ? await applyRule(p, ctx) : 'nomatch';
      if (rc === 'nomatch') {
        while (i < rules.length && p !== undefined && (p.flags & RF.CHAIN) !== 0) p = rules[++i];
        continue;
      }
      if ((p.flags & RF.NOSUB) === 0) {
        ctx.log(2, `setting lastsub to rule with output ${p.outputText}`);
        lastsub = p;
      }
      if ((r.filename ?? '').length > 2 * limitLine) {
        r.logError(
          'error',
          'rewrite',
          '',
          `RewriteRule '${p.pattern}' and URI '${r.uri}' exceeded maximum length (${String(2 * limitLine)})`,
        );
        r.status = 500;
        return { result: 'status', lastsub };
      }
      if (ctx.vary !== undefined) mergeVary(r, ctx.vary);
      if (rc === 'statusSet') return { result: 'statusSet', lastsub };
      if ((p.flags & RF.STATUS) !== 0) return { result: 'status', lastsub };
      if (rc !== 'nosub') changed = (p.flags & RF.NOESCAPE) !== 0 ? 'noescape' : 'normal';
      if ((p.flags & RF.PASSTHROUGH) !== 0) {
        ctx.log(
          2,
          `forcing '${r.filename ?? ''}' to get passed through to next API URI-to-filename handler`,
        );
        r.filename = `passthrough:${r.filename ?? ''}`;
        changed = 'normal';
        break loop;
      }
      if ((p.flags & RF.END) !== 0) {
        ctx.log(8, 'Rule has END flag, no further rewriting for this request');
        chainHead(r).notes.set(REALLY_LAST, '1');
        break loop;
      }
      if ((p.flags & (RF.PROXY | RF.LASTRULE)) !== 0) break loop;
      if ((p.flags & RF.NEWROUND) !== 0) {
        if (++round >= p.maxRounds) {
          r.logError(
            'error',
            'rewrite',
            'AH02596',
            `RewriteRule '${p.pattern}' and URI '${r.uri}' exceeded maximum number of rounds (${String(p.maxRounds)}) via the [N] flag`,
          );
          r.status = 500;
          return { result: 'status', lastsub };
        }
        continue loop;
      }
      if (p.skip > 0) i += p.skip;
    }
    break;
  }
  return { result: changed, lastsub };
}

/** The END flag's mark (httpd: userdata on the pool the redirect chain shares). */
export const REALLY_LAST = 'rewrite_really_last';

/** apr_table_merge(headers_out, "Vary", …). */
function mergeVary(r: RequestRecord, vary: string): void {
  const prev = r.res.getHeader('Vary');
  r.res.setHeader('Vary', prev === undefined ? vary : `${String(prev)}, ${vary}`);
}
