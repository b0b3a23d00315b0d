// httpd: modules/ssl/mod_ssl.c (ssl_config_cmds), modules/ssl/ssl_engine_config.c
//        (ssl_cmd_SSL*, ssl_cmd_check_file / ssl_cmd_check_dir, ssl_config_server_merge,
//        ssl_config_perdir_merge).
//
// The server-level TLS settings (SSLEngine, certificates, protocols, ciphers, client
// verification) and the per-directory ones (SSLOptions, SSLRequireSSL). Settings that only
// tune OpenSSL or httpd internals (random seeding, pass-phrase dialog, session and stapling
// caches, OCSP) are checked as mod_ssl checks them and otherwise have no effect: node's TLS
// stack keeps its own session cache and seeds itself. Per-directory client verification
// and cipher changes (which need a TLS renegotiation) and the SSLProxy* directives are
// refused with a clear message.

import { statSync } from 'node:fs';
import {
  Ctx,
  RSRC_CONF,
  type AnyDirective,
  type Cmd,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

export type VerifyClient = 'none' | 'optional' | 'require' | 'optional_no_ca';

/** The protocols SSLProtocol knows (OpenSSL 3 without SSLv3). */
export const PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsProtocol = (typeof PROTOCOLS)[number];

export interface SslServerConf {
  /** SSLEngine: undefined = unset (off). */
  engine: boolean | undefined;
  /** SSLCertificateFile (several: one certificate per key type), resolved paths. */
  certFiles: readonly string[];
  /** SSLCertificateKeyFile, resolved paths, paired with certFiles by position. */
  keyFiles: readonly string[];
  chainFile: string | undefined;
  caFile: string | undefined;
  caPath: string | undefined;
  verifyClient: VerifyClient | undefined;
  verifyDepth: number | undefined;
  /** SSLProtocol: the protocols left enabled. */
  protocols: readonly TlsProtocol[] | undefined;
  /** SSLCipherSuite (TLSv1.2 and below). */
  cipherSuite: string | undefined;
  /** SSLCipherSuite TLSv1.3 … */
  cipherSuites13: string | undefined;
  honorCipherOrder: boolean | undefined;
  sessionTickets: boolean | undefined;
  strictSniVhostCheck: boolean | undefined;
  insecureRenegotiation: boolean | undefined;
}

/** SSLOptions names (ssl_cmd_SSLOptions), canonical spelling. */
export const OPTIONS = [
  'StdEnvVars',
  'ExportCertData',
  'FakeBasicAuth',
  'StrictRequire',
  'OptRenegotiate',
  'LegacyDNStringFormat',
] as const;
export type SslOption = (typeof OPTIONS)[number];

/** SSLOptions as written in one place: an absolute list replaces, +/- adjust. */
export interface SslOptionsConf {
  /** Options written without +/- (undefined: none, the merged-over set stays). */
  readonly base: readonly SslOption[] | undefined;
  readonly add: readonly SslOption[];
  readonly del: readonly SslOption[];
}

export interface SslDirConf {
  options: SslOptionsConf;
  requireSsl: boolean | undefined;
}

/** The SSLOptions in force for a merged per-dir config. */
export function effectiveOptions(d: SslDirConf): ReadonlySet<SslOption> {
  const s = new Set<SslOption>(d.options.base ?? []);
  for (const o of d.options.add) s.add(o);
  for (const o of d.options.del) s.delete(o);
  return s;
}

const createServer = (): SslServerConf => ({
  engine: undefined,
  certFiles: [],
  keyFiles: [],
  chainFile: undefined,
  caFile: undefined,
  caPath: undefined,
  verifyClient: undefined,
  verifyDepth: undefined,
  protocols: undefined,
  cipherSuite: undefined,
  cipherSuites13: undefined,
  honorCipherOrder: undefined,
  sessionTickets: undefined,
  strictSniVhostCheck: undefined,
  insecureRenegotiation: undefined,
});

// ssl_config_server_merge: every setting is cfgMerge (set ? add : base); the certificate
// lists are taken from the vhost when it names any (modssl_ctx_cfg_merge_certkeys_array).
const mergeServer: MergeSpec<SslServerConf> = {
  engine: 'override',
  certFiles: (b, o) => (o.length > 0 ? o : b),
  keyFiles: (b, o) => (o.length > 0 ? o : b),
  chainFile: 'override',
  caFile: 'override',
  caPath: 'override',
  verifyClient: 'override',
  verifyDepth: 'override',
  protocols: 'override',
  cipherSuite: 'override',
  cipherSuites13: 'override',
  honorCipherOrder: 'override',
  sessionTickets: 'override',
  strictSniVhostCheck: 'override',
  insecureRenegotiation: 'override',
};

const createDir = (): SslDirConf => ({
  options: { base: undefined, add: [], del: [] },
  requireSsl: undefined,
});

/** ssl_config_perdir_merge: an absolute SSLOptions replaces, +/- adjust the base's. */
export function mergeSslOptions(b: SslOptionsConf, o: SslOptionsConf): SslOptionsConf {
  if (o.base !== undefined) return o;
  return {
    base: b.base,
    add: [...b.add.filter((x) => !o.del.includes(x)), ...o.add],
    del: [...b.del.filter((x) => !o.add.includes(x)), ...o.del],
  };
}

const mergeDir: MergeSpec<SslDirConf> = {
  options: mergeSslOptions,
  requireSsl: 'override',
};

type C = Cmd<SslServerConf, SslDirConf>;

/** Settings that need a per-directory TLS renegotiation, which tswsgi does not do. */
function serverOnly(c: C): void {
  if (c.context.kind === 'section' || c.context.kind === 'htaccess')
    throw c.fail(
      `${c.node.name} in a directory context needs a TLS renegotiation, which tswsgi does not support; set it for the whole <VirtualHost>`,
    );
}

/** ssl_cmd_check_file: the path, resolved to ServerRoot, must be a non-empty file. */
function checkFile(c: C, name: string, v: string): string {
  const p = c.serverRootRelative(v);
  let ok: boolean;
  try {
    const st = statSync(p);
    ok = st.isFile() && st.size > 0;
  } catch {
    ok = false;
  }
  if (!ok) throw c.fail(`${name}: file '${p}' does not exist or is empty`);
  return p;
}

/** ssl_cmd_check_dir. */
function checkDir(c: C, name: string, v: string): string {
  const p = c.serverRootRelative(v);
  let ok: boolean;
  try {
    ok = statSync(p).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw c.fail(`${name}: directory '${p}' does not exist`);
  return p;
}

/** ssl_cmd_protocol_parse: `[+-]proto …` from `all`. */
export function parseProtocols(
  words: readonly string[],
  warn: (m: string) => void,
): readonly TlsProtocol[] | string {
  let set = new Set<TlsProtocol>();
  for (const w0 of words) {
    let action = w0[0];
    let w = w0;
    if (action === '+' || action === '-') w = w0.slice(1);
    else action = '';
    const lw = w.toLowerCase();
    let thisProto: TlsProtocol[];
    if (lw === 'sslv2') {
      // Gone from mod_ssl: only removing it is accepted.
      if (action === '-') continue;
      return 'SSLProtocol: SSLv2 is no longer supported';
    }
    if (lw === 'sslv3') {
      // OpenSSL without SSLv3 (as Debian's and node's).
      if (action === '-') continue;
      return 'SSLv3 not supported by this version of OpenSSL';
    } else if (lw === 'all') thisProto = [...PROTOCOLS];
    else {
      const p = PROTOCOLS.find((x) => x.toLowerCase() === lw);
      if (p === undefined) return `SSLProtocol: Illegal protocol '${w}'`;
      thisProto = [p];
    }
    if (action === '-') for (const p of thisProto) set.delete(p);
    else if (action === '+') for (const p of thisProto) set.add(p);
    else {
      if (set.size > 0)
        warn(
          `AH02532: SSLProtocol: Protocol '${w}' overrides already set parameter(s). Check if a +/- prefix is missing.`,
        );
      set = new Set(thisProto);
    }
  }
  return PROTOCOLS.filter((p) => set.has(p));
}

/** The SSLProxy* directives: TLS to backends is not part of tswsgi. */
const PROXY_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['SSLProxyEngine', "SSL switch for the proxy protocol engine ('on', 'off')"],
  ['SSLProxyProtocol', 'SSL Proxy: enable or disable SSL protocol flavors'],
  ['SSLProxyCipherSuite', 'SSL Proxy: colon-delimited list of permitted SSL ciphers'],
  ['SSLProxyVerify', "SSL Proxy: whether to verify the remote certificate ('on' or 'off')"],
  ['SSLProxyVerifyDepth', 'SSL Proxy: maximum certificate verification depth'],
  ['SSLProxyCACertificateFile', 'SSL Proxy: file containing server certificates'],
  ['SSLProxyCACertificatePath', 'SSL Proxy: directory containing server certificates'],
  ['SSLProxyCARevocationPath', 'SSL Proxy: CA Certificate Revocation List (CRL) path'],
  ['SSLProxyCARevocationFile', 'SSL Proxy: CA Certificate Revocation List (CRL) file'],
  ['SSLProxyCARevocationCheck', 'SSL Proxy: CA Certificate Revocation List (CRL) checking mode'],
  ['SSLProxyMachineCertificateFile', 'SSL Proxy: file containing client certificates'],
  ['SSLProxyMachineCertificatePath', 'SSL Proxy: directory containing client certificates'],
  ['SSLProxyMachineCertificateChainFile', 'SSL Proxy: file containing issuing certificates'],
  ['SSLProxyCheckPeerExpire', "SSL Proxy: check the peer certificate's expiration date"],
  ['SSLProxyCheckPeerCN', "SSL Proxy: check the peer certificate's CN"],
  ['SSLProxyCheckPeerName', "SSL Proxy: check the peer certificate's name"],
];

/** Directives that tune OpenSSL or httpd internals: accepted, checked loosely, no effect. */
const TUNING: readonly (readonly [string, string])[] = [
  [
    'SSLStaplingResponseTimeSkew',
    'SSL stapling option for maximum time difference in OCSP responses',
  ],
  ['SSLStaplingResponderTimeout', 'SSL stapling option for OCSP responder timeout'],
  ['SSLStaplingResponseMaxAge', 'SSL stapling option for maximum age of OCSP responses'],
  [
    'SSLStaplingStandardCacheTimeout',
    'SSL stapling option for normal OCSP Response Cache Lifetime',
  ],
  ['SSLStaplingErrorCacheTimeout', 'SSL stapling option for OCSP Response Error Cache Lifetime'],
];

function directives(
  d: DirectiveBuilder<SslServerConf, SslDirConf>,
): readonly AnyDirective<SslServerConf, SslDirConf>[] {
  const ALL = RSRC_CONF | Ctx.OR_AUTHCFG;
  return [
    d.take1('SSLEngine', RSRC_CONF, "SSL switch for the protocol engine ('on', 'off')", (c, v) => {
      const lv = v.toLowerCase();
      if (lv === 'on') c.server.engine = true;
      else if (lv === 'off') c.server.engine = false;
      else if (lv === 'optional') {
        // mod_ssl 2.4 logs a notice and leaves the engine as it was (RFC 2817 upgrade).
        c.warn("AH10510: 'SSLEngine optional' is no longer supported");
      } else throw c.fail('Argument must be On or Off');
    }),
    d.take1(
      'SSLCertificateFile',
      RSRC_CONF,
      "SSL Server Certificate file ('/path/to/file' - PEM or DER encoded)",
      (c, v) => {
        c.server.certFiles = [...c.server.certFiles, checkFile(c, 'SSLCertificateFile', v)];
      },
    ),
    d.take1(
      'SSLCertificateKeyFile',
      RSRC_CONF,
      "SSL Server Private Key file ('/path/to/file' - PEM or DER encoded)",
      (c, v) => {
        c.server.keyFiles = [...c.server.keyFiles, checkFile(c, 'SSLCertificateKeyFile', v)];
      },
    ),
    d.take1(
      'SSLCertificateChainFile',
      RSRC_CONF,
      "SSL Server CA Certificate Chain file ('/path/to/file' - PEM encoded)",
      (c, v) => {
        c.server.chainFile = checkFile(c, 'SSLCertificateChainFile', v);
      },
    ),
    d.take1(
      'SSLCACertificateFile',
      ALL,
      "SSL CA Certificate file ('/path/to/file' - PEM encoded)",
      (c, v) => {
        const p = checkFile(c, 'SSLCACertificateFile', v);
        serverOnly(c);
        c.server.caFile = p;
      },
    ),
    d.take1(
      'SSLCACertificatePath',
      ALL,
      "SSL CA Certificate path ('/path/to/dir' - contains PEM encoded files)",
      (c, v) => {
        const p = checkDir(c, 'SSLCACertificatePath', v);
        serverOnly(c);
        c.server.caPath = p;
      },
    ),
    d.take1(
      'SSLVerifyClient',
      ALL,
      "SSL Client verify type ('none', 'optional', 'require', 'optional_no_ca')",
      (c, v) => {
        const lv = v.toLowerCase();
        const mode: VerifyClient | undefined =
          lv === 'none' || lv === 'off'
            ? 'none'
            : lv === 'optional'
              ? 'optional'
              : lv === 'require' || lv === 'on'
                ? 'require'
                : lv === 'optional_no_ca'
                  ? 'optional_no_ca'
                  : undefined;
        if (mode === undefined) throw c.fail(`SSLVerifyClient: Invalid argument '${v}'`);
        serverOnly(c);
        c.server.verifyClient = mode;
      },
    ),
    d.take1(
      'SSLVerifyDepth',
      ALL,
      "SSL Client verify depth ('N' - number of intermediate certificates)",
      (c, v) => {
        // ssl_cmd_verify_depth_parse: atoi, then < 0 is refused ("x" is 0).
        const n = parseInt(v, 10);
        const depth = Number.isNaN(n) ? 0 : n;
        if (depth < 0) throw c.fail(`SSLVerifyDepth: Invalid argument '${v}'`);
        serverOnly(c);
        c.server.verifyDepth = depth;
      },
    ),
    d.raw(
      'SSLProtocol',
      RSRC_CONF,
      "Enable or disable various SSL protocols ('[+-][TLSv1|TLSv1.1|TLSv1.2] ...' - see manual)",
      (c, raw) => {
        const words = raw.split(/\s+/).filter((w) => w !== '');
        const r = parseProtocols(words, (m) => c.warn(m));
        if (typeof r === 'string') throw c.fail(r);
        c.server.protocols = r;
      },
    ),
    d.take12(
      'SSLCipherSuite',
      ALL,
      "Colon-delimited list of permitted SSL Ciphers, optional preceded by protocol identifier ('XXX:...:XXX' - see manual)",
      (c, a, b) => {
        serverOnly(c);
        if (b === undefined) {
          c.server.cipherSuite = a;
          return;
        }
        const proto = a.toLowerCase();
        if (proto === 'tlsv1.3') c.server.cipherSuites13 = b;
        else if (proto === 'ssl') c.server.cipherSuite = b;
        else throw c.fail(`protocol '${a}' not supported`);
      },
    ),
    d.flag(
      'SSLHonorCipherOrder',
      RSRC_CONF,
      "Use the server's cipher ordering preference",
      (c, on) => {
        c.server.honorCipherOrder = on;
      },
    ),
    d.flag('SSLCompression', RSRC_CONF, "Enable SSL level compression (`on', `off')", (c, on) => {
      // The OpenSSL node links has no compression methods, as Debian's.
      if (on)
        throw c.fail(
          'This version of OpenSSL does not have any compression methods available, cannot enable SSLCompression.',
        );
    }),
    d.flag(
      'SSLSessionTickets',
      RSRC_CONF,
      "Enable or disable TLS session tickets(`on', `off')",
      (c, on) => {
        c.server.sessionTickets = on;
      },
    ),
    d.flag(
      'SSLInsecureRenegotiation',
      RSRC_CONF,
      'Enable support for insecure renegotiation',
      (c, on) => {
        // node never allows insecure (pre-RFC 5746) renegotiation.
        if (on)
          throw c.fail(
            'SSLInsecureRenegotiation on is not supported by tswsgi (node never allows insecure renegotiation)',
          );
        c.server.insecureRenegotiation = on;
      },
    ),
    d.flag('SSLStrictSNIVHostCheck', RSRC_CONF, 'Strict SNI virtual host checking', (c, on) => {
      c.server.strictSniVhostCheck = on;
    }),
    d.raw(
      'SSLOptions',
      Ctx.OR_OPTIONS,
      "Set one or more options to configure the SSL engine('[+-]option[=value] ...' - see manual)",
      (c, raw) => {
        let base: SslOption[] | undefined;
        const add: SslOption[] = [];
        const del: SslOption[] = [];
        for (const w of raw.split(/\s+/).filter((x) => x !== '')) {
          const sign = w[0] === '+' || w[0] === '-' ? w[0] : '';
          const name = sign === '' ? w : w.slice(1);
          const opt = OPTIONS.find((o) => o.toLowerCase() === name.toLowerCase());
          if (opt === undefined) throw c.fail(`SSLOptions: Illegal option '${name}'`);
          if (opt === 'FakeBasicAuth' && sign !== '-')
            throw c.fail(
              'SSLOptions FakeBasicAuth (client certificate as Basic credentials) is not supported by tswsgi',
            );
          if (sign === '+') add.push(opt);
          else if (sign === '-') del.push(opt);
          else {
            base ??= [];
            base.push(opt);
          }
        }
        c.dir.options =
          base !== undefined
            ? { base: [...base, ...add], add: [], del }
            : mergeSslOptions(c.dir.options, { base: undefined, add, del });
      },
    ),
    d.noArgs(
      'SSLRequireSSL',
      Ctx.OR_AUTHCFG,
      'Require the SSL protocol for the per-directory context (no arguments)',
      (c) => {
        c.dir.requireSsl = true;
      },
    ),
    d.take1(
      'SSLPassPhraseDialog',
      RSRC_CONF,
      "SSL dialog mechanism for the pass phrase query ('builtin', '|/path/to/pipe_program', or 'exec:/path/to/cgi_program')",
      (c, v) => {
        c.requireGlobal();
        // Keys must be unencrypted for tswsgi; the dialog is never run.
        if (v !== 'builtin' && !/^exec:/.test(v) && !v.startsWith('|'))
          throw c.fail('SSLPassPhraseDialog: Invalid argument');
        if (v.startsWith('exec:')) checkFile(c, 'SSLPassPhraseDialog', v.slice(5));
      },
    ),
    d.take1(
      'SSLSessionCache',
      RSRC_CONF,
      "SSL Session Cache storage ('none', 'nonenotnull', 'dbm:/path/to/file')",
      (c, v) => {
        c.requireGlobal();
        const name = v.split(/[:(]/)[0]?.toLowerCase() ?? '';
        if (
          !['none', 'nonenotnull', 'default', 'shmcb', 'dbm', 'dc', 'memcache', 'redis'].includes(
            name,
          )
        )
          throw c.fail(
            `SSLSessionCache: '${name}' session cache not supported (known names: default,shmcb). Maybe you need to load the appropriate socache module (mod_socache_${name}?).`,
          );
      },
    ),
    d.take1(
      'SSLSessionCacheTimeout',
      RSRC_CONF,
      "SSL Session Cache object lifetime ('N' - number of seconds)",
      (c, v) => {
        if (parseInt(v, 10) < 0) throw c.fail('SSLSessionCacheTimeout: Invalid argument');
      },
    ),
    d.take23(
      'SSLRandomSeed',
      RSRC_CONF,
      "SSL Pseudo Random Number Generator (PRNG) seeding source ('startup|connect builtin|file:/path|exec:/path [bytes]')",
      (c, ctx, src, bytes) => {
        c.requireGlobal();
        const lc = ctx.toLowerCase();
        if (lc !== 'startup' && lc !== 'connect')
          throw c.fail(`SSLRandomSeed: invalid context: \`${ctx}'`);
        const ls = src.toLowerCase();
        if (!(
          ls === 'builtin' ||
          ls.startsWith('file:') ||
          ls.startsWith('exec:') ||
          ls.startsWith('egd:')
        ))
          throw c.fail(`SSLRandomSeed: invalid source \`${src}'`);
        if (bytes !== undefined && !/^\d+$/.test(bytes))
          throw c.fail(`SSLRandomSeed: invalid bytes \`${bytes}'`);
      },
    ),
    d.take1(
      'SSLStaplingCache',
      RSRC_CONF,
      "SSL Stapling Response Cache storage (`dbm:/path/to/file')",
      (c, v) => {
        c.requireGlobal();
        const m = /\((\d+)\)$/.exec(v);
        if (m !== null && Number(m[1]) < 8192)
          throw c.fail('SSLStaplingCache: Invalid argument: size has to be >= 8192 bytes');
      },
    ),
    d.flag('SSLUseStapling', RSRC_CONF, 'SSL switch for OCSP Stapling', (c, on) => {
      if (on)
        throw c.fail(
          'SSLUseStapling on is not supported by tswsgi (no OCSP stapling); use SSLUseStapling off',
        );
    }),
    d.flag(
      'SSLStaplingReturnResponderErrors',
      RSRC_CONF,
      "SSL stapling switch to return Status Errors Back to Client(`on', `off')",
      () => undefined,
    ),
    ...TUNING.map(([name, help]) => d.take1(name, RSRC_CONF, help, () => undefined)),
    ...PROXY_DIRECTIVES.map(([name, help]) =>
      d.raw(name, RSRC_CONF | Ctx.DIRECTORY, help, (c) => {
        throw c.fail(`${name}: TLS to proxied backends (SSLProxy*) is not supported by tswsgi`);
      }),
    ),
  ];
}

export const sslConfig = {
  server: { create: createServer, merge: mergeServer },
  dir: { create: createDir, merge: mergeDir },
  directives,
};
