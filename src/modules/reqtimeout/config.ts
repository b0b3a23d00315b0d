// httpd: modules/filters/mod_reqtimeout.c (reqtimeout_cmds, set_reqtimeouts,
//        set_reqtimeout_param, parse_int, reqtimeout_merge_srv_config, MRT_DEFAULT_*).
//
// RequestReadTimeout [handshake=…] [header=…] [body=…], each `timeout[-maxtimeout][,MinRate=rate]`
// in seconds and bytes per second. Server and virtual host only; a stage left out keeps
// the value it merges from, and one never set anywhere gets mod_reqtimeout's default
// (header=20-40,MinRate=500 body=20,MinRate=500, handshake off).

import { RSRC_CONF, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordConf } from '../../util/getword.js';

/** One stage's limits as written (reqtimeout_stage_t); undefined fields are UNSET. */
export interface StageConf {
  /** Initial timeout, seconds; 0 disables the stage. */
  readonly timeout: number;
  /** Cap on the extended timeout, seconds; 0 means none. */
  readonly maxTimeout: number;
  /** Bytes per second that extend the timeout by one second; 0 means no extension. */
  readonly minRate: number;
}

export type Stage = 'handshake' | 'header' | 'body';

export interface ReqtimeoutConf {
  handshake: StageConf | undefined;
  header: StageConf | undefined;
  body: StageConf | undefined;
}

/** MRT_DEFAULT_*: what a stage never configured anywhere uses. */
export const DEFAULTS: Readonly<Record<Stage, StageConf>> = {
  handshake: { timeout: 0, maxTimeout: 0, minRate: 0 },
  header: { timeout: 20, maxTimeout: 40, minRate: 500 },
  body: { timeout: 20, maxTimeout: 0, minRate: 500 },
};

const create = (): ReqtimeoutConf => ({ handshake: undefined, header: undefined, body: undefined });
// MERGE_STAGE merges field by field, but a stage is always written whole (memset, then
// every field set), so a whole stage overrides.
const merge: MergeSpec<ReqtimeoutConf> = {
  handshake: 'override',
  header: 'override',
  body: 'override',
};

/** parse_int: a non-negative decimal integer (strtol). */
function parseInt10(s: string): number | string {
  const m = /^\s*[+-]?\d+/.exec(s);
  if (m === null) return `Value '${s}' not numerical`;
  if (m[0].length !== s.length) return `Cannot parse '${s.slice(m[0].length)}'`;
  const v = Number(m[0]);
  if (v < 0) return 'Value must be non-negative';
  return v;
}

/** set_reqtimeout_param: one `key=value`; the stage, or the error text. */
export function parseStage(key: string, val: string): [Stage, StageConf] | string {
  const k = key.toLowerCase();
  if (k !== 'handshake' && k !== 'header' && k !== 'body')
    return 'Unknown RequestReadTimeout parameter';
  let timeout: number | string;
  let maxTimeout: number | string = 0;
  let minRate: number | string = 0;
  const rateAt = val.toLowerCase().indexOf(',minrate=');
  if (rateAt >= 0) {
    minRate = parseInt10(val.slice(rateAt + ',minrate='.length));
    if (typeof minRate === 'string') return minRate;
    if (minRate === 0) return 'Minimum data rate must be larger than 0';
    let initial = val.slice(0, rateAt);
    const dash = initial.indexOf('-');
    if (dash >= 0) {
      maxTimeout = parseInt10(initial.slice(dash + 1));
      if (typeof maxTimeout === 'string') return maxTimeout;
      initial = initial.slice(0, dash);
    }
    timeout = parseInt10(initial);
  } else {
    if (val.includes('-')) return 'Must set MinRate option if using timeout range';
    timeout = parseInt10(val);
  }
  if (typeof timeout === 'string') return timeout;
  if (maxTimeout !== 0 && timeout >= maxTimeout)
    return 'Maximum timeout must be larger than initial timeout';
  return [k, { timeout, maxTimeout, minRate }];
}

/** mod_reqtimeout's directive table. */
export function reqtimeoutDirectives(
  d: DirectiveBuilder<ReqtimeoutConf, undefined>,
): AnyDirective<ReqtimeoutConf, undefined>[] {
  return [
    d.raw(
      'RequestReadTimeout',
      RSRC_CONF,
      'Set various timeout parameters for TLS handshake and/or reading request headers and body',
      (c, raw) => {
        let rest = raw;
        while (rest.trim() !== '') {
          const [word, next] = getwordConf(rest);
          rest = next;
          const eq = word.indexOf('=');
          if (eq < 0)
            throw c.fail(
              "Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'",
            );
          const key = word.slice(0, eq);
          const val = word.slice(eq + 1);
          const parsed = parseStage(key, val);
          if (typeof parsed === 'string')
            throw c.fail(`RequestReadTimeout: ${key}=${val}: ${parsed}`);
          const [stage, conf] = parsed;
          c.server[stage] = conf;
        }
      },
    ),
  ];
}

/** mod_reqtimeout's config pieces, to spread into its ModuleDef. */
export const reqtimeoutConfig = {
  server: { create, merge },
  directives: reqtimeoutDirectives,
} as const;
