// httpd: server/request.c (ap_if_walk, ap_if_walk_sub), server/util_expr_eval.c
// (ap_expr_exec's Vary handling).
//
// After each location walk, the `<If>` sections the merged per-dir config collected (core's
// sec_if, appended through every merge) are evaluated in order; those that hold, with the
// `<ElseIf>`/`<Else>` chaining, are merged over the per-dir config, then their own nested
// `<If>`s likewise. A config without `<If>` pays one array-length check.

import type { IfSectionIR, ModuleSlots } from '../config/ir.js';
import type { CoreDirConf } from '../core/config.js';
import { ExprEvalError, execBool } from '../expr/eval.js';
import { exprRequest } from '../expr/request.js';
import type { RequestRecord } from './record.js';

const ifSectionsOf = (slots: ModuleSlots): readonly IfSectionIR[] | undefined =>
  (slots['core'] as CoreDirConf | undefined)?.ifSections;

/** apr_table_mergen(headers_out, "Vary", …) with the headers a condition read. */
function mergeVary(r: RequestRecord, names: readonly string[]): void {
  if (names.length === 0) return;
  const prev = r.res.getHeader('Vary');
  const add = names.join(', ');
  r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
}

function walkSub(r: RequestRecord, secs: readonly IfSectionIR[]): void {
  const rt = r.generation.runtime;
  let merged: ModuleSlots | undefined;
  let prev = -1; // prev_result
  for (const s of secs) {
    if (s.ifelse !== 'if' && prev === 1) continue; // AP_CONDITION_ELSE after a hit
    if (s.expr !== undefined) {
      const vary: string[] = [];
      let hit: boolean;
      try {
        hit = execBool(s.expr, exprRequest(r), vary);
      } catch (e) {
        if (!(e instanceof ExprEvalError)) throw e;
        r.logError('error', 'core', 'AH00039', `Failed to evaluate <If > condition: ${e.message}`);
        hit = false;
      }
      mergeVary(r, vary);
      if (!hit) {
        prev = 0;
        continue;
      }
      prev = 1;
    } else prev = -1;
    merged = merged === undefined ? s.dir : rt.walk.mergeOver(merged, s.dir);
  }
  if (merged === undefined) return;
  r.perDir = rt.walk.mergeOver(r.perDir, merged);
  const nested = ifSectionsOf(merged);
  if (nested !== undefined && nested.length > 0) walkSub(r, nested);
}

/** ap_if_walk. */
export function ifWalk(r: RequestRecord): void {
  const secs = ifSectionsOf(r.perDir);
  if (secs !== undefined && secs.length > 0) walkSub(r, secs);
}
