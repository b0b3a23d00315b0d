// httpd: include/http_config.h (module / AP_DECLARE_MODULE), typed.
//
// One object declares everything a module contributes: directives, config slots with
// their merge rules, phase hooks, content handlers, and provisioning (STYLE.md §2.3).

import type { AnyDirective, DirectiveBuilder } from '../config/directive.js';
import type { MergeSpec } from '../config/merge.js';
import type { HookReg, Phase, Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import type { ConfigIR } from '../config/ir.js';
import type { ErrorLog } from '../logging/error-log.js';
import type { ServerIR } from '../config/ir.js';
import type { ReadTimeouts } from '../request/read-deadline.js';
import type { OutputFilterDef } from '../request/output-filter.js';
import type { SecureContext, TLSSocket } from 'node:tls';

export type { OutputFilterDef };

/** What a TLS listener needs of a server's TLS settings (mod_ssl's SSL_CTX). */
export interface TlsSetup {
  readonly context: SecureContext;
  /** SSLVerifyClient: ask for a client certificate; 'require' refuses a handshake without a valid one. */
  readonly verifyClient: 'none' | 'optional' | 'require' | 'optional_no_ca';
  /**
   * Check the client's certificate chain against this server's CAs (SSLCACertificate*,
   * SSLVerifyDepth): SSL_CLIENT_VERIFY's value, `NONE`, `SUCCESS` or `FAILED:reason`.
   */
  verifyPeer(socket: TLSSocket): string;
  /** Every SSL_* variable of a connection (ssl_var_lookup), certificates included. */
  variables(socket: TLSSocket, sni: string | undefined, clientVerify: string): Map<string, string>;
}

/** A content handler (≈ the `handler` hook keyed by r->handler). DECLINED lets the next try. */
export type Handler = (r: RequestRecord) => Outcome | Promise<Outcome>;

/** What provision() gets: the whole IR and a place to log. */
export interface ProvisionCtx {
  readonly ir: ConfigIR;
  readonly log: ErrorLog;
}

/** Something provision() started that must be undone on reload/stop. */
export interface Disposable {
  /**
   * graceful false (a restart or a hard stop, as httpd killing its children): do not wait
   * for work in progress. Absent or true: let it finish within the module's own timeouts.
   */
  dispose(opts?: { readonly graceful?: boolean }): Promise<void> | void;
}

/** What the server-status page asked for (httpd's AP_STATUS_SHORT / NOTABLE / EXTENDED). */
export interface StatusFlags {
  /** `?auto`: plain `Key: value` lines. */
  readonly short: boolean;
  readonly notable: boolean;
  readonly extended: boolean;
}

/** What an authentication provider answers (httpd's authn_status). */
export type AuthnStatus = 'granted' | 'denied' | 'userNotFound' | 'generalError';

/** An authentication provider (httpd's authn_provider). */
export interface AuthnProvider {
  /** Basic auth: is `password` right for `user`? A general error is logged by the provider. */
  readonly checkPassword: (
    r: RequestRecord,
    user: string,
    password: string,
  ) => Promise<AuthnStatus>;
  /**
   * AuthBasicUseDigestAlgorithm MD5: the stored MD5 of `user:realm:password` (htdigest
   * files), or why there is none.
   */
  readonly getRealmHash?: (
    r: RequestRecord,
    user: string,
    realm: string,
  ) => Promise<{ readonly hash: string } | { readonly status: AuthnStatus }>;
}

/** What an authorization provider answers (httpd's authz_status). */
export type AuthzStatus = 'granted' | 'denied' | 'deniedNoUser' | 'neutral' | 'generalError';

/** An authorization provider (httpd's authz_provider): one `Require <name> …` kind. */
export interface AuthzProvider {
  /**
   * parse_require_line, at configuration time: an error message refuses the line; what
   * `parsed` holds is kept with it and handed to check(). Absent: the words are kept as is.
   */
  readonly parse?: (
    words: readonly string[],
    /** The line after the provider name as written (httpd's require_line). */
    line: string,
  ) => { readonly error: string } | { readonly parsed: unknown };
  /** check_authorization: the line's words after the provider name, and what parse() kept. */
  readonly check: (
    r: RequestRecord,
    words: readonly string[],
    parsed: unknown,
  ) => AuthzStatus | Promise<AuthzStatus>;
}

export interface ModuleDef<S = unknown, D = unknown> {
  /** Short name: 'alias' ⇔ `LoadModule alias_module …` ⇔ `<IfModule mod_alias.c>`. */
  readonly name: string;
  readonly server?: { create(): S; merge: MergeSpec<S> };
  readonly dir?: { create(): D; merge: MergeSpec<D> };
  readonly directives?: (d: DirectiveBuilder<S, D>) => readonly AnyDirective<S, D>[];
  /**
   * A module that declares directives of the same names (mod_cgi and mod_cgid both have
   * ScriptLog …): each names the other, and a directive goes to the first loaded of the two.
   */
  readonly sharesDirectivesWith?: string;
  readonly hooks?: { readonly [P in Phase]?: HookReg };
  readonly handlers?: Readonly<Record<string, Handler>>;
  /**
   * A handler for names decided at configuration time (ap_hook_handler that checks
   * r->handler itself, e.g. WSGIHandlerScript names): tried, in module order, when no
   * module registered r.handler's name or that one declined, before the default handler.
   */
  readonly anyHandler?: Handler;
  /**
   * The Satisfy policy in force for the request (httpd's ap_satisfies, an optional
   * function of mod_access_compat): 'any' lets a passed access check stand in for
   * authentication and authorization. The first module that answers decides.
   */
  readonly satisfies?: (r: RequestRecord) => 'all' | 'any' | undefined;
  /**
   * Authentication providers by name (ap_register_auth_provider, AUTHN_PROVIDER_GROUP), as
   * `AuthBasicProvider` names them: `file` (mod_authn_file), `wsgi` (mod_wsgi).
   */
  readonly authnProviders?: Readonly<Record<string, AuthnProvider>>;
  /** Authorization providers by name (AUTHZ_PROVIDER_GROUP), as `Require` names them. */
  readonly authzProviders?: Readonly<Record<string, AuthzProvider>>;
  /**
   * The note_auth_failure hook: add the challenge for `authType` (e.g. WWW-Authenticate for
   * Basic) to the error response. True if this module handled the type.
   */
  readonly noteAuthFailure?: (r: RequestRecord, authType: string) => boolean;
  /**
   * mod_status's status_hook: this module's section of the server-status page, HTML (or
   * `Key: value` lines for `?auto`), added after the scoreboard. '' adds nothing.
   */
  readonly statusHook?: (r: RequestRecord, flags: StatusFlags) => string;
  /**
   * The read deadlines for `server`'s connections (the header stage, by the server the
   * connection's address selects) and requests (the body stage, by r->server): mod_reqtimeout.
   * Undefined: none. The first module that answers decides.
   */
  readonly readTimeouts?: (server: ServerIR) => ReadTimeouts | undefined;
  /**
   * The TLS setup of `server` when its connections speak TLS (mod_ssl: SSLEngine on), from
   * what this module's provision() returned (`state`). Undefined: plain HTTP. The first
   * module that answers decides.
   */
  readonly tls?: (server: ServerIR, state: unknown) => TlsSetup | undefined;
  /**
   * Output filters by lower-case name (ap_register_output_filter), as SetOutputFilter,
   * AddOutputFilter, AddOutputFilterByType and FilterProvider name them.
   */
  readonly outputFilters?: Readonly<Record<string, OutputFilterDef>>;
  readonly provision?: (ctx: ProvisionCtx) => Promise<Disposable> | Disposable;
}
