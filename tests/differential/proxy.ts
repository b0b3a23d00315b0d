// Differential harness, mod_proxy (helper: proxy): the conf block and the HTTP backend both
// servers proxy to. The backend is started once per run by differential.test.ts on a free
// port (@BACKEND@ in the template; @BACKEND_DEAD@ is a port nothing listens on) and answers
// deterministically: no Date, no Server, its body lists what it received.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The mod_proxy part of DIFF_CONF_TEMPLATE. */
export const PROXY_CONF = `
# --- mod_proxy + mod_proxy_http (helper \`proxy\`): a node backend the harness starts
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ProxyPass /px/ex !
ProxyPass /px/ http://127.0.0.1:@BACKEND@/back/
ProxyPassReverse /px/ http://127.0.0.1:@BACKEND@/back/
ProxyPassReverseCookiePath /back/ /px/
ProxyPassReverseCookieDomain backend.internal public.example
ProxyPassMatch ^/pxm/(\\w+)$ http://127.0.0.1:@BACKEND@/back/m/$1
ProxyPass /pxnq/ http://127.0.0.1:@BACKEND@/nq/ noquery
ProxyPass /pxdead http://127.0.0.1:@BACKEND_DEAD@/
<Location /pxeo>
    ProxyPass http://127.0.0.1:@BACKEND@/back/err
    ProxyErrorOverride On
</Location>
<Location /pxph>
    ProxyPass http://127.0.0.1:@BACKEND@/back/ph
    ProxyPreserveHost On
    ProxyAddHeaders Off
</Location>
RewriteRule ^/rw/px/(.*)$ http://127.0.0.1:@BACKEND@/back/rw/$1 [P]
# --- end mod_proxy
`;

/** A running backend. */
export interface ProxyBackend {
  readonly port: number;
  close(): Promise<void>;
}

/** Start the backend on a free loopback port. */
export async function startProxyBackend(): Promise<ProxyBackend> {
  const server = createServer((req, res) => {
    res.sendDate = false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const port = (server.address() as AddressInfo).port;
      if (url.startsWith('/back/redir')) {
        res.writeHead(302, {
          Location: `http://127.0.0.1:${String(port)}/back/target?x=1`,
          'Content-Length': '0',
        });
        res.end();
        return;
      }
      if (url.startsWith('/back/cookie')) {
        res.writeHead(200, [
          ['Set-Cookie', 'a=1; Path=/back/x; Domain=Backend.Internal; Secure'],
          ['Set-Cookie', 'b=2; path=/other; HttpOnly'],
          ['Set-Cookie', 'c=3;domain=backend.internal.example;  path=/back'],
          ['Content-Length', '0'],
        ]);
        res.end();
        return;
      }
      if (url.startsWith('/back/err')) {
        res.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Length': '19' });
        res.end('backend error body\n');
        return;
      }
      if (url.startsWith('/back/hop')) {
        res.writeHead(200, [
          ['Content-Type', 'text/plain'],
          ['Connection', 'X-Private'],
          ['X-Private', 'secret'],
          ['Keep-Alive', 'timeout=5'],
          ['X-Public', 'yes'],
          ['Content-Length', '3'],
        ]);
        res.end('hop');
        return;
      }
      // The request as received: method, target, headers (sorted, port-neutral), body md5.
      const body = Buffer.concat(chunks);
      const lines = [`${req.method ?? ''} ${url}`];
      const names: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        names.push(`${req.rawHeaders[i] ?? ''}: ${req.rawHeaders[i + 1] ?? ''}`);
      lines.push(...names.sort());
      lines.push(`body ${String(body.length)} ${createHash('md5').update(body).digest('hex')}`);
      const out = lines.join('\n').replaceAll(`:${String(port)}`, ':BACKEND') + '\n';
      res.writeHead(200, [
        ['Content-Type', 'text/plain'],
        ['Content-Length', String(Buffer.byteLength(out))],
      ]);
      res.end(out);
    });
  });
  server.keepAliveTimeout = 2000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
