// httpd: modules/loggers/mod_log_config.c (log_request_time, log_request_time_custom,
// log_request_duration_microseconds): the %{…}t, %{…}T and %{…}P forms.
//
// %{format}t is strftime over the request's start (or, with an `end:` prefix, the time it
// was logged) in local time; `sec`, `msec`, `usec`, `msec_frac`, `usec_frac` are the epoch
// forms. %{unit}T is the duration in s, ms or us.

import { DAYS, MONTHS, pad } from '../util/clock-names.js';

const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FULL_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function offset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86400000) + 1;
}

/** strftime(3) for the conversions log formats use, in local time. */
export function strftime(fmt: string, ms: number): string {
  const d = new Date(ms);
  const h12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  return fmt.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'a':
        return DAYS[d.getDay()] ?? '';
      case 'A':
        return FULL_DAYS[d.getDay()] ?? '';
      case 'b':
      case 'h':
        return MONTHS[d.getMonth()] ?? '';
      case 'B':
        return FULL_MONTHS[d.getMonth()] ?? '';
      case 'd':
        return pad(d.getDate());
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'H':
        return pad(d.getHours());
      case 'I':
        return pad(h12);
      case 'j':
        return String(dayOfYear(d)).padStart(3, '0');
      case 'm':
        return pad(d.getMonth() + 1);
      case 'M':
        return pad(d.getMinutes());
      case 'p':
        return d.getHours() < 12 ? 'AM' : 'PM';
      case 'S':
        return pad(d.getSeconds());
      case 's':
        return String(Math.floor(ms / 1000));
      case 'y':
        return pad(d.getFullYear() % 100);
      case 'Y':
        return String(d.getFullYear());
      case 'z':
        return offset(d);
      case 'Z':
        return (
          new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
            .formatToParts(d)
            .find((p) => p.type === 'timeZoneName')?.value ?? ''
        );
      case 'T':
        return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      case 'D':
        return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
      case 'F':
        return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      case 'R':
        return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '%':
        return '%';
      default:
        return all;
    }
  });
}

/**
 * %{arg}t: `begin:`/`end:` picks the moment (default: the request's start), then `sec`,
 * `msec`, `usec`, `msec_frac`, `usec_frac` or a strftime format. Undefined: CLF time.
 */
export function requestTime(
  arg: string,
  beginMs: number,
  endMs: number,
  clf: (ms: number) => string,
): string {
  let spec = arg;
  let ms = beginMs;
  if (spec.startsWith('begin:')) spec = spec.slice(6);
  else if (spec.startsWith('end:')) {
    spec = spec.slice(4);
    ms = endMs;
  }
  const us = Math.round(ms * 1000);
  switch (spec) {
    case 'sec':
      return String(Math.floor(ms / 1000));
    case 'msec':
      return String(Math.floor(ms));
    case 'usec':
      return String(us);
    case 'msec_frac':
      return String(Math.floor(ms) % 1000).padStart(3, '0');
    case 'usec_frac':
      return String(us % 1000000).padStart(6, '0');
    case '':
      return clf(ms);
    default:
      return strftime(spec, ms);
  }
}

/** %{unit}T: the time taken in whole s (default), ms or us. */
export function duration(unit: string | undefined, beginMs: number, endMs: number): string {
  const us = Math.max(0, Math.round((endMs - beginMs) * 1000));
  if (unit === 'ms') return String(Math.floor(us / 1000));
  if (unit === 'us') return String(us);
  return String(Math.floor(us / 1000000));
}
