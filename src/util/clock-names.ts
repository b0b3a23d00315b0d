// httpd: apr_time.c (apr_day_snames / apr_month_snames), used by the error log's
// ap_recent_ctime and the access log's %t.

/** English day abbreviations, Sunday first (Date#getDay order). */
export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** English month abbreviations (Date#getMonth order). */
export const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Zero-pad `n` to `width` digits. */
export const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
