// httpd: server/listen.c (ap_set_listener), server/vhost.c (ap_parse_vhost_addrs /
//        get_addresses), apr_parse_addr_port.
//
// Listen lines and <VirtualHost> address lists.

/** apr_parse_addr_port: `80`, `1.2.3.4:80`, `[::1]:80`, `host` (port absent). */
export function parseAddrPort(s: string): { host: string; port: string | undefined } | undefined {
  if (/^\d+$/.test(s)) return { host: '', port: s };
  if (s.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
    if (m === null) return undefined;
    return { host: m[1] ?? '', port: m[2] };
  }
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { host: s, port: undefined };
  if (s.indexOf(':') !== colon) return { host: s, port: undefined }; // bare IPv6, no port
  return { host: s.slice(0, colon), port: s.slice(colon + 1) };
}

function validPort(p: string): number | undefined {
  if (!/^\d+$/.test(p)) return undefined;
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** One `Listen [addr:]port [protocol]`: the bind address or an error text. */
export function parseListen(args: readonly string[]): { host: string; port: number } | string {
  if (args.length < 1 || args.length > 2) return 'Listen requires 1 or 2 arguments.';
  const parsed = parseAddrPort(args[0] ?? '');
  if (parsed === undefined) return 'Invalid address or port';
  if (parsed.port === undefined) return 'Port must be specified';
  const port = validPort(parsed.port);
  if (port === undefined) return 'Invalid address or port';
  return { host: parsed.host === '*' ? '' : parsed.host, port };
}

/** `<VirtualHost addr[:port] …>` addresses (`*`, `_default_`, names, IPs). */
export function parseVhostAddresses(
  args: readonly string[],
): { host: string; port: number | '*' }[] | string {
  const out: { host: string; port: number | '*' }[] = [];
  for (const a of args) {
    const parsed = parseAddrPort(a);
    if (parsed === undefined) return 'The address or port is invalid';
    let port: number | '*' = '*';
    if (parsed.port !== undefined && parsed.port !== '*') {
      const p = validPort(parsed.port);
      if (p === undefined) return 'The address or port is invalid';
      port = p;
    }
    out.push({ host: parsed.host, port });
  }
  return out;
}
