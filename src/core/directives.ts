// httpd: server/core.c (core_cmds), os/unix/unixd.c (User, Group), server/mpm_common.c +
//        server/mpm/event/event.c (MPM directives), server/log.c (LogLevel).
//
// The core module's directive table (core_cmds) and the config pieces its ModuleDef spreads.
// The typed configuration, create() and MergeSpecs live in config.ts.

import {
  ACCESS_CONF,
  Ctx,
  OR_ALL,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../config/directive.js';
import { applyOptions, OPTION_NAMES, parseAllowOverride } from './config-options.js';
import {
  atoi,
  coreDirMerge,
  coreServerMerge,
  createCoreDir,
  createCoreServer,
  MPM_DIRECTIVES,
  type CoreDirConf,
  type CoreServerConf,
} from './config.js';
import { errorDocument, FILE_ETAG, onOff, parseLogLevel } from './directive-args.js';

/** The core directive table (core_cmds). */
export function coreDirectives(
  d: DirectiveBuilder<CoreServerConf, CoreDirConf>,
): AnyDirective<CoreServerConf, CoreDirConf>[] {
  const PERDIR = RSRC_CONF | ACCESS_CONF;
  type NumField =
    | 'timeout'
    | 'keepAliveTimeout'
    | 'maxKeepAliveRequests'
    | 'limitRequestLine'
    | 'limitRequestFields';
  const num = (name: string, field: NumField, help: string) =>
    d.take1(name, RSRC_CONF, help, (cmd, v) => {
      cmd.server[field] = atoi(v);
    });
  const inSection = (k: string): boolean => k === 'section';
  return [
    d.take1('ServerName', RSRC_CONF, 'The hostname and port of the server', (c, v) => {
      c.server.serverName = v;
    }),
    d.iterate(
      'ServerAlias',
      RSRC_CONF,
      'A name or names alternately used to access the server',
      (c, v) => {
        if (c.context.kind !== 'vhost') throw c.fail('ServerAlias only used in <VirtualHost>');
        c.server.serverAliases = [...(c.server.serverAliases ?? []), v];
      },
    ),
    d.take1('ServerAdmin', RSRC_CONF, 'The email address of the server administrator', (c, v) => {
      c.server.serverAdmin = v;
    }),
    d.take1('DocumentRoot', RSRC_CONF, 'Root directory of the document tree', (c, v) => {
      const p = c.serverRootRelative(v);
      c.server.documentRoot = p.length > 1 ? p.replace(/\/+$/, '') : p;
    }),
    d.take1('ErrorLog', RSRC_CONF, 'The filename of the error log', (c, v) => {
      c.server.errorLog = v.startsWith('|') || v.startsWith('syslog') ? v : c.serverRootRelative(v);
    }),
    d.takeArgv('LogLevel', PERDIR, 'Level of verbosity in error logging', (c, words) => {
      if (words.length === 0) throw c.fail('LogLevel requires level keyword');
      const target = inSection(c.context.kind) ? c.dir : c.server;
      const r = parseLogLevel(target.logLevel, words);
      if (typeof r === 'string') throw c.fail(r);
      target.logLevel = r;
    }),
    d.iterate(
      'AccessFileName',
      RSRC_CONF,
      'Name(s) of per-directory config files (default: .htaccess)',
      (c, v) => {
        c.server.accessFileName = [...(c.server.accessFileName ?? []), v];
      },
    ),
    num('Timeout', 'timeout', 'Timeout duration (sec)'),
    d.take1(
      'KeepAlive',
      RSRC_CONF,
      'Whether persistent connections should be On or Off',
      (c, v) => {
        const b = onOff(v);
        if (b === undefined) throw c.fail('KeepAlive must be On or Off');
        c.server.keepAlive = b;
      },
    ),
    num('KeepAliveTimeout', 'keepAliveTimeout', 'Keep-Alive timeout duration (sec)'),
    num(
      'MaxKeepAliveRequests',
      'maxKeepAliveRequests',
      'Maximum number of Keep-Alive requests per connection, or 0 for infinite',
    ),
    num('LimitRequestLine', 'limitRequestLine', 'Limit on maximum size of an HTTP request line'),
    d.take1(
      'LimitRequestFieldsize',
      RSRC_CONF,
      'Limit on maximum size of an HTTP request header field',
      (c, v) => {
        c.server.limitRequestFieldSize = atoi(v);
      },
    ),
    num(
      'LimitRequestFields',
      'limitRequestFields',
      'Limit (0 = unlimited) on max number of header fields in a request message',
    ),
    d.take1(
      'LimitRequestBody',
      OR_ALL | PERDIR,
      'Limit (in bytes) on maximum size of request message body',
      (c, v) => {
        c.dir.limitRequestBody = atoi(v);
      },
    ),
    d.take1(
      'TraceEnable',
      RSRC_CONF,
      "'on' (default), 'off' or 'extended' to trace request body content",
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'on' && t !== 'off' && t !== 'extended')
          throw c.fail("TraceEnable must be one of 'on', 'off', or 'extended'");
        c.server.traceEnable = t;
      },
    ),
    d.take12(
      'LimitInternalRecursion',
      RSRC_CONF,
      'maximum recursion depth of internal redirects and subrequests',
      (c, a, b) => {
        // set_recursion_limit: atoi; one number sets both limits.
        const redirects = Number.parseInt(a, 10) || 0;
        if (redirects <= 0) throw c.fail('The recursion limit must be greater than zero.');
        if (redirects < 4)
          c.warn(
            'AH00119: Limiting internal redirects to very low numbers may cause normal requests to fail.',
          );
        let depth = redirects;
        if (b !== undefined) {
          depth = Number.parseInt(b, 10) || 0;
          if (depth <= 0) throw c.fail('The recursion limit must be greater than zero.');
          if (depth < 4)
            c.warn(
              'AH00120: Limiting the subrequest depth to a very low level may cause normal requests to fail.',
            );
        }
        c.server.recursionLimit = [redirects, depth];
      },
    ),
    d.take1('User', RSRC_CONF, 'Effective user id for this server', (c, v) => {
      c.requireGlobal();
      c.server.user = v;
    }),
    d.take1('Group', RSRC_CONF, 'Effective group id for this server', (c, v) => {
      c.requireGlobal();
      c.server.group = v;
    }),
    d.take1('PidFile', RSRC_CONF, 'A file for logging the server process ID', (c, v) => {
      c.requireGlobal();
      c.server.pidFile = c.serverRootRelative(v);
    }),
    d.take1(
      'DefaultRuntimeDir',
      RSRC_CONF,
      'The location of the directory Apache changes to before dumping core',
      (c, v) => {
        c.requireGlobal();
        c.server.defaultRuntimeDir = c.serverRootRelative(v);
      },
    ),
    d.take1(
      'ServerTokens',
      RSRC_CONF,
      "'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'",
      (c, v) => {
        c.requireGlobal();
        const t = v.toLowerCase();
        const map = {
          os: 'OS',
          major: 'Major',
          minor: 'Minor',
          minimal: 'Min',
          min: 'Min',
          prod: 'Prod',
          productonly: 'Prod',
          full: 'Full',
        } as const;
        const found = Object.entries(map).find(([k]) => k === t)?.[1];
        if (found === undefined) {
          throw c.fail(
            "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'",
          );
        }
        c.server.serverTokens = found;
      },
    ),
    d.takeArgv('Mutex', RSRC_CONF, 'mutex (or "default") and mechanism', (c, args) => {
      const [mechanism, ...mutexes] = args;
      if (mechanism === undefined) {
        throw c.fail(
          "Mutex requires at least a mechanism argument (Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', 'fcntl:/path/to/file', 'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem')",
        );
      }
      c.server.mutex = [...c.server.mutex, { mechanism, mutexes }];
    }),
    ...MPM_DIRECTIVES.map((name) =>
      d.take1(name, RSRC_CONF, `${name} (MPM setting, stored as a number)`, (c, v) => {
        c.requireGlobal();
        c.server.mpm = { ...c.server.mpm, [name]: atoi(v) };
      }),
    ),
    // Per-directory settings.
    d.raw(
      'Options',
      Ctx.OR_OPTIONS | PERDIR,
      'Set a number of attributes for a given directory',
      (c) => {
        // The words are already split (ap_getword_conf) on the node.
        const allowed = c.overrideOpts;
        const r = applyOptions(
          c.dir.options,
          c.node.args,
          allowed === undefined ? OPTION_NAMES : OPTION_NAMES.filter((o) => allowed.includes(o)),
        );
        if (typeof r === 'string') throw c.fail(r);
        c.dir.options = r;
      },
    ),
    d.takeArgv(
      'AllowOverride',
      ACCESS_CONF,
      'Controls what groups of directives can be configured by per-directory config files',
      (c, args) => {
        const r = parseAllowOverride(args);
        if (typeof r === 'string') throw c.fail(r);
        c.dir.allowOverride = r.classes;
        c.dir.allowOverrideNonfatal = r.nonfatal;
        if (r.opts !== undefined) c.dir.allowOverrideOpts = r.opts;
      },
    ),
    d.takeArgv(
      'AllowOverrideList',
      ACCESS_CONF,
      'Controls what individual directives can be configured by per-directory config files',
      (c, args) => {
        const none = args.some((a) => a.toLowerCase() === 'none');
        if (none && args.length !== 1)
          throw c.fail("'None' not allowed with other directives in AllowOverrideList");
        c.dir.allowOverrideList = none ? [] : args;
      },
    ),
    d.take1(
      'SetHandler',
      Ctx.OR_FILEINFO | PERDIR,
      'a handler name that overrides any other configured handler',
      (c, v) => {
        c.dir.handler = v.toLowerCase();
      },
    ),
    d.take1(
      'ForceType',
      Ctx.OR_FILEINFO | PERDIR,
      'a mime type that overrides other configured type',
      (c, v) => {
        c.dir.forceType = v.toLowerCase();
      },
    ),
    d.take1(
      'SetOutputFilter',
      Ctx.OR_FILEINFO | PERDIR,
      'filter (or ; delimited list of filters) to be run on the request content',
      (c, v) => {
        // Names are looked up per request: an unknown one is logged then (AH00082).
        c.dir.outputFilters = v;
      },
    ),
    d.take1(
      'SetInputFilter',
      Ctx.OR_FILEINFO | PERDIR,
      'filter (or ; delimited list of filters) to be run on the request body',
      (c) => {
        // Deliberately refused (not a silent no-op): tswsgi has no input filter chain.
        throw c.fail(
          'SetInputFilter: input filters (e.g. the DEFLATE input filter of mod_deflate) are not supported by tswsgi',
        );
      },
    ),
    d.take1(
      'AcceptPathInfo',
      Ctx.OR_FILEINFO | PERDIR,
      'Set to on or off for PATH_INFO to be accepted by handlers, or default for the per-handler preference',
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'on' && t !== 'off' && t !== 'default')
          throw c.fail('AcceptPathInfo must be set to on, off or default');
        c.dir.acceptPathInfo = t;
      },
    ),
    d.take2(
      'ErrorDocument',
      Ctx.OR_FILEINFO | PERDIR,
      'Change responses for HTTP errors',
      (c, code, msg) => {
        const r = errorDocument(code, msg);
        if (typeof r === 'string') throw c.fail(r);
        c.dir.errorDocuments = { ...c.dir.errorDocuments, [code]: r };
      },
    ),
    d.take1(
      'HostnameLookups',
      PERDIR,
      '"on" to enable, "off" to disable reverse DNS lookups, or "double" to enable double-reverse DNS lookups',
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'on' && t !== 'off' && t !== 'double')
          throw c.fail("parameter must be 'on', 'off', or 'double'");
        c.dir.hostnameLookups = t;
      },
    ),
    d.take1(
      'UseCanonicalName',
      PERDIR,
      'How to work out the ServerName : Port when constructing URLs',
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'on' && t !== 'off' && t !== 'dns')
          throw c.fail("parameter must be 'on', 'off', or 'dns'");
        c.dir.useCanonicalName = t;
      },
    ),
    d.take1(
      'ServerSignature',
      OR_ALL | PERDIR,
      'En-/disable server signature (on|off|email)',
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'on' && t !== 'off' && t !== 'email')
          throw c.fail('ServerSignature: use one of: off | on | email');
        c.dir.serverSignature = t;
      },
    ),
    d.take1(
      'EnableSendfile',
      Ctx.OR_FILEINFO | PERDIR,
      'Controls whether sendfile may be used to transmit files',
      (c, v) => {
        const b = onOff(v);
        if (b === undefined) throw c.fail("parameter must be 'on' or 'off'");
        c.dir.enableSendfile = b;
      },
    ),
    d.take1(
      'EnableMMAP',
      Ctx.OR_FILEINFO | PERDIR,
      'Controls whether memory-mapping may be used to read files',
      (c, v) => {
        const b = onOff(v);
        if (b === undefined) throw c.fail("parameter must be 'on' or 'off'");
        c.dir.enableMMAP = b;
      },
    ),
    d.takeArgv(
      'FileETag',
      Ctx.OR_FILEINFO | PERDIR,
      "Specify components used to construct a file's ETag",
      (c, args) => {
        const out: string[] = [];
        for (const a of args) {
          const w = a.replace(/^[+-]/, '').toLowerCase();
          const k =
            w === 'all'
              ? 'All'
              : w === 'none'
                ? 'None'
                : FILE_ETAG.find((x) => x.toLowerCase() === w);
          if (k === undefined)
            throw c.fail(`Unknown keyword '${a.replace(/^[+-]/, '')}' for FileETag directive`);
          out.push(a.startsWith('+') || a.startsWith('-') ? a[0] + k : k);
        }
        c.dir.fileETag = out;
      },
    ),
    d.take1(
      'AddDefaultCharset',
      Ctx.OR_FILEINFO | PERDIR,
      "The name of the default charset to add to any Content-Type without one or 'Off' to disable",
      (c, v) => {
        const t = v.toLowerCase();
        c.dir.addDefaultCharset = t === 'off' ? 'off' : t === 'on' ? 'iso-8859-1' : v;
      },
    ),
    d.take1('AllowEncodedSlashes', PERDIR, "Allow URLs containing '/' encoded as '%2F'", (c, v) => {
      const t = v.toLowerCase();
      if (t !== 'on' && t !== 'off' && t !== 'nodecode')
        throw c.fail('AllowEncodedSlashes must be On, Off, or NoDecode');
      c.dir.allowEncodedSlashes = t;
    }),
    d.flag(
      'CGIPassAuth',
      Ctx.OR_AUTHCFG,
      'Controls whether HTTP authorization headers, normally hidden, will be passed to scripts',
      (c, on) => {
        c.dir.cgiPassAuth = on;
      },
    ),
    d.take2('CGIVar', Ctx.OR_FILEINFO, 'Controls how some CGI variables are set', (c, v, rule) => {
      if (v !== 'REQUEST_URI') throw c.fail(`Unrecognized CGI variable: "${v}"`);
      const r = rule.toLowerCase();
      if (r !== 'current-uri' && r !== 'original-uri')
        throw c.fail("Valid rules for REQUEST_URI are 'current-uri' and 'original-uri'");
      c.dir.cgiVarRequestUri = r;
    }),
    d.flag(
      'ExtendedStatus',
      RSRC_CONF,
      '"On" to track extended status information, "Off" to disable',
      (c, on) => {
        c.requireGlobal();
        c.server.extendedStatus = on;
      },
    ),
    d.flag(
      'SeeRequestTail',
      RSRC_CONF,
      'For extended status, "On" to see the last 63 chars of the request line, "Off" (default) to see the first 63',
      (c, on) => {
        c.requireGlobal();
        c.server.seeRequestTail = on;
      },
    ),
    d.flag(
      'MergeSlashes',
      RSRC_CONF,
      'Controls whether consecutive slashes in the URI path are merged',
      (c, on) => {
        c.dir.mergeSlashes = on;
      },
    ),
    d.takeArgv(
      'DefaultType',
      Ctx.OR_FILEINFO | PERDIR,
      'the default media type (obsolete)',
      (c, args) => {
        if (args.length !== 1 || args[0]?.toLowerCase() !== 'none') {
          c.warn(
            `AH00117: Ignoring deprecated use of DefaultType in line ${c.node.line} of ${c.node.file}.`,
          );
        }
      },
    ),
  ];
}

/** The core module's config pieces, to spread into its ModuleDef. */
export const coreConfig = {
  server: { create: createCoreServer, merge: coreServerMerge },
  dir: { create: createCoreDir, merge: coreDirMerge },
  directives: coreDirectives,
} as const;
