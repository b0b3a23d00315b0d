// httpd: server/core.c (ap_limit_section: cmd->limited, "<Limit> directive excludes all
//        methods"), server/http_protocol.c (ap_method_number_of: HEAD is M_GET).
//
// The methods a directive inside <Limit>/<LimitExcept> applies to. httpd keeps a bit mask
// over method numbers; here a set of names, or all methods except a set. Names are
// compared exactly (httpd's method names are case-sensitive: `<Limit get>` registers an
// extension method no request uses), and HEAD is GET (httpd registers both as M_GET), in
// a <Limit> line and in a request alike.

/** Methods a directive applies to: `methods`, or (except) every method but those. */
export interface MethodLimit {
  readonly methods: readonly string[];
  readonly except: boolean;
}

/** Every method (cmd->limited outside <Limit>). */
export const ALL_METHODS: MethodLimit = { methods: [], except: true };

/**
 * The methods httpd knows without registering them (ap_method_number_of's table, M_GET …
 * M_MERGE); any other one is M_INVALID.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'PUT',
  'POST',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'VERSION-CONTROL',
  'CHECKOUT',
  'UNCHECKOUT',
  'CHECKIN',
  'UPDATE',
  'LABEL',
  'REPORT',
  'MKWORKSPACE',
  'MKACTIVITY',
  'BASELINE-CONTROL',
  'MERGE',
]);

/** The method number's name: HEAD shares GET's. */
export const methodName = (m: string): string => (m === 'HEAD' ? 'GET' : m);

/** a ∩ b. */
export function intersect(a: MethodLimit, b: MethodLimit): MethodLimit {
  if (a.except && b.except)
    return { methods: [...new Set([...a.methods, ...b.methods])], except: true };
  if (a.except) return { methods: b.methods.filter((m) => !a.methods.includes(m)), except: false };
  if (b.except) return { methods: a.methods.filter((m) => !b.methods.includes(m)), except: false };
  return { methods: a.methods.filter((m) => b.methods.includes(m)), except: false };
}

/** Same set of methods? */
export function sameMethods(a: MethodLimit, b: MethodLimit): boolean {
  return (
    a.except === b.except &&
    a.methods.length === b.methods.length &&
    a.methods.every((m) => b.methods.includes(m))
  );
}

/** Does the limit cover a request with this method (HEAD counts as GET)? */
export function limitAllows(limit: MethodLimit | undefined, method: string): boolean {
  if (limit === undefined) return true;
  return limit.methods.includes(methodName(method)) !== limit.except;
}
