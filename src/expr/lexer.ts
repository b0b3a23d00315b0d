// httpd: server/util_expr_scan.l — the ap_expr scanner, as a hand-written state machine
// with flex's rules: longest match, earlier rule on ties, a stack of start states
// (INITIAL, str, var, vararg, regex). A scan error becomes a T_ERROR token carrying the
// scanner's message (PERROR); nothing after it is scanned.

export type TokType =
  | '$end'
  | 'T_ERROR'
  | 'T_TRUE'
  | 'T_FALSE'
  | 'T_DIGIT'
  | 'T_ID'
  | 'T_STRING'
  | 'T_REGEX'
  | 'T_REGEX_I'
  | 'T_REGEX_BACKREF'
  | 'T_OP_UNARY'
  | 'T_OP_BINARY'
  | 'T_STR_BEGIN'
  | 'T_STR_END'
  | 'T_VAR_BEGIN'
  | 'T_VAR_END'
  | 'T_OP_EQ'
  | 'T_OP_NE'
  | 'T_OP_LT'
  | 'T_OP_LE'
  | 'T_OP_GT'
  | 'T_OP_GE'
  | 'T_OP_REG'
  | 'T_OP_NRE'
  | 'T_OP_IN'
  | 'T_OP_STR_EQ'
  | 'T_OP_STR_NE'
  | 'T_OP_STR_LT'
  | 'T_OP_STR_LE'
  | 'T_OP_STR_GT'
  | 'T_OP_STR_GE'
  | 'T_OP_CONCAT'
  | 'T_OP_OR'
  | 'T_OP_AND'
  | 'T_OP_NOT'
  | "'('"
  | "')'"
  | "'{'"
  | "'}'"
  | "','"
  | "':'";

export interface Token {
  readonly t: TokType;
  /** Text value (T_ID, T_STRING, T_DIGIT, T_REGEX*, T_OP_*ARY, T_ERROR message). */
  readonly v: string;
  /** T_REGEX_BACKREF: the digit. */
  readonly n?: number;
}

const KEYWORDS: Readonly<Record<string, TokType>> = {
  and: 'T_OP_AND',
  or: 'T_OP_OR',
  not: 'T_OP_NOT',
  lt: 'T_OP_LT',
  le: 'T_OP_LE',
  gt: 'T_OP_GT',
  ge: 'T_OP_GE',
  ne: 'T_OP_NE',
  eq: 'T_OP_EQ',
  in: 'T_OP_IN',
  true: 'T_TRUE',
  false: 'T_FALSE',
};
const DASH_OPS: Readonly<Record<string, TokType>> = {
  '-in': 'T_OP_IN',
  '-eq': 'T_OP_EQ',
  '-ne': 'T_OP_NE',
  '-ge': 'T_OP_GE',
  '-le': 'T_OP_LE',
  '-gt': 'T_OP_GT',
  '-lt': 'T_OP_LT',
};
const REGEX_DELIMS = '/#$%^,;:_?|-!.\'"';
const SYMBOL_OPS: readonly [string, TokType][] = [
  ['==', 'T_OP_STR_EQ'],
  ['!=', 'T_OP_STR_NE'],
  ['<=', 'T_OP_STR_LE'],
  ['>=', 'T_OP_STR_GE'],
  ['=~', 'T_OP_REG'],
  ['!~', 'T_OP_NRE'],
  ['&&', 'T_OP_AND'],
  ['||', 'T_OP_OR'],
  ['=', 'T_OP_STR_EQ'],
  ['<', 'T_OP_STR_LT'],
  ['>', 'T_OP_STR_GT'],
  ['!', 'T_OP_NOT'],
  ['.', 'T_OP_CONCAT'],
  ['(', "'('"],
  [')', "')'"],
  ['{', "'{'"],
  ['}', "'}'"],
  [',', "','"],
  [':', "':'"],
];

type State = 'INITIAL' | 'str' | 'var' | 'vararg';

/** Scan `text` (string mode: AP_EXPR_FLAG_STRING_RESULT) into tokens ending with $end. */
export function scan(text: string, stringMode: boolean): Token[] {
  const out: Token[] = [];
  const stack: State[] = [];
  let state: State = stringMode ? 'str' : 'INITIAL';
  let del = ''; // str_del
  let buf = ''; // str_buf
  let i = 0;
  const fail = (msg: string): Token[] => {
    out.push({ t: 'T_ERROR', v: msg }, { t: '$end', v: '' });
    return out;
  };
  const flush = (): void => {
    out.push({ t: 'T_STRING', v: buf });
    buf = '';
  };
  while (true) {
    const c = text[i];
    if (state === 'str' || state === 'vararg') {
      if (c === undefined) {
        if (state === 'str' && stringMode && stack.length === 0) {
          flush(); // <str><<EOF>> returns what it has, even nothing
          out.push({ t: '$end', v: '' });
          return out;
        }
        return fail('Unterminated string or variable');
      }
      if (state === 'str' && (c === '"' || c === "'")) {
        if (c !== del) {
          buf += c;
          i++;
        } else if (buf === '') {
          out.push({ t: 'T_STR_END', v: '' });
          state = 'INITIAL';
          i++;
        } else flush();
        continue;
      }
      if (c === '\n') return fail('Unterminated string or variable');
      if (c === '\\') {
        const oct = /^\\([0-7]{1,3})/.exec(text.slice(i));
        const dec = /^\\([0-9]+)/.exec(text.slice(i));
        if (dec !== null && (oct === null || dec[0].length > oct[0].length))
          return fail('Bad escape sequence');
        if (oct !== null) {
          const n = parseInt(oct[1] ?? '0', 8);
          if (n > 0xff) return fail('Escape sequence out of bound');
          buf += String.fromCharCode(n);
          i += oct[0].length;
          continue;
        }
        const e = text[i + 1];
        if (e === undefined) {
          // `\` at the very end matches no escape rule: flex's default echoes it.
          buf += c;
          i++;
          continue;
        }
        buf +=
          e === 'n'
            ? '\n'
            : e === 'r'
              ? '\r'
              : e === 't'
                ? '\t'
                : e === 'b'
                  ? '\b'
                  : e === 'f'
                    ? '\f'
                    : e;
        i += 2;
        continue;
      }
      if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
        if (buf !== '') flush();
        else {
          out.push({ t: 'T_REGEX_BACKREF', v: '', n: Number(text[i + 1]) });
          i += 2;
        }
        continue;
      }
      if (c === '%' && text[i + 1] === '{') {
        if (buf !== '') flush();
        else {
          stack.push(state);
          state = 'var';
          out.push({ t: 'T_VAR_BEGIN', v: '' });
          i += 2;
        }
        continue;
      }
      if (state === 'vararg' && c === '}') {
        if (buf !== '') flush();
        else {
          state = stack.pop() ?? 'INITIAL';
          out.push({ t: 'T_VAR_END', v: '' });
          i++;
        }
        continue;
      }
      buf += c;
      i++;
      continue;
    }
    if (state === 'var') {
      if (c === undefined) return fail('Unterminated string or variable');
      const id = /^[a-zA-Z][a-zA-Z0-9_]*/.exec(text.slice(i));
      if (id !== null) {
        out.push({ t: 'T_ID', v: id[0] });
        i += id[0].length;
      } else if (c === '}') {
        state = stack.pop() ?? 'INITIAL';
        out.push({ t: 'T_VAR_END', v: '' });
        i++;
      } else if (c === ':') {
        state = 'vararg';
        out.push({ t: "':'", v: '' });
        i++;
      } else return fail(`Invalid character in variable name '${c}'`);
      continue;
    }
    // INITIAL
    if (c === undefined) {
      out.push({ t: '$end', v: '' });
      return out;
    }
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      del = c;
      buf = '';
      state = 'str';
      out.push({ t: 'T_STR_BEGIN', v: '' });
      i++;
      continue;
    }
    if (c === '%' && text[i + 1] === '{') {
      stack.push('INITIAL');
      state = 'var';
      out.push({ t: 'T_VAR_BEGIN', v: '' });
      i += 2;
      continue;
    }
    if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
      out.push({ t: 'T_REGEX_BACKREF', v: '', n: Number(text[i + 1]) });
      i += 2;
      continue;
    }
    const rest = text.slice(i);
    const id = /^[a-zA-Z][a-zA-Z0-9_]*/.exec(rest)?.[0] ?? '';
    // Regular expressions: "m<delim>" (when no longer identifier wins) or "/".
    const mRegex = c === 'm' && REGEX_DELIMS.includes(text[i + 1] ?? '\0') && id.length <= 2;
    if (c === '/' || mRegex) {
      const d = c === '/' ? '/' : (text[i + 1] ?? '');
      const start = i + (c === '/' ? 1 : 2);
      const end = text.indexOf(d, start);
      if (end < 0) {
        // flex has no <<EOF>> rule in the regex state: the scan just ends.
        out.push({ t: '$end', v: '' });
        return out;
      }
      const source = text.slice(start, end);
      i = end + 1;
      if (text[i] === 'i') {
        out.push({ t: 'T_REGEX_I', v: source });
        i++;
      } else out.push({ t: 'T_REGEX', v: source });
      continue;
    }
    if (c === '-') {
      const dm = /^-[0-9]+/.exec(rest);
      if (dm !== null) {
        out.push({ t: 'T_DIGIT', v: dm[0] });
        i += dm[0].length;
        continue;
      }
      const om = /^-[a-zA-Z_][a-zA-Z_0-9]*/.exec(rest);
      if (om !== null) {
        const fixed = DASH_OPS[om[0]];
        out.push(
          fixed !== undefined
            ? { t: fixed, v: '' }
            : { t: om[0].length === 2 ? 'T_OP_UNARY' : 'T_OP_BINARY', v: om[0].slice(1) },
        );
        i += om[0].length;
        continue;
      }
      return fail(`Parse error near '-'`);
    }
    if (/[0-9]/.test(c)) {
      const dm = /^[0-9]+/.exec(rest)?.[0] ?? c;
      out.push({ t: 'T_DIGIT', v: dm });
      i += dm.length;
      continue;
    }
    if (id !== '') {
      const kw = KEYWORDS[id];
      out.push(kw !== undefined ? { t: kw, v: '' } : { t: 'T_ID', v: id });
      i += id.length;
      continue;
    }
    const sym = SYMBOL_OPS.find(([s]) => rest.startsWith(s));
    if (sym !== undefined) {
      out.push({ t: sym[1], v: '' });
      i += sym[0].length;
      continue;
    }
    return fail(`Parse error near '${c}'`);
  }
}
