// httpd: modules/mappers/mod_rewrite.c (apply_rewrite_cond, compare_lexicography).
//
// One RewriteCond: expand the input, then test it as the pattern type says (regex, file
// tests, -U/-F sub-requests, lexicographic and integer comparisons), `!` inverting.

import type { Expr } from '../../expr/ast.js';
import { ExprEvalError, execBoolRe } from '../../expr/eval.js';
import { exprRequest } from '../../expr/request.js';
import { lstatSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { lookupUri } from '../../request/subrequest.js';
import { CF } from './flags.js';
import type { CondEntry } from './config.js';
import { condRegex } from './compiled.js';
import { expandAsync, lookupFile, subreqOk } from './context.js';
import type { RewriteCtx } from './context.js';

const tryStat = (p: string, link = false): Stats | undefined => {
  try {
    return link ? lstatSync(p, { throwIfNoEntry: false }) : statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
};

/** compare_lexicography: longer is bigger; same length compares bytes. */
function compareLex(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) return x.length > y.length ? 1 : -1;
  return Buffer.compare(x, y);
}

/** strcasecmp sign. */
function compareNoCase(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** atoi: leading blanks, a sign, digits; anything else is 0. */
export const atoi = (s: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number.parseInt(m[1] ?? '0', 10);
};

/** apply_rewrite_cond for CONDPAT_AP_EXPR (ap_expr_exec_re; NV: no Vary). */
function applyExprCond(p: CondEntry, expr: Expr, ctx: RewriteCtx): boolean {
  const r = ctx.r;
  const vary: string[] = [];
  let rc = false;
  try {
    const res = execBoolRe(expr, exprRequest(r), vary);
    rc = res.result;
    // briRC: the expression's last regex groups (none: %N expand to nothing).
    if (rc && (p.flags & CF.NOTMATCH) === 0)
      ctx.condMatch =
        res.backrefs === undefined
          ? undefined
          : (Object.assign([...res.backrefs], {
              index: 0,
              input: res.backrefs[0] ?? '',
            }) as unknown as RegExpExecArray);
  } catch (e) {
    if (!(e instanceof ExprEvalError)) throw e;
    ctx.log(1, `RewriteCond: expr='${p.patternText}' evaluation failed: ${e.message}`);
  }
  if (vary.length > 0 && (p.flags & CF.NOVARY) === 0) {
    const prev = r.res.getHeader('Vary');
    const add = vary.join(', ');
    r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
  }
  if ((p.flags & CF.NOTMATCH) !== 0) rc = !rc;
  ctx.log(
    4,
    `RewriteCond: input='(null)' pattern='${p.patternText}'${(p.flags & CF.NOCASE) !== 0 ? ' [NC]' : ''} => ${rc ? 'matched' : 'not-matched'}`,
  );
  return rc;
}

/** apply_rewrite_cond. */
export async function applyCond(p: CondEntry, ctx: RewriteCtx): Promise<boolean> {
  const r = ctx.r;
  if (p.expr !== undefined) return applyExprCond(p, p.expr, ctx);
  const input = (await expandAsync(p.input, ctx)).text;
  let rc = false;
  const nocase = (p.flags & CF.NOCASE) !== 0;
  switch (p.ptype) {
    case 'fileExists':
      rc = tryStat(input)?.isFile() === true;
      break;
    case 'fileSize': {
      const st = tryStat(input);
      rc = st?.isFile() === true && st.size > 0;
      break;
    }
    case 'fileLink':
      rc = tryStat(input, true)?.isSymbolicLink() === true;
      break;
    case 'fileDir':
      rc = tryStat(input)?.isDirectory() === true;
      break;
    case 'fileXbit':
      rc = ((tryStat(input)?.mode ?? 0) & 0o111) !== 0;
      break;
    case 'luUrl':
      if (input !== '' && subreqOk(r)) {
        const { rr } = await lookupUri(r, input);
        rc = rr.status < 400;
        ctx.log(5, `RewriteCond URI (-U check: path=${input} -> status=${String(rr.status)}`);
      }
      break;
    case 'luFile':
      if (input !== '' && subreqOk(r)) {
        // A file outside the DocumentRoot gets no sub-request here (see lookupFile): it
        // passes if it is a file that exists.
        const rr = await lookupFile(r, input);
        const file = rr === undefined ? input : rr.filename;
        rc =
          (rr === undefined || rr.status < 300) &&
          file !== undefined &&
          tryStat(file) !== undefined;
        ctx.log(
          5,
          `RewriteCond file (-F check: path=${input} -> file=${file ?? ''} status=${String(rr?.status ?? 200)}`,
        );
      }
      break;
    case 'strGe':
    case 'strGt': {
      const c = nocase ? compareNoCase(input, p.operand) : compareLex(input, p.operand);
      rc = c >= (p.ptype === 'strGe' ? 0 : 1);
      break;
    }
    case 'strLe':
    case 'strLt': {
      const c = nocase ? compareNoCase(input, p.operand) : compareLex(input, p.operand);
      rc = c <= (p.ptype === 'strLe' ? 0 : -1);
      break;
    }
    case 'strEq':
      rc = nocase ? input.toLowerCase() === p.operand.toLowerCase() : input === p.operand;
      break;
    case 'intGe':
      rc = atoi(input) >= atoi(p.operand);
      break;
    case 'intGt':
      rc = atoi(input) > atoi(p.operand);
      break;
    case 'intLe':
      rc = atoi(input) <= atoi(p.operand);
      break;
    case 'intLt':
      rc = atoi(input) < atoi(p.operand);
      break;
    case 'intEq':
      rc = atoi(input) === atoi(p.operand);
      break;
    case 'expr':
      break; // applyExprCond
    case 'regex': {
      const m = condRegex(p).exec(input);
      rc = m !== null;
      if (m !== null && (p.flags & CF.NOTMATCH) === 0) ctx.condMatch = m;
      break;
    }
  }
  if ((p.flags & CF.NOTMATCH) !== 0) rc = !rc;
  ctx.log(
    4,
    `RewriteCond: input='${input}' pattern='${p.patternText}'${nocase ? ' [NC]' : ''} => ${rc ? 'matched' : 'not-matched'}`,
  );
  return rc;
}
