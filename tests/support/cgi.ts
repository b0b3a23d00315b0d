// CGI test scripts shared by the integration and differential tests.

/** The variables a redirected request (mod_actions, ErrorDocument…) is checked by. */
export const REDIRECT_VARS: readonly string[] = [
  'REQUEST_METHOD',
  'SCRIPT_NAME',
  'PATH_INFO',
  'PATH_TRANSLATED',
  'QUERY_STRING',
  'REQUEST_URI',
  'REDIRECT_HANDLER',
  'REDIRECT_URL',
  'REDIRECT_STATUS',
  'REDIRECT_QUERY_STRING',
  'CONTENT_LENGTH',
];

/**
 * A /bin/sh CGI script answering text/plain with one `NAME=value` line per variable;
 * `before` runs after the head (e.g. a pause), `after` after the lines (e.g. `cat`).
 */
export function envCgi(
  vars: readonly string[],
  opts: { readonly before?: readonly string[]; readonly after?: readonly string[] } = {},
): string {
  return [
    '#!/bin/sh',
    'echo "Content-Type: text/plain"',
    'echo',
    ...(opts.before ?? []),
    ...vars.map((v) => `echo "${v}=$${v}"`),
    ...(opts.after ?? []),
    '',
  ].join('\n');
}

/** The `NAME=value` lines such a script printed, by name. */
export function cgiVars(body: string): Map<string, string> {
  return new Map(
    body
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
