// httpd: modules/ssl/ssl_engine_vars.c (ssl_var_lookup, ssl_var_lookup_ssl_cert,
//        ssl_var_lookup_ssl_cert_dn, ssl_var_lookup_ssl_cipher), ssl_engine_kernel.c
//        (ssl_hook_Fixup: the StdEnvVars list).
//
// The SSL_* variables of a TLS connection, from what node's TLSSocket tells of the
// session and the certificates.

import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { SERVER_BANNER } from '../../http/banner.js';

/** The Apache version tswsgi answers as (mod_ssl carries httpd's version). */
const SERVER_VERSION = /^Apache\/([^ ]+)/.exec(SERVER_BANNER)?.[1] ?? '2.4';

/** Signature algorithm OIDs → OpenSSL's long names (SSL_*_A_SIG). */
const SIG_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Public key types → OpenSSL's names (SSL_*_A_KEY). */
const KEY_TYPES: Readonly<Record<string, string>> = {
  rsa: 'rsaEncryption',
  'rsa-pss': 'rsassaPss',
  ec: 'id-ecPublicKey',
  dsa: 'dsaEncryption',
  ed25519: 'ED25519',
  ed448: 'ED448',
};

/** One DER element: tag, where its content starts and ends. */
interface Der {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function derAt(b: Buffer, i: number): Der | undefined {
  if (i + 2 > b.length) return undefined;
  const tag = b[i] ?? 0;
  let len = b[i + 1] ?? 0;
  let start = i + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4 || start + n > b.length) return undefined;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (b[start + k] ?? 0);
    start += n;
  }
  if (start + len > b.length) return undefined;
  return { tag, start, end: start + len };
}

/** The children of a constructed DER element. */
function derChildren(b: Buffer, e: Der): Der[] {
  const out: Der[] = [];
  for (let i = e.start; i < e.end;) {
    const c = derAt(b, i);
    if (c === undefined) break;
    out.push(c);
    i = c.end;
  }
  return out;
}

function oidString(b: Buffer, e: Der): string {
  const bytes = b.subarray(e.start, e.end);
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (let k = 1; k < bytes.length; k++) {
    const x = bytes[k] ?? 0;
    v = v * 128 + (x & 0x7f);
    if ((x & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** The certificate's signatureAlgorithm (Certificate ::= SEQUENCE { tbs, sigAlg, sig }). */
export function signatureAlgorithm(der: Buffer): string {
  const top = derAt(der, 0);
  if (top === undefined) return 'UNKNOWN';
  const alg = derChildren(der, top)[1];
  const oid = alg === undefined ? undefined : derChildren(der, alg)[0];
  if (oid === undefined || oid.tag !== 0x06) return 'UNKNOWN';
  const s = oidString(der, oid);
  return SIG_OIDS[s] ?? s;
}

/**
 * The session id of an i2d_SSL_SESSION encoding (SSL_SESSION_ASN1: version, ssl_version,
 * cipher, session_id, …), lower-case hex as SSL_SESSION_ID.
 */
export function sessionIdOf(session: Buffer | undefined): string {
  if (session === undefined) return '';
  const top = derAt(session, 0);
  if (top === undefined) return '';
  const id = derChildren(session, top)[3];
  if (id === undefined || id.tag !== 0x04) return '';
  return session.subarray(id.start, id.end).toString('hex');
}

/** A DN in RFC 2253 order (`CN=x,O=y,C=z`), or mod_ssl's legacy `/C=z/O=y/CN=x`. */
export function dnString(x509Dn: string, legacy: boolean): string {
  const rdns = x509Dn.split('\n').filter((l) => l !== '');
  return legacy ? rdns.map((r) => `/${r}`).join('') : [...rdns].reverse().join(',');
}

/** `_DN_CN`-style components: the first of each attribute (ssl_var_lookup_ssl_cert_dn). */
function dnComponents(x509Dn: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of x509Dn.split('\n')) {
    const eq = l.indexOf('=');
    if (eq < 1) continue;
    const k = l.slice(0, eq);
    if (!m.has(k)) m.set(k, l.slice(eq + 1));
  }
  return m;
}

/** The DN attributes mod_ssl names (ssl_var_lookup_ssl_cert_dn_rec). */
const DN_KEYS = [
  'C',
  'ST',
  'SP',
  'L',
  'O',
  'OU',
  'CN',
  'T',
  'I',
  'G',
  'S',
  'D',
  'UID',
  'Email',
] as const;
/** node's spelling of an attribute, when it differs. */
const NODE_DN: Readonly<Record<string, string>> = {
  Email: 'emailAddress',
  T: 'title',
  I: 'initials',
  G: 'GN',
  S: 'SN',
  D: 'description',
};

/** OpenSSL's X509 date form (`Nov 24 08:15:16 2026 GMT`). */
function opensslDate(d: string): string {
  return d.replace(/ {2}(\d) /, ' $1 ');
}

function certVars(
  env: Map<string, string>,
  prefix: 'SSL_SERVER' | 'SSL_CLIENT',
  cert: X509Certificate,
  opts: { legacyDn: boolean; exportCert: boolean },
): void {
  env.set(`${prefix}_M_VERSION`, '3');
  env.set(`${prefix}_M_SERIAL`, cert.serialNumber.toUpperCase());
  env.set(`${prefix}_V_START`, opensslDate(cert.validFrom));
  env.set(`${prefix}_V_END`, opensslDate(cert.validTo));
  if (prefix === 'SSL_CLIENT') {
    const days = Math.floor((Date.parse(cert.validTo) - Date.now()) / 86400000);
    env.set(`${prefix}_V_REMAIN`, String(days < 0 ? 0 : days));
  }
  for (const [which, dn] of [
    ['S', cert.subject],
    ['I', cert.issuer],
  ] as const) {
    env.set(`${prefix}_${which}_DN`, dnString(dn, opts.legacyDn));
    const parts = dnComponents(dn);
    for (const k of DN_KEYS) {
      const v = parts.get(NODE_DN[k] ?? k);
      if (v !== undefined) env.set(`${prefix}_${which}_DN_${k}`, v);
    }
  }
  const keyType = cert.publicKey.asymmetricKeyType ?? '';
  env.set(`${prefix}_A_KEY`, KEY_TYPES[keyType] ?? keyType);
  env.set(`${prefix}_A_SIG`, signatureAlgorithm(cert.raw));
  if (opts.exportCert) env.set(`${prefix}_CERT`, cert.toString());
}

/** Bits of a cipher's bulk key, from its standard name (SSL_CIPHER_USEKEYSIZE / ALGKEYSIZE). */
export function cipherBits(name: string): number {
  if (/CHACHA20/i.test(name)) return 256;
  const m = /AES[_-]?(128|256)|CAMELLIA[_-]?(128|256)|ARIA[_-]?(128|256)/i.exec(name);
  if (m !== null) return Number(m[1] ?? m[2] ?? m[3]);
  if (/3DES|DES-CBC3/i.test(name)) return 168;
  return 0;
}

/** What the TLS socket knows, computed once per connection. */
export interface ConnectionVars {
  readonly vars: ReadonlyMap<string, string>;
}

/**
 * The StdEnvVars set (ssl_hook_Fixup's ssl_hook_Fixup_vars), in mod_ssl's order, plus
 * SSL_SERVER_CERT / SSL_CLIENT_CERT for ExportCertData.
 */
export function sslVars(
  socket: TLSSocket,
  sni: string | undefined,
  clientVerify: string,
  opts: { legacyDn: boolean; exportCert: boolean },
): Map<string, string> {
  const env = new Map<string, string>();
  env.set('SSL_VERSION_INTERFACE', `mod_ssl/${SERVER_VERSION}`);
  env.set('SSL_VERSION_LIBRARY', `OpenSSL/${process.versions.openssl.replace(/\+.*$/, '')}`);
  env.set('SSL_PROTOCOL', socket.getProtocol() ?? '');
  env.set('SSL_SECURE_RENEG', 'true');
  env.set('SSL_COMPRESS_METHOD', 'NULL');
  const cipher = socket.getCipher();
  env.set('SSL_CIPHER', cipher.name);
  env.set('SSL_CIPHER_EXPORT', 'false');
  const bits = String(cipherBits(cipher.standardName || cipher.name));
  env.set('SSL_CIPHER_USEKEYSIZE', bits);
  env.set('SSL_CIPHER_ALGKEYSIZE', bits);
  env.set('SSL_CLIENT_VERIFY', clientVerify);
  const peer = socket.getPeerX509Certificate();
  if (peer !== undefined) certVars(env, 'SSL_CLIENT', peer, opts);
  const own = socket.getX509Certificate();
  if (own !== undefined) certVars(env, 'SSL_SERVER', own, opts);
  env.set('SSL_SESSION_ID', sessionIdOf(socket.getSession()));
  env.set('SSL_SESSION_RESUMED', socket.isSessionReused() ? 'Resumed' : 'Initial');
  if (sni !== undefined) env.set('SSL_TLS_SNI', sni);
  return env;
}
