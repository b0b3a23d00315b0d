// httpd: include/ap_expr.h, server/util_expr_private.h (ap_expr_node_op_e).
//
// The typed tree ap_expr_parse builds at configuration time. It is JSON-serialisable (the
// config IR carries it): a regex node keeps its source and flag, and its compiled RegExp
// rides along as a non-enumerable property (see parse.ts).

import type { Subnet } from '../util/ipsubnet.js';

/** A string-valued node (ap_expr's "word" / "string"). */
export type Word =
  | { readonly k: 'str'; readonly v: string; readonly digit?: boolean }
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'concat'; readonly parts: readonly Word[] }
  | { readonly k: 'func'; readonly name: StringFunc; readonly arg: Word }
  | { readonly k: 'backref'; readonly n: number };

export type StringFunc =
  | 'osenv'
  | 'env'
  | 'resp'
  | 'req'
  | 'http'
  | 'note'
  | 'reqenv'
  | 'req_novary'
  | 'tolower'
  | 'toupper'
  | 'escape'
  | 'unescape'
  | 'file'
  | 'filesize'
  | 'base64'
  | 'unbase64'
  | 'sha1'
  | 'md5'
  | 'ldap';

/** `-eq` … (integer) and `==` … (string) comparisons. */
export type CmpOp =
  'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'seq' | 'sne' | 'slt' | 'sle' | 'sgt' | 'sge';

export type UnaryOp = 'n' | 'z' | 'R' | 'T' | 'd' | 'e' | 'f' | 's' | 'L' | 'h' | 'x';
export type BinaryOp = 'ipmatch' | 'fnmatch' | 'strmatch' | 'strcmatch';

export interface RegexNode {
  readonly source: string;
  readonly icase: boolean;
  /** Number of capturing groups (re_nsub): back-references are set only when > 0. */
  readonly nsub: number;
}

/** A boolean node (ap_expr's "expr"). */
export type Cond =
  | { readonly k: 'const'; readonly v: boolean }
  | { readonly k: 'not'; readonly e: Cond }
  | { readonly k: 'and' | 'or'; readonly l: Cond; readonly r: Cond }
  | { readonly k: 'cmp'; readonly op: CmpOp; readonly l: Word; readonly r: Word }
  | { readonly k: 'in'; readonly l: Word; readonly list: readonly Word[] }
  | { readonly k: 're'; readonly negate: boolean; readonly l: Word; readonly re: RegexNode }
  | { readonly k: 'unary'; readonly op: UnaryOp; readonly arg: Word; readonly subnet?: Subnet }
  | {
      readonly k: 'binary';
      readonly op: BinaryOp;
      readonly l: Word;
      readonly r: Word;
      readonly subnet?: Subnet;
    };

/** A parsed expression: boolean (`<If>`, `Require expr`) or string (`Header … expr=`). */
export type Expr =
  | { readonly kind: 'bool'; readonly text: string; readonly cond: Cond }
  | { readonly kind: 'string'; readonly text: string; readonly word: Word };

/** Does the expression read %{name} (ap_expr's lookup hook sees every variable)? */
export function usesVar(expr: Expr, name: string): boolean {
  const word = (w: Word): boolean =>
    w.k === 'var'
      ? w.name === name
      : w.k === 'concat'
        ? w.parts.some(word)
        : w.k === 'func'
          ? word(w.arg)
          : false;
  const cond = (c: Cond): boolean => {
    switch (c.k) {
      case 'const':
        return false;
      case 'not':
        return cond(c.e);
      case 'and':
      case 'or':
        return cond(c.l) || cond(c.r);
      case 'cmp':
      case 'binary':
        return word(c.l) || word(c.r);
      case 'in':
        return word(c.l) || c.list.some(word);
      case 're':
        return word(c.l);
      case 'unary':
        return word(c.arg);
    }
  };
  return expr.kind === 'bool' ? cond(expr.cond) : word(expr.word);
}
