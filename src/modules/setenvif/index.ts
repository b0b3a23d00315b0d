// httpd: modules/metadata/mod_setenvif.c (match_headers at post_read_request MIDDLE with
// the server's conditions, then at header_parser MIDDLE with the per-dir ones).
//
// Each condition takes its value (a special, the first request header of that name or, if
// none, an environment variable of that name; or the last header whose name matches a
// name regex), matches it (missing = ""), and sets or unsets its variables in r.env; with
// a regex, `$1`… in a value are the match's groups (ap_pregsub).

import type { Expr } from '../../expr/ast.js';
import { ExprEvalError, execBoolRe } from '../../expr/eval.js';
import { exprRequest } from '../../expr/request.js';
import { DECLINED } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { pregsub } from '../../util/alias-match.js';
import { headerIn, tableGet } from '../../request/tables.js';
import type { ModuleDef } from '../module.js';
import { setenvifConfig } from './config.js';
import type { SeiEntry, SetenvifConf } from './config.js';

/** mod_setenvif. */
export const setenvifModule: ModuleDef<SetenvifConf, SetenvifConf> = {
  name: 'setenvif',
  ...setenvifConfig,
  hooks: {
    postReadRequest: { run: (r) => matchHeaders(r, r.serverConf(setenvifModule)), order: 'middle' },
    headerParser: { run: (r) => matchHeaders(r, r.dirConf(setenvifModule)), order: 'middle' },
  },
};

/** Compiled regexes per condition (value regex, name regex), built at first use. */
const compiled = new WeakMap<SeiEntry, { value: RegExp | undefined; name: RegExp | undefined }>();
function regexesOf(e: SeiEntry): { value: RegExp | undefined; name: RegExp | undefined } {
  let c = compiled.get(e);
  if (c === undefined) {
    const flags = e.icase ? 'i' : '';
    c = {
      value: e.literal === undefined ? new RegExp(e.regex, flags) : undefined,
      name: e.nameRegex === undefined ? undefined : new RegExp(e.nameRegex, flags),
    };
    compiled.set(e, c);
  }
  return c;
}

function envDelete(r: RequestRecord, name: string): void {
  const lower = name.toLowerCase();
  for (const k of [...r.env.keys()]) if (k.toLowerCase() === lower) r.env.delete(k);
}

/** The value a condition looks at, undefined when absent. */
function valueOf(r: RequestRecord, e: SeiEntry): string | undefined {
  switch (e.special) {
    case 'remote_addr':
    case 'remote_host': // HostnameLookups Off: the address (REMOTE_NAME)
      return r.useragentIp;
    case 'server_addr':
      return r.connection.localAddr;
    case 'request_uri':
      return r.uri;
    case 'request_method':
      return r.method;
    case 'request_protocol':
      return r.protocol;
    case undefined:
      break;
  }
  if (e.nameRegex !== undefined) {
    const re = regexesOf(e).name ?? /$^/;
    const raw = r.headersIn.rawHeaders;
    let found: string | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) if (re.test(raw[i] ?? '')) found = raw[i + 1];
    return found;
  }
  return headerIn(r, e.name) ?? tableGet(r.env, e.name);
}

/** A SetEnvIfExpr condition: true/false and the regex groups it left (as a match array). */
function evalSetenvifExpr(
  r: RequestRecord,
  expr: Expr,
): { ok: boolean; backrefs: RegExpExecArray | undefined } {
  const vary: string[] = [];
  try {
    const res = execBoolRe(expr, exprRequest(r), vary);
    const refs = res.backrefs;
    return {
      ok: res.result,
      backrefs:
        refs === undefined
          ? undefined
          : // pregsub reads only the numbered entries.
            (Object.assign([...refs], {
              index: 0,
              input: refs[0] ?? '',
            }) as unknown as RegExpExecArray),
    };
  } catch (err) {
    if (!(err instanceof ExprEvalError)) throw err;
    return { ok: false, backrefs: undefined };
  } finally {
    if (vary.length > 0) {
      const prev = r.res.getHeader('Vary');
      const add = vary.join(', ');
      r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
    }
  }
}

/** match_headers over one list of conditions. */
export function matchHeaders(r: RequestRecord, conf: SetenvifConf): Outcome {
  for (const e of conf.conditionals) {
    let m: RegExpExecArray | null = null;
    if (e.expr !== undefined) {
      // ap_expr_exec_re: the features see $0..$9 of the expression's last regex match.
      const res = evalSetenvifExpr(r, e.expr);
      if (!res.ok) continue;
      for (const [name, value] of e.features) {
        envDelete(r, name);
        if (value === '!') continue;
        r.env.set(name, res.backrefs === undefined ? value : pregsub(value, res.backrefs));
      }
      continue;
    }
    const val = valueOf(r, e) ?? '';
    if (e.literal !== undefined) {
      const hit = e.icase
        ? val.toLowerCase().includes(e.literal.toLowerCase())
        : val.includes(e.literal);
      if (!hit) continue;
    } else {
      m = (regexesOf(e).value ?? /$^/).exec(val);
      if (m === null) continue;
    }
    for (const [name, value] of e.features) {
      if (value === '!') envDelete(r, name);
      else {
        envDelete(r, name);
        r.env.set(name, m === null ? value : pregsub(value, m));
      }
    }
  }
  return DECLINED;
}
