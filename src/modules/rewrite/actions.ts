// httpd: modules/mappers/mod_rewrite.c (force_type_handler, do_expand_env, add_cookie).
//
// What a matched rule does besides the substitution: [T=]/[H=] notes, [E=] variables and
// [CO=] cookies.

import type { RequestRecord } from '../../request/record.js';
import type { RuleEntry } from './config.js';
import { NOTE_HANDLER, NOTE_MIMETYPE, chainHead, expandAsync, rewriteLog } from './context.js';
import type { RewriteCtx } from './context.js';
import { atoi } from './conditions.js';

/** force_type_handler: remember [T=] / [H=] for the type/fixup hook. */
export async function forceTypeHandler(p: RuleEntry, ctx: RewriteCtx): Promise<void> {
  const r = ctx.r;
  if (p.forcedMimetype !== undefined) {
    const t = (await expandAsync(p.forcedMimetype, ctx)).text.toLowerCase();
    if (t !== '') {
      ctx.log(2, `remember ${r.filename ?? ''} to have MIME-type '${t}'`);
      r.notes.set(NOTE_MIMETYPE, t);
    }
  }
  if (p.forcedHandler !== undefined) {
    const h = (await expandAsync(p.forcedHandler, ctx)).text.toLowerCase();
    if (h !== '') {
      ctx.log(2, `remember ${r.filename ?? ''} to have Content-handler '${h}'`);
      r.notes.set(NOTE_HANDLER, h);
    }
  }
}

/** do_expand_env: [E=var:val] and [E=!var]. */
export async function expandEnv(p: RuleEntry, ctx: RewriteCtx): Promise<void> {
  for (const t of p.env) {
    const name = (await expandAsync(t, ctx)).text;
    if (name.startsWith('!')) {
      ctx.r.env.delete(name.slice(1));
      rewriteLog(ctx.r, 5, undefined, `unsetting env variable '${name.slice(1)}'`);
    } else {
      const colon = name.indexOf(':');
      const k = colon < 0 ? name : name.slice(0, colon);
      const v = colon < 0 ? '' : name.slice(colon + 1);
      ctx.r.env.set(k, v);
      rewriteLog(ctx.r, 5, undefined, `setting env variable '${k}' to '${v}'`);
    }
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const isTrue = (s: string | undefined, word: string): boolean =>
  s !== undefined &&
  (s.toLowerCase() === 'true' || s === '1' || s.toLowerCase() === word.toLowerCase());

/** add_cookie: [CO=name:value:domain[:lifetime[:path[:secure[:httponly[:samesite]]]]]]. */
export function addCookie(r: RequestRecord, s0: string): void {
  let s = s0;
  let sep = ':';
  if (s.startsWith(';')) {
    sep = ';';
    s = s.slice(1);
  }
  // apr_strtok: empty fields are skipped.
  const parts = s.split(sep).filter((x) => x !== '');
  const [name, value, domain, expires, path, secure, httponly, samesite] = parts;
  if (name === undefined || value === undefined || domain === undefined) return;
  let main = r;
  while (main.main !== undefined) main = main.main;
  const head = chainHead(main);
  const note = `rewrite-cookie:${name}`;
  if (head.notes.has(note)) {
    rewriteLog(main, 5, undefined, `skipping already set cookie '${name}'`);
    return;
  }
  let cookie = `${name}=${value}; path=${path ?? '/'}; domain=${domain}`;
  if (expires !== undefined) {
    const min = atoi(expires);
    if (min !== 0) {
      const d = new Date(r.requestTime + min * 60_000);
      const p2 = (n: number): string => String(n).padStart(2, '0');
      cookie += `; expires=${DAYS[d.getUTCDay()] ?? ''}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()] ?? ''}-${String(d.getUTCFullYear()).padStart(4, '0')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
    }
  }
  if (isTrue(secure, 'secure')) cookie += '; secure';
  if (isTrue(httponly, 'HttpOnly')) cookie += '; HttpOnly';
  if (samesite !== undefined && samesite !== '0' && samesite.toLowerCase() !== 'false')
    cookie += `; SameSite=${samesite}`;
  const prev = main.errHeadersOut.get('Set-Cookie');
  // err_headers_out is a table (one value per name here): several cookies travel joined by
  // a newline and are split back into separate fields when sent (see hooks.ts).
  main.errHeadersOut.set('Set-Cookie', prev === undefined ? cookie : `${prev}\n${cookie}`);
  head.notes.set(note, 'set');
  rewriteLog(main, 5, undefined, `setting cookie '${cookie}'`);
}
