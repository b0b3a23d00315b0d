// httpd: server/core.c (ap_get_server_banner, ServerTokens Full).

/**
 * The `Server:` header and SERVER_SOFTWARE value. Apache's version string is kept so that
 * software sniffing for Apache keeps working; the comment names what really answers.
 */
export const SERVER_BANNER = 'Apache/2.4.62 (tswsgi)';
