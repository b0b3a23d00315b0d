// httpd: modules/ssl/mod_ssl.c, ssl_engine_init.c (ssl_init_Module: one SSL_CTX per
//        server with SSLEngine on, ssl_init_server_certs → AH02572 / AH02562 / AH02565 /
//        AH02579), ssl_engine_kernel.c (ssl_hook_ReadReq: AH02032 → 421, AH02033 → 403;
//        ssl_hook_Access: SSLRequireSSL → 403 AH02219; ssl_hook_Fixup: HTTPS, StdEnvVars).
//
// provision() builds one node SecureContext per server that has SSLEngine on; the
// listener (src/http/listener.ts) asks Generation.tls(server) for it, per connection, so a
// reload's new certificates serve the connections opened after it.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { constants as cryptoConstants, createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { DetailedPeerCertificate, SecureContextOptions, TLSSocket } from 'node:tls';
import type { ServerIR } from '../../config/ir.js';
import { serverConfOf } from '../../config/slots.js';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { coreServer } from '../../core/view.js';
import { splitServerName } from '../../request/server-name.js';
import type { ModuleDef, TlsSetup } from '../module.js';
import { effectiveOptions, sslConfig } from './config.js';
import type { SslDirConf, SslServerConf, TlsProtocol } from './config.js';
import { sslVars } from './vars.js';

/** What provision() keeps: the TLS setup of each server with SSLEngine on. */
interface SslState {
  readonly setups: ReadonlyMap<ServerIR, TlsSetup>;
  dispose(): void;
}

/** A certificate/key problem at startup, with httpd's AH line. */
export class SslInitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SslInitError';
  }
}

/** `name:port` as mod_ssl names a server in its init messages (ssl_util_vhostid). */
function vhostId(s: ServerIR): string {
  const core = coreServer(s.server);
  const { host, port } = splitServerName(core.serverName);
  const addrPort = s.addresses.find((a) => a.port !== '*')?.port;
  return `${host ?? 'localhost'}:${port ?? (typeof addrPort === 'number' ? addrPort : 443)}`;
}

const NODE_VERSION: Readonly<Record<TlsProtocol, SecureContextOptions['minVersion']>> = {
  TLSv1: 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

function readPem(path: string): Buffer {
  return readFileSync(path);
}

/** ssl_init_server_ctx + ssl_init_server_certs for one server. */
export function buildTlsSetup(s: ServerIR, conf: SslServerConf): TlsSetup {
  const id = vhostId(s);
  if (conf.certFiles.length === 0)
    throw new SslInitError(
      `AH02572: Failed to configure at least one certificate and key for ${id}`,
    );
  const certs: Buffer[] = [];
  const keys: Buffer[] = [];
  conf.certFiles.forEach((certFile, i) => {
    const certPem = readPem(certFile);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      throw new SslInitError(
        `AH02562: Failed to configure certificate ${id}:${i} (with chain), check ${certFile}`,
      );
    }
    // No SSLCertificateKeyFile for this certificate: the key is in the certificate's file.
    const keyFile = conf.keyFiles[i] ?? certFile;
    let keyPem: Buffer;
    try {
      keyPem = readPem(keyFile);
      const key = createPrivateKey(keyPem);
      if (!cert.checkPrivateKey(key))
        throw new SslInitError(
          `AH02565: Certificate and private key ${id}:${i} from ${certFile} and ${keyFile} do not match`,
        );
    } catch (e) {
      if (e instanceof SslInitError) throw e;
      throw new SslInitError(`AH02579: Init: Private key not found (${id}:${i}, ${keyFile})`);
    }
    certs.push(certPem);
    keys.push(keyPem);
  });
  // SSLCertificateChainFile: its certificates follow the (first) server certificate.
  if (conf.chainFile !== undefined && certs[0] !== undefined)
    certs[0] = Buffer.concat([certs[0], Buffer.from('\n'), readPem(conf.chainFile)]);
  const ca: Buffer[] = [];
  if (conf.caFile !== undefined) ca.push(readPem(conf.caFile));
  if (conf.caPath !== undefined)
    for (const f of readdirSync(conf.caPath).sort())
      if (/\.(pem|crt|\d+)$/.test(f)) ca.push(readPem(join(conf.caPath, f)));
  const protocols = conf.protocols ?? ['TLSv1.2', 'TLSv1.3'];
  const opts: SecureContextOptions = { cert: certs, key: keys };
  if (ca.length > 0) opts.ca = ca;
  if (protocols.length > 0) {
    opts.minVersion = NODE_VERSION[protocols[0] as TlsProtocol];
    opts.maxVersion = NODE_VERSION[protocols[protocols.length - 1] as TlsProtocol];
  }
  // node takes the TLSv1.3 suites (TLS_…) in the same list as the older ciphers.
  const ciphers = [conf.cipherSuites13, conf.cipherSuite].filter((c) => c !== undefined);
  if (ciphers.length > 0) opts.ciphers = ciphers.join(':');
  if (conf.honorCipherOrder === true) opts.honorCipherOrder = true;
  // SSLSessionTickets off: no RFC 5077 tickets (SSL_OP_NO_TICKET).
  if (conf.sessionTickets === false) opts.secureOptions = cryptoConstants.SSL_OP_NO_TICKET;
  let context;
  try {
    context = createSecureContext(opts);
  } catch (e) {
    throw new SslInitError(
      `AH01898: Unable to configure permitted SSL ciphers for ${id}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const anchors = ca.flatMap(splitPem).flatMap((pem) => {
    try {
      return [new X509Certificate(pem)];
    } catch {
      return [];
    }
  });
  const depth = conf.verifyDepth ?? 1;
  return {
    context,
    verifyClient: conf.verifyClient ?? 'none',
    verifyPeer: (socket) => verifyChain(socket, anchors, depth),
    variables: (socket, sni, clientVerify) =>
      sslVars(socket, sni, clientVerify, { legacyDn: false, exportCert: true }),
  };
}

/** The PEM certificates in a file's text. */
function splitPem(b: Buffer): string[] {
  return (
    b.toString('latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []
  );
}

/**
 * ssl_callback_SSLVerify's outcome for the client's chain: walk from the client
 * certificate through the chain it sent to one of `anchors` (SSLCACertificateFile/Path),
 * at most `depth` certificates up (SSLVerifyDepth). The reasons are OpenSSL's
 * (X509_verify_cert_error_string). Done here, not by node, because the certificate store
 * of the handshake's first context stays in force after SNI switches to another vhost's.
 */
export function verifyChain(
  socket: TLSSocket,
  anchors: readonly X509Certificate[],
  depth: number,
): string {
  const peer = socket.getPeerCertificate(true);
  if (peer === null || peer.raw === undefined) return 'NONE';
  let node: DetailedPeerCertificate = peer;
  let cur = new X509Certificate(peer.raw);
  const now = Date.now();
  for (let level = 0; ; level++) {
    if (Date.parse(cur.validTo) < now) return 'FAILED:certificate has expired';
    if (Date.parse(cur.validFrom) > now) return 'FAILED:certificate is not yet valid';
    const c = cur;
    const anchor = anchors.find((a) => c.checkIssued(a) && c.verify(a.publicKey));
    if (anchor !== undefined)
      return level + 1 > depth ? 'FAILED:certificate chain too long' : 'SUCCESS';
    const up = node.issuerCertificate as DetailedPeerCertificate | undefined;
    if (up !== undefined && up !== node && up.raw !== undefined) {
      const next = new X509Certificate(up.raw);
      if (cur.checkIssued(next) && cur.verify(next.publicKey) && !next.checkIssued(next)) {
        node = up;
        cur = next;
        continue;
      }
    }
    if (cur.checkIssued(cur))
      return level === 0
        ? 'FAILED:self-signed certificate'
        : 'FAILED:self-signed certificate in certificate chain';
    return 'FAILED:unable to get local issuer certificate';
  }
}

/** mod_ssl. */
export const sslModule: ModuleDef<SslServerConf, SslDirConf> = {
  name: 'ssl',
  ...sslConfig,
  provision: ({ ir, log }): SslState => {
    const setups = new Map<ServerIR, TlsSetup>();
    for (const s of [ir.main, ...ir.vhosts]) {
      const conf = serverConfOf(sslModule, s);
      if (conf.engine !== true) continue;
      log.log('info', 'ssl', 'AH01914', `Configuring server ${vhostId(s)} for SSL protocol`);
      try {
        setups.set(s, buildTlsSetup(s, conf));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        log.log('emerg', 'ssl', '', msg);
        log.log('emerg', 'ssl', 'AH02312', 'Fatal error initialising mod_ssl, exiting.');
        throw e;
      }
    }
    return { setups, dispose: () => undefined };
  },
  tls: (server, state) => (state as SslState | undefined)?.setups.get(server),
  hooks: {
    postReadRequest: { run: readReq, order: 'middle' },
    accessChecker: { run: access, order: 'middle' },
    fixups: { run: fixup, order: 'middle' },
  },
};

/** Two servers a connection may be shared by (ssl_check_vhost's "compatible" SSL setup). */
function compatible(a: ServerIR, b: ServerIR): boolean {
  if (a === b) return true;
  const x = serverConfOf(sslModule, a);
  const y = serverConfOf(sslModule, b);
  return (
    x.engine === y.engine &&
    x.certFiles.join('\n') === y.certFiles.join('\n') &&
    x.keyFiles.join('\n') === y.keyFiles.join('\n') &&
    x.verifyClient === y.verifyClient &&
    x.verifyDepth === y.verifyDepth &&
    x.caFile === y.caFile &&
    x.caPath === y.caPath &&
    (x.protocols ?? []).join() === (y.protocols ?? []).join() &&
    x.cipherSuite === y.cipherSuite &&
    x.cipherSuites13 === y.cipherSuites13
  );
}

/**
 * ssl_hook_ReadReq: a request on a TLS connection whose Host selects a server with another
 * SSL setup than the handshake's gets 421 (AH02032); SSLStrictSNIVHostCheck on refuses
 * a client without SNI with 403 (AH02033).
 */
function readReq(r: RequestRecord): Outcome {
  const tls = r.connection.tls;
  if (tls === undefined || r.main !== undefined || r.prev !== undefined) return DECLINED;
  const conf = r.serverConf(sslModule);
  if (tls.sni === undefined && conf.strictSniVhostCheck === true) {
    r.logError(
      'info',
      'ssl',
      'AH02033',
      `No hostname was provided via SNI for a name based virtual host`,
    );
    r.notes.set(
      'error-notes',
      'Reason: The client software did not provide a hostname using Server Name Indication (SNI), which is required to access this server.<br />\n',
    );
    return 403;
  }
  if (!compatible(tls.server, r.server)) {
    const handshakeName = splitServerName(coreServer(tls.server.server).serverName).host ?? '';
    const httpName = r.hostname ?? '';
    r.logError(
      'error',
      'ssl',
      'AH02032',
      tls.sni !== undefined
        ? `Hostname ${tls.sni} provided via SNI and hostname ${httpName} provided via HTTP have no compatible SSL setup`
        : `Hostname ${handshakeName} (default host as no SNI was provided) and hostname ${httpName} provided via HTTP have no compatible SSL setup`,
    );
    return 421;
  }
  return DECLINED;
}

/** ssl_hook_Access: SSLRequireSSL on a plain connection → 403 (AH02219). */
function access(r: RequestRecord): Outcome {
  const d = r.dirConf(sslModule);
  if (d.requireSsl !== true || r.connection.tls !== undefined) return DECLINED;
  r.logError(
    'error',
    'ssl',
    'AH02219',
    `access to ${r.filename ?? r.uri} failed, reason: SSL connection required`,
  );
  return 403;
}

/** ssl_hook_Fixup: HTTPS=on, and with SSLOptions +StdEnvVars the SSL_* variables. */
function fixup(r: RequestRecord): Outcome {
  const tls = r.connection.tls;
  if (tls === undefined) return DECLINED;
  r.env.set('HTTPS', 'on');
  const opts = effectiveOptions(r.dirConf(sslModule));
  const std = opts.has('StdEnvVars');
  const exportCert = opts.has('ExportCertData');
  if (!std && !exportCert) return OK;
  const vars = sslVars(tls.socket, tls.sni, tls.clientVerify, {
    legacyDn: opts.has('LegacyDNStringFormat'),
    exportCert,
  });
  for (const [k, v] of vars) {
    if (!std && !k.endsWith('_CERT')) continue;
    r.env.set(k, v);
  }
  return OK;
}
