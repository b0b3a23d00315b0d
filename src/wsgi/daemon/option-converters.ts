// mod_wsgi: src/server/mod_wsgi.c wsgi_add_daemon_process (4.9.4): the shared shapes of its
// option checks (atoi() counts, free-text values, socket buffer sizes) and their error texts.
//
// Row builders for the WSGIDaemonProcess option table (option-table.ts).

import type { DaemonGroupSpec } from './spec.js';
import type { DaemonOption } from './option-table.js';

/** C atoi() accepts "12abc"; tswsgi is stricter: only an optional sign and digits. */
export function parseInteger(v: string): number | undefined {
  return /^[+-]?\d+$/.test(v.trim()) ? Number.parseInt(v, 10) : undefined;
}

type NumericKey = {
  [K in keyof DaemonGroupSpec]-?: NonNullable<DaemonGroupSpec[K]> extends number ? K : never;
}[keyof DaemonGroupSpec];
type StringKey = {
  [K in keyof DaemonGroupSpec]-?: DaemonGroupSpec[K] extends string | undefined ? K : never;
}[keyof DaemonGroupSpec];

/**
 * A whole-number option. `what` is mod_wsgi's noun ("request timeout"); an empty, negative
 * or non-numeric value gives "Invalid <what> for WSGI daemon process." and, for values
 * atoi() would have silently read as 0, the exact reason.
 */
export function int(
  name: string,
  what: string,
  field: NumericKey | null,
  def: number,
  doc: string,
  min = 0,
): DaemonOption {
  return {
    name,
    defaultDoc: String(def),
    doc,
    implemented: field !== null,
    apply(spec, value, ignored) {
      const base = `Invalid ${what} for WSGI daemon process.`;
      if (value === '') return base;
      const n = parseInteger(value);
      if (n === undefined) return `${base} '${value}' is not a whole number.`;
      if (n < min) return base;
      if (field === null) ignored[name] = value;
      else spec[field] = n;
      return undefined;
    },
  };
}

/** A free-text option stored as written (mod_wsgi accepts an empty value for these). */
export function str(name: string, field: StringKey | null, doc: string): DaemonOption {
  return {
    name,
    defaultDoc: 'unset',
    doc,
    implemented: field !== null,
    apply(spec, value, ignored) {
      if (field === null) ignored[name] = value;
      else if (field !== 'name') spec[field] = value;
      return undefined;
    },
  };
}

/** A buffer size: 0 = default, else at least `min` (mod_wsgi's exact wording). */
export function buffer(
  name: string,
  what: string,
  label: string,
  min: number,
  zero: string,
  field: 'sendBufferSize' | 'receiveBufferSize' | null = null,
  defaultDoc = '0',
): DaemonOption {
  return {
    name,
    defaultDoc,
    doc:
      field === null
        ? `${label} (0 = ${zero}); recorded, not used: tswsgi streams over one connected socket per worker.`
        : `${label} of the worker's end of its channel to the front end (0 = ${zero}).`,
    implemented: field !== null,
    apply(spec, value, ignored) {
      if (value === '') return `Invalid ${what} for WSGI daemon process.`;
      const n = parseInteger(value);
      if (n === undefined)
        return `Invalid ${what} for WSGI daemon process. '${value}' is not a whole number.`;
      if (n < min && n !== 0) return `${label} must be >= ${min} bytes, or 0 for ${zero}.`;
      if (field === null) ignored[name] = value;
      else spec[field] = n;
      return undefined;
    },
  };
}
