// httpd: modules/filters/mod_filter.c (filter_insert, filter_harness, filter_lookup).
//
// The smart filters of the merged FilterChain, as output filters of the request: on its
// first brigade each picks the first provider whose condition holds and becomes it.

import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import { addOutputFilter, FTYPE } from '../../request/output-filter.js';
import type { BodyStage, FirstBrigade, OutputFilterDef } from '../../request/output-filter.js';
import type { RequestRecord } from '../../request/record.js';
import type { FilterDirConf, FilterProviderConf, SmartFilterConf } from './config.js';
import type { Expr } from '../../expr/ast.js';
import { ExprEvalError, execBool } from '../../expr/eval.js';
import type { ExprRequest } from '../../expr/eval.js';
import { exprRequest } from '../../expr/request.js';

/** filter_insert: the chain's smart filters go on the request. */
export function filterInsert(r: RequestRecord, conf: FilterDirConf): Outcome {
  const chain = conf.chain;
  if (chain === undefined) return OK;
  for (const name of chain) {
    if (name === null) continue;
    const f = conf.live[name];
    if (f === undefined) {
      r.logError('warn', 'filter', 'AH01380', `Unknown filter ${name} not added`);
      continue;
    }
    addOutputFilter(r, { name, def: harness(f) });
  }
  return OK;
}

function firstHeader(v: string | number | readonly string[] | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'object' ? (v[0] ?? '') : String(v);
}

/**
 * What a FilterProvider expression sees: the request, with CONTENT_TYPE read from the
 * response being filtered (r->content_type as the handler left it).
 */
export function exprContext(r: RequestRecord): ExprRequest {
  const base = exprRequest(r);
  return {
    ...base,
    variable: (name) =>
      name === 'CONTENT_TYPE' ? firstHeader(r.res.getHeader('content-type')) : base.variable(name),
  };
}

/** ap_expr_exec for a provider: Vary for the request headers read, AH01379 on failure. */
function evalCondition(r: RequestRecord, expr: Expr): boolean {
  const vary: string[] = [];
  try {
    return execBool(expr, exprContext(r), vary);
  } catch (e) {
    if (!(e instanceof ExprEvalError)) throw e;
    r.logError(
      'error',
      'filter',
      'AH01379',
      `Error evaluating filter dispatch condition: ${e.message}`,
    );
    return false;
  } finally {
    if (vary.length > 0 && !r.res.headersSent) {
      const prev = r.res.getHeader('Vary');
      const add = vary.join(', ');
      r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
    }
  }
}

/** filter_lookup's condition for one provider. */
function matches(r: RequestRecord, p: FilterProviderConf): boolean {
  if (p.expr !== undefined) return evalCondition(r, p.expr);
  const ct = r.res.getHeader('content-type');
  if (ct === undefined) return false;
  const type = firstHeader(ct);
  // Handle 'content-type;charset=...': the type up to `;`, blank or tab, compared exactly.
  const len = type.search(/[; \t]/);
  const bare = len < 0 ? type : type.slice(0, len);
  return (p.types ?? []).includes(bare);
}

/** The registered output filter a provider names. */
function providerDef(r: RequestRecord, name: string): OutputFilterDef | undefined {
  const key = name.toLowerCase();
  for (const m of r.generation.runtime.modules) {
    const t = m.outputFilters;
    if (t !== undefined && Object.hasOwn(t, key)) return t[key];
  }
  return undefined;
}

/** filter_harness + filter_lookup for one smart filter. */
export function harness(f: SmartFilterConf): OutputFilterDef {
  return {
    ftype: f.ftype ?? FTYPE.RESOURCE,
    start(r: RequestRecord, first: FirstBrigade): BodyStage | undefined {
      // filter_harness: only a 200 answer, unless filter-errordocs is set.
      if (r.res.statusCode !== 200 && !r.env.has('filter-errordocs')) return undefined;
      if (f.trace === 1) {
        // filter_trace at mod_diagnostics level: the filter, then its first brigade.
        r.logError('debug', 'filter', 'AH01375', f.name);
        r.logError(
          'debug',
          'filter',
          'AH01376',
          `${f.name}: type: ${first.length > 0 ? 'HEAP' : first.ended ? 'EOS' : 'FLUSH'}, length: ${first.length}`,
        );
      }
      for (const p of f.providers) {
        if (!matches(r, p)) continue;
        const proto = p.proto ?? f.proto;
        if (proto !== undefined) {
          if (proto.change) {
            r.res.removeHeader('Content-MD5');
            r.res.removeHeader('ETag');
            if (proto.changeLength) r.res.removeHeader('Content-Length');
          }
          if (proto.noCache) {
            r.res.removeHeader('Last-Modified');
            r.res.appendHeader('Cache-Control', 'no-cache');
          }
          if (proto.noByteranges) r.res.setHeader('Accept-Ranges', 'none');
        }
        const def = providerDef(r, p.filter);
        return def?.start(r, first);
      }
      return undefined;
    },
  };
}
