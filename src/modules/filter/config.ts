// httpd: modules/filters/mod_filter.c (filter_cmds, filter_declare, add_filter,
// filter_bytype, filter_chain, filter_protocol, filter_debug, filter_merge).
//
// Smart filters: a name with providers (a registered output filter and when it applies:
// a list of content types from AddOutputFilterByType, or a FilterProvider expression),
// and the per-dir chain of smart-filter names FilterChain builds. As in httpd, the
// filters a section declares overlay the enclosing ones by name (a section that says
// `AddOutputFilterByType DEFLATE text/css` has only text/css for BYTYPE:DEFLATE), and the
// chain appends unless a `!`/`=` reset sits in it.

import { Ctx, type AnyDirective, type Cmd, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { FTYPE } from '../../request/output-filter.js';
import type { Expr } from '../../expr/ast.js';
import { tryParseExpr } from '../../expr/parse.js';

/** FilterProtocol flags (AP_FILTER_PROTO_*). */
export interface ProtoFlags {
  readonly change: boolean;
  readonly changeLength: boolean;
  readonly noByteranges: boolean;
  readonly noProxy: boolean;
  readonly transform: boolean;
  readonly noCache: boolean;
}

/** ap_filter_provider_t. */
export interface FilterProviderConf {
  /** The registered output filter's name, as written. */
  readonly filter: string;
  /** AddOutputFilterByType: exact content types (compared up to `;`, case-sensitively). */
  readonly types: readonly string[] | undefined;
  /** FilterProvider's condition. */
  readonly expr: Expr | undefined;
  /** FilterProtocol with a provider name. */
  readonly proto: ProtoFlags | undefined;
}

/** A declared smart filter (FilterDeclare, or implied by FilterProvider / ByType). */
export interface SmartFilterConf {
  readonly name: string;
  /** Providers, most recent first (add_filter prepends). */
  readonly providers: readonly FilterProviderConf[];
  readonly proto: ProtoFlags | undefined;
  /** FilterTrace level. */
  readonly trace: number;
  /** FilterDeclare's type, else the first provider's (ap_filter_type value). */
  readonly ftype: number | undefined;
}

export interface FilterDirConf {
  live: Readonly<Record<string, SmartFilterConf>>;
  /** FilterChain; null = a reset (`!` / `=`) that cuts what came before when merging. */
  chain: readonly (string | null)[] | undefined;
}

/** filter_merge's chain rule. */
export function mergeChain(
  base: readonly (string | null)[] | undefined,
  add: readonly (string | null)[] | undefined,
): readonly (string | null)[] | undefined {
  if (base === undefined || add === undefined) return add ?? base;
  let out: (string | null)[] = [];
  for (const p of [...base, ...add]) {
    if (p === null) out = [null];
    else out.push(p);
  }
  return out;
}

const merge: MergeSpec<FilterDirConf> = {
  live: (b, o) => ({ ...b, ...o }),
  chain: mergeChain,
};
const create = (): FilterDirConf => ({ live: {}, chain: undefined });

/** Apply one FilterChain word to a chain. */
export function chainWord(
  chain: readonly (string | null)[] | undefined,
  arg: string,
): (string | null)[] {
  const c = [...(chain ?? [])];
  const name = arg.slice(1);
  switch (arg[0]) {
    case '+':
      return [...c, name];
    case '@':
      return [name, ...c];
    case '-': {
      // The first entry if it is that name, else every later entry of that name.
      const first = c[0];
      const same = (x: string | null): boolean =>
        x !== null && x.toLowerCase() === name.toLowerCase();
      if (first === undefined) return c;
      if (same(first)) return c.slice(1);
      return [first, ...c.slice(1).filter((x) => !same(x))];
    }
    case '!':
      return [null];
    case '=':
      return [null, name];
    default:
      return [...c, arg];
  }
}

/** FilterDeclare's filter-type words (filter_declare; others leave RESOURCE). */
const PLACES: Readonly<Record<string, number>> = {
  content_set: FTYPE.CONTENT_SET,
  protocol: FTYPE.PROTOCOL,
  connection: FTYPE.CONNECTION,
  network: FTYPE.NETWORK,
};

function declare(
  c: Cmd<unknown, FilterDirConf>,
  name: string,
  ftype: number | undefined = undefined,
): SmartFilterConf {
  const f: SmartFilterConf = { name, providers: [], proto: undefined, trace: 0, ftype };
  c.dir.live = { ...c.dir.live, [name]: f };
  return f;
}

/** add_filter: a provider for smart filter `fname` (declared on the fly if needed). */
function addProvider(
  c: Cmd<unknown, FilterDirConf>,
  fname: string,
  pname: string,
  types: readonly string[] | undefined,
  expr: Expr | undefined,
): void {
  const def = c.outputFilter?.(pname);
  if (def === undefined) throw c.fail(`Unknown filter provider ${pname}`);
  // Declared on the fly, the smart filter takes its provider's type (add_filter).
  const frec = c.dir.live[fname] ?? declare(c, fname, def.ftype);
  const provider: FilterProviderConf = { filter: pname, types, expr, proto: undefined };
  c.dir.live = { ...c.dir.live, [fname]: { ...frec, providers: [provider, ...frec.providers] } };
}

/** filter_protocol's flag words. */
export function parseProto(words: string): ProtoFlags {
  let change = false;
  let changeLength = false;
  let noByteranges = false;
  let noProxy = false;
  let transform = false;
  let noCache = false;
  for (const w of words.split(/[;, \t]+/)) {
    const a = w.toLowerCase();
    if (a === 'change=yes') change = changeLength = true;
    if (a === 'change=no') change = changeLength = false;
    else if (a === 'change=1:1') change = true;
    else if (a === 'byteranges=no') noByteranges = true;
    else if (a === 'proxy=no') noProxy = true;
    else if (a === 'proxy=transform') transform = true;
    else if (a === 'cache=no') noCache = true;
  }
  return { change, changeLength, noByteranges, noProxy, transform, noCache };
}

/** mod_filter's directive table. */
export function filterDirectives(
  d: DirectiveBuilder<unknown, FilterDirConf>,
): AnyDirective<unknown, FilterDirConf>[] {
  const OPTS = Ctx.OR_OPTIONS | Ctx.SERVER | Ctx.VHOST | Ctx.DIRECTORY;
  const FILEINFO = Ctx.OR_FILEINFO | Ctx.SERVER | Ctx.VHOST | Ctx.DIRECTORY;
  return [
    d.take12('FilterDeclare', OPTS, 'filter-name [filter-type]', (c, name, place) => {
      declare(c, name, PLACES[place?.toLowerCase() ?? ''] ?? FTYPE.RESOURCE);
    }),
    d.take3(
      'FilterProvider',
      OPTS,
      'filter-name provider-name match-expression',
      (c, fname, pname, expr) => {
        const parsed = tryParseExpr(expr);
        if ('error' in parsed)
          throw c.fail(`Error parsing FilterProvider expression:${parsed.error}`);
        addProvider(c, fname, pname, undefined, parsed.expr);
      },
    ),
    d.iterate('FilterChain', OPTS, 'list of filter names with optional [+-=!@]', (c, arg) => {
      c.dir.chain = chainWord(c.dir.chain, arg);
    }),
    d.take2(
      'FilterTrace',
      Ctx.SERVER | Ctx.VHOST | Ctx.DIRECTORY,
      'filter-name debug-level',
      (c, fname, level) => {
        const f = c.dir.live[fname];
        if (f === undefined) throw c.fail(`Undeclared smart filter ${fname}`);
        const m = /^\s*[+-]?\d+/.exec(level);
        c.dir.live = { ...c.dir.live, [fname]: { ...f, trace: m === null ? 0 : Number(m[0]) } };
      },
    ),
    d.takeArgv(
      'AddOutputFilterByType',
      FILEINFO,
      'output filter name followed by one or more content-types',
      (c, argv) => {
        const [names, ...types] = argv;
        if (names === undefined || types.length === 0)
          throw c.fail('AddOutputFilterByType requires at least two arguments');
        for (const pname of names.split(';').filter((n) => n !== '')) {
          const fname = `BYTYPE:${pname}`;
          const seen = c.dir.live[fname] !== undefined;
          addProvider(c, fname, pname, types, undefined);
          if (!seen) c.dir.chain = chainWord(c.dir.chain, fname);
        }
      },
    ),
    d.take23(
      'FilterProtocol',
      OPTS,
      'filter-name [provider-name] protocol-args',
      (c, fname, b, cc) => {
        const f = c.dir.live[fname];
        if (f === undefined) throw c.fail('FilterProtocol: No such filter');
        if (cc === undefined) {
          c.dir.live = { ...c.dir.live, [fname]: { ...f, proto: parseProto(b) } };
          return;
        }
        const at = f.providers.findIndex((p) => p.filter.toLowerCase() === b.toLowerCase());
        const p = f.providers[at];
        if (p === undefined) throw c.fail('FilterProtocol: No such provider for this filter');
        const providers = [...f.providers];
        providers[at] = { ...p, proto: parseProto(cc) };
        c.dir.live = { ...c.dir.live, [fname]: { ...f, providers } };
      },
    ),
  ];
}

/** mod_filter's config pieces, to spread into its ModuleDef. */
export const filterConfig = {
  dir: { create, merge },
  directives: filterDirectives,
} as const;
