// Differential harness: start an httpd-compatible server (real Apache httpd + mod_wsgi, or
// tswsgi) from ONE httpd.conf template, on a free loopback port, and talk to it with a raw
// socket client. Counterpart: httpd's own test framework (test/modules/*, pyhttpd) which also
// renders a conf per run and starts `httpd -f conf -DFOREGROUND`.
import { REDIRECT_VARS, envCgi } from '../support/cgi.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, mkdir, mkdtemp, readFile, writeFile, utimes } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTOINDEX_CONF, prepareAutoindexTree } from './autoindex.js';
import { PROXY_CONF } from './proxy.js';

/** Repo root (this file runs from dist/tests/differential/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Debian's Apache binary and mod_wsgi; the oracle. */
export const APACHE_BIN = '/usr/sbin/apache2';
export const MOD_WSGI_SO = '/usr/lib/apache2/modules/mod_wsgi.so';
/** The tswsgi executable, started exactly like Apache: `bin/tswsgi -f conf -DFOREGROUND`. */
export const TSWSGI_BIN = join(REPO_ROOT, 'bin', 'tswsgi');

/**
 * The conf template both servers get. Placeholders: `@ROOT@` per-server run dir (pid, logs,
 * mutex, runtime dir, wsgi sockets), `@SRV@` shared app tree (`/srv` in the brief),
 * `@HTDOCS@` shared DocumentRoot, `@PORT@`, `@USER@` (User/Group lines when root).
 */
export const DIFF_CONF_TEMPLATE = `ServerRoot "@ROOT@"
ServerName 127.0.0.1
Listen 127.0.0.1:@PORT@
PidFile "@ROOT@/httpd.pid"
ErrorLog "@ROOT@/error.log"
LogLevel warn
Mutex file:@ROOT@
DefaultRuntimeDir "@ROOT@"

LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule env_module /usr/lib/apache2/modules/mod_env.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule authz_groupfile_module /usr/lib/apache2/modules/mod_authz_groupfile.so
LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so
LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so
LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
LoadModule actions_module /usr/lib/apache2/modules/mod_actions.so
LoadModule remoteip_module /usr/lib/apache2/modules/mod_remoteip.so
LoadModule allowmethods_module /usr/lib/apache2/modules/mod_allowmethods.so
LoadModule unique_id_module /usr/lib/apache2/modules/mod_unique_id.so
LoadModule userdir_module /usr/lib/apache2/modules/mod_userdir.so
LoadModule macro_module /usr/lib/apache2/modules/mod_macro.so
LoadModule speling_module /usr/lib/apache2/modules/mod_speling.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
# mod_reqtimeout: a stalled body ends after 1 s (the header stage keeps its default).
RequestReadTimeout body=1
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so

@USER@
TypesConfig /etc/mime.types
DocumentRoot "@HTDOCS@"

<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "@HTDOCS@">
    Require all granted
</Directory>
<Directory "@SRV@">
    Require all granted
</Directory>

# mod_headers: response and request header edits (and an error page under /hdrs404).
WSGIScriptAlias /hdrs "@SRV@/dump.wsgi" process-group=diff
<Location /hdrs>
    Header set X-Frame-Options DENY
    Header always set X-Always "yes %{HDR_MISSING}e"
    Header append Cache-Control no-cache
    Header merge Vary Accept
    Header merge Vary Accept
    Header add X-Added one
    Header add X-Added two
    Header echo ^X-Echo
    Header edit Content-Type ^application/(.*)$ text/x-$1
    Header set X-Cond on env=HDR_NEVER
    Header set X-NotCond on env=!HDR_NEVER
    RequestHeader set X-Req injected
    RequestHeader append Accept-Language fr
    RequestHeader unset User-Agent
    RequestHeader edit* X-Edit a b
</Location>
<Location /hdrs404>
    Header set X-OnSuccess yes
    Header always set X-Always yes
</Location>

# mod_cgi: scripts under @SRV@/cgi (CGI_SCRIPTS).
ScriptAlias /cgi-bin/ "@SRV@/cgi/"
# mod_actions: Action by handler, by media type, virtual; Script by method (ACTION_FILES).
<Directory "@HTDOCS@/act">
    AddHandler act-type .act
    Action act-type /cgi-bin/env.cgi
    Action text/html /cgi-bin/env.cgi
    Script PUT /cgi-bin/env.cgi
    Script GET /cgi-bin/env.cgi
</Directory>
# ap_invoke_handler names a request without a handler by its media type while it runs.
<Location /act/h.txt>
    Header set X-Handler "expr=%{HANDLER}"
    AllowMethods GET
</Location>
<Location /vact>
    SetHandler vact-handler
    Action vact-handler /cgi-bin/env.cgi virtual
</Location>
<Location /nvact>
    SetHandler nvact-handler
    Action nvact-handler /cgi-bin/env.cgi
</Location>
# core's CGIPassAuth / CGIVar reach mod_wsgi's environ too (ap_add_common_vars).
WSGIScriptAlias /passauth "@SRV@/dump.wsgi" process-group=diff
# mod_remoteip: the client from X-Diff-Client, through an internal proxy (the peer, 127.0.0.1)
# and trusted ones in 10/8 (a header no other case sends, so the rest stay as they were).
RemoteIPHeader X-Diff-Client
RemoteIPProxiesHeader X-Diff-Proxies
RemoteIPInternalProxy 127.0.0.1
RemoteIPTrustedProxy 10.0.0.0/8
<Location /dump/riponly>
    Require ip 203.0.113.0/24
</Location>
# mod_allowmethods: GET (and so HEAD) and POST only under /dump/am; reset lifts it again.
<Location /dump/am>
    AllowMethods GET POST
</Location>
<Location /dump/am/reset>
    AllowMethods reset
</Location>
# mod_userdir: /~user from htdocs/users/<user>/www, else a redirect; root is disabled.
UserDir "@HTDOCS@/users/*/www" http://example.com/~*/
UserDir disabled root
# mod_macro: an Alias and a header per Use; @file goes in quoted; the macro is dropped after.
<Macro DiffAlias $url @file $tag>
    Alias $url @file
    <Location $url>
        Header set X-Macro "$tag"
    </Location>
</Macro>
Use DiffAlias /macro-hello "@HTDOCS@/hello.txt" one
Use DiffAlias /macro-again "@HTDOCS@/hello.txt" two
UndefMacro DiffAlias
# ap_getword_conf makes a doubled backslash one; ap_pregsub: a backslash makes $1 literal, & is plain.
RedirectMatch ^/amp/(.*)$ "http://x/a&b$1\\\\$1\\\\&"
# mod_speling under htdocs/spell (SPELL_FILES).
<Directory "@HTDOCS@/spell">
    CheckSpelling On
</Directory>
# mod_auth_basic's AuthBasicFake: the Authorization header the app gets, from expressions.
WSGIScriptAlias /fakeauth "@SRV@/dump.wsgi" process-group=diff
<Location /fakeauth>
    WSGIPassAuthorization On
    AuthBasicFake "u-%{REMOTE_ADDR}" "p-%{req:X-Pw}"
</Location>
<Location /fakeauth/nopw>
    AuthBasicFake "u-%{REMOTE_ADDR}" "%{req:X-Absent}"
</Location>
<Location /fakeauth/default>
    AuthBasicFake "%{req:X-User}"
</Location>
<Location /passauth>
    CGIPassAuth On
    CGIVar REQUEST_URI current-uri
</Location>

WSGIDaemonProcess diff processes=2 threads=15 python-home=/usr
WSGIScriptAlias /dump "@SRV@/dump.wsgi" process-group=diff
# socket-timeout: a response head that takes longer than 1 s is a 504.
WSGIDaemonProcess socktime threads=2 socket-timeout=1 python-home=/usr
WSGIScriptAlias /socktime "@SRV@/socket-timeout.wsgi" process-group=socktime
WSGIScriptAlias /scripts/ "@SRV@/scripts/"
<Directory "@SRV@/scripts">
    WSGIProcessGroup diff
</Directory>
<Directory "@HTDOCS@/private">
    Require all denied
</Directory>

# Embedded mode: no process-group, default WSGIApplicationGroup %{RESOURCE}.
WSGIScriptAlias /embedded "@SRV@/dump.wsgi"
WSGIScriptAlias /raise "@SRV@/raise.wsgi" process-group=diff
WSGIScriptAlias /method "@SRV@/method.wsgi" process-group=diff
WSGIScriptAlias /authdump "@SRV@/dump.wsgi" process-group=diff
<Location /authdump>
    WSGIPassAuthorization On
</Location>

# Trusted proxy headers: every peer trusted; a proxies list the peer is not on; a chain.
WSGIScriptAlias /proxied "@SRV@/dump.wsgi" process-group=diff
<Location /proxied>
    WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto X-Forwarded-Host
    WSGITrustedProxyHeaders X-Forwarded-Port X-Script-Name
</Location>
WSGIScriptAlias /untrusted "@SRV@/dump.wsgi" process-group=diff
<Location /untrusted>
    WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto
    WSGITrustedProxies 10.0.0.0/8
</Location>
WSGIScriptAlias /chain "@SRV@/dump.wsgi" process-group=diff
<Location /chain>
    WSGITrustedProxyHeaders X-Forwarded-For
    WSGITrustedProxies 127.0.0.1 10.0.0.0/8
</Location>

# WSGIErrorOverride: daemon mode only; an app 4xx/5xx becomes Apache's error response.
WSGIScriptAlias /eo "@SRV@/eo.wsgi" process-group=diff
WSGIScriptAlias /eo-off "@SRV@/eo.wsgi" process-group=diff
WSGIScriptAlias /eo-emb "@SRV@/eo.wsgi"
<Location /eo>
    WSGIErrorOverride On
    ErrorDocument 404 "custom 404 text"
</Location>
<Location /eo-emb>
    WSGIErrorOverride On
</Location>

# The application's response headers as mod_wsgi passes them (daemon and embedded).
WSGIScriptAlias /hdr "@SRV@/hdr.wsgi" process-group=diff
WSGIScriptAlias /hdr-emb "@SRV@/hdr.wsgi"
WSGIScriptAlias /misc "@SRV@/misc.wsgi" process-group=diff
WSGIScriptAlias /misc-emb "@SRV@/misc.wsgi"

# --- wsgimetrics: mod_wsgi's metrics API, its deterministic parts (the key sets of
# process_metrics()/request_metrics(), server_metrics() None). mod_wsgi 4.9.4 leaves
# WSGIServerMetrics at -1 (true) when it is not written, so embedded mode would report the
# scoreboard, whose size differs between the two servers (docs/differences.md): Off.
WSGIServerMetrics Off
WSGIScriptAlias /metrics "@SRV@/metrics.wsgi" process-group=diff
WSGIScriptAlias /metrics-emb "@SRV@/metrics.wsgi"
# --- end wsgimetrics

# WSGIRestrictProcess: the group the alias selects must be listed (%{GLOBAL} = embedded).
WSGIScriptAlias /restricted "@SRV@/dump.wsgi" process-group=diff
WSGIScriptAlias /allowed "@SRV@/dump.wsgi" process-group=diff
<Location /restricted>
    WSGIRestrictProcess other %{GLOBAL}
</Location>
<Location /allowed>
    WSGIRestrictProcess %{GLOBAL} diff
</Location>

# WSGIHandlerScript: files with the handler's extension are served by handle_request().
WSGIHandlerScript dump-handler "@SRV@/handler.wsgi" process-group=diff
<Directory "@HTDOCS@/handled">
    AddHandler dump-handler .txt
</Directory>

# A local ErrorDocument served by a WSGI app: the internal redirect's environ.
<Location /ed>
    ErrorDocument 404 /dump/errdoc
</Location>

# WSGIDispatchScript: per-request hooks choose the process and application group.
WSGIScriptAlias /dispatched "@SRV@/dump.wsgi"
<Location /dispatched>
    WSGIDispatchScript "@SRV@/dispatch.wsgi"
</Location>

# Scripts reached through a handler rather than WSGIScriptAlias: mod_wsgi wants ExecCGI.
<Directory "@HTDOCS@/handler">
    AddHandler wsgi-script .wsgi
    Options +ExecCGI
    WSGIProcessGroup diff
</Directory>
<Directory "@HTDOCS@/noexec">
    AddHandler wsgi-script .wsgi
</Directory>
<Directory "@HTDOCS@/nopathinfo">
    SetHandler wsgi-script
    Options ExecCGI
    AcceptPathInfo Off
    WSGIProcessGroup diff
</Directory>

# .htaccess files (HTACCESS_FILES): read where AllowOverride allows, after their <Directory>.
<Directory "@HTDOCS@/ht">
    AllowOverride All
</Directory>
<Directory "@HTDOCS@/ht/fileinfo">
    AllowOverride FileInfo
</Directory>
<Directory "@HTDOCS@/ht/app">
    WSGIProcessGroup diff
</Directory>

# mod_access_compat: Order/Allow/Deny beside Require.
<Directory "@HTDOCS@/ht/compat">
    Order deny,allow
    Deny from all
    Allow from 127.0.0.1
</Directory>
<Directory "@HTDOCS@/ht/compat/denied">
    Order allow,deny
    Allow from 10.0.0.0/8
</Directory>

# mod_setenvif: server conditions at post_read_request, per-dir ones at header_parser.
SetEnvIf User-Agent "^DiffAgent/([0-9]+)" DIFF_AGENT=v$1 agent_seen
BrowserMatchNoCase "mozilla/2" nokeepalive
SetEnvIfNoCase ^X-Diff- "^yes$" DIFF_HDR_REGEX
SetEnvIf Request_URI "^/dump/se" DIFF_URI_SERVER
<Location /dump/se>
    SetEnvIf Request_Method GET DIFF_METHOD=get
    SetEnvIf DIFF_AGENT "^v7$" FROM_ENV=1
    SetEnvIf Remote_Addr "^127\\.0\\.0\\.1$" LOCAL_CLIENT
    BrowserMatch "DiffAgent" !agent_seen
    SetEnvIf X-Missing "^$" MISSING_HEADER_EMPTY
    SetEnvIf Request_Protocol "HTTP/1\\.1" PROTO_11
</Location>

# <RequireAll>/<RequireNone> and AuthMerging (mod_authz_core's section tree).
<Location /dump/ra>
    <RequireAll>
        Require all granted
        Require not ip 127.0.0.1
    </RequireAll>
</Location>
<Location /dump/rn>
    <RequireAll>
        Require method GET POST
        <RequireNone>
            Require ip 10.0.0.0/8
            Require method POST
        </RequireNone>
    </RequireAll>
</Location>
<Location /dump/mand>
    AuthMerging And
    Require ip 10.0.0.0/8
</Location>
<Location /dump/mor>
    AuthMerging Or
    Require ip 10.0.0.0/8
</Location>

# Name-based Require lines (mod_authz_host): the client is 127.0.0.1 = localhost.
<Location /dump/rhost>
    Require host localhost
</Location>
<Location /dump/rhostno>
    Require host example.invalid
</Location>
<Location /dump/rfwd>
    Require forward-dns localhost
</Location>

# Basic authentication (mod_auth_basic + mod_authn_file, HTPASSWD below).
WSGIScriptAlias /authed "@SRV@/dump.wsgi" process-group=diff
<Location /authed>
    AuthType Basic
    AuthName "Diff \\"Realm\\""
    AuthUserFile "@SRV@/htpasswd"
    Require valid-user
</Location>
<Location /authed/user>
    Require user carol
</Location>
<Location /authed/forbid>
    Require user carol
    AuthzSendForbiddenOnFailure On
</Location>
<Location /authed/ip>
    Require ip 10.9.9.9
    Require valid-user
</Location>
<Location /authed/local>
    Require local
    Require valid-user
</Location>
<Location /authed/group>
    AuthGroupFile "@SRV@/htgroup"
    Require group admins
</Location>
<Location /authed/nogroupfile>
    Require group admins
</Location>
<Location /authed/pass>
    WSGIPassAuthorization On
</Location>
<Location /authed/errdoc>
    ErrorDocument 401 /hello.txt
</Location>
<Location /authed/nofile>
    AuthUserFile "@SRV@/no-such-htpasswd"
</Location>
<Location /authed/digestalg>
    AuthName "Diff Realm"
    AuthBasicUseDigestAlgorithm MD5
    AuthUserFile "@SRV@/htdigest"
</Location>
<Location /authed/notauthoritative>
    AuthBasicAuthoritative Off
</Location>
<Location /authed/digest>
    AuthType Digest
</Location>
<Location /needuser>
    Require valid-user
</Location>
# mod_wsgi's own auth hooks: the \`wsgi\` authn provider, \`Require wsgi-group\`, access.
WSGIScriptAlias /wsgiauth "@SRV@/dump.wsgi" process-group=diff
<Location /wsgiauth>
    AuthType Basic
    AuthName "WSGI"
    AuthBasicProvider wsgi
    WSGIAuthUserScript "@SRV@/auth.wsgi"
    Require valid-user
</Location>
<Location /wsgiauth/group>
    WSGIAuthGroupScript "@SRV@/auth.wsgi" application-group=groups
    Require wsgi-group editors
</Location>
<Location /wsgiauth/both>
    AuthBasicProvider wsgi file
    AuthUserFile "@SRV@/htpasswd"
</Location>
WSGIScriptAlias /wsgiauthnone "@SRV@/dump.wsgi" process-group=diff
<Location /wsgiauthnone>
    AuthType Basic
    AuthName "WSGI"
    AuthBasicProvider wsgi
    Require valid-user
</Location>
WSGIScriptAlias /wsgiaccess "@SRV@/dump.wsgi" process-group=diff
<Location /wsgiaccess>
    WSGIAccessScript "@SRV@/auth.wsgi"
</Location>
WSGIScriptAlias /authnn "@SRV@/dump.wsgi" process-group=diff
<Location /authnn>
    AuthType Basic
    AuthUserFile "@SRV@/htpasswd"
    Require valid-user
</Location>
${AUTOINDEX_CONF}

# --- mod_rewrite (helper \`rewrite\`) ------------------------------------------------------
# Server rules take effect only where <Location /rw> turns the engine on, so no other
# request meets mod_rewrite; per-directory rules live in .htaccess files (ht/rw*).
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
<Location /rw>
    RewriteEngine On
</Location>
<Directory "@HTDOCS@/ht/rwapp">
    WSGIProcessGroup diff
</Directory>
<Directory "@HTDOCS@/ht/rwbase">
    RewriteEngine On
    RewriteRule ^fromdir$ /ht/rwapp/app.wsgi/fromdir [L]
</Directory>
RewriteMap rwup int:toupper
RewriteMap rwtxt "txt:@SRV@/rwmap.txt"
RewriteRule ^/rw/old/(.*)$ /rw/new/$1 [R=301,L]
RewriteRule ^/rw/pt/(.*)$ /dump/pt/$1?added=1 [QSA,PT,L]
RewriteRule ^/rw/qsd$ /dump/qsd [QSD,PT,L]
RewriteRule ^/rw/noqs$ /dump/noqs? [PT,L]
RewriteRule ^/rw/forbidden - [F]
RewriteRule ^/rw/gone - [G]
RewriteRule ^/rw/legal - [R=451]
RewriteRule ^/rw/n/(.*)a(.*)$ /rw/n/$1b$2 [N]
RewriteRule ^/rw/n/(.*)$ /dump/n/$1 [PT,L]
RewriteRule ^/rw/nloop/(.*)$ /rw/nloop/x$1 [N=5]
RewriteRule ^/rw/env$ /dump/env [E=RW_VAR:hello,E=RW_EMPTY,PT,L]
RewriteCond %{HTTP_USER_AGENT} ^rwagent/([0-9]+) [NC]
RewriteRule ^/rw/agent$ /dump/agent/%1 [PT,L]
RewriteRule ^/rw/ext/(.*)$ http://example.com/x/$1
RewriteRule ^/rw/ext3f/(.*)$ http://example.com/x/$1 [UnsafeAllow3F]
RewriteRule ^/rw/b/(.*)$ /dump/b?q=$1 [B,PT,L]
RewriteRule ^/rw/ne/(.*)$ http://example.com/#$1 [NE,R]
RewriteRule ^/rw/cookie$ /dump/cookie [CO=rwc:val:.example.com:0:/p:secure:HttpOnly,PT,L]
RewriteRule ^/rw/type$ /hello.txt [T=application/x-rw,L]
RewriteCond %{HTTP:X-Rw} =yes
RewriteRule ^/rw/hdr$ /dump/hdr [PT,L]
RewriteRule ^/rw/hdr$ /dump/nohdr [PT,L]
RewriteCond %{DOCUMENT_ROOT}/hello.txt -f
RewriteCond %{DOCUMENT_ROOT}/ht -d
RewriteRule ^/rw/files$ /dump/files [PT,L]
RewriteRule ^/rw/skip$ - [S=1]
RewriteRule ^/rw/skip$ /dump/skipped [PT,L]
RewriteRule ^/rw/skip$ /dump/notskipped [PT,L]
RewriteRule ^/rw/map/(.*)$ /dump/map/\${rwup:$1}/\${rwtxt:$1|nokey} [PT,L]
RewriteRule ^/rw/chain/(.*)$ /rw/chained/$1 [C]
RewriteRule ^/rw/chained/(a.*)$ /dump/chain/$1 [PT,L]
RewriteCond %{QUERY_STRING} (^|&)id=([0-9]+)
RewriteRule ^/rw/qs$ /dump/qs/%2? [PT,L]
RewriteRule ^/rw/lex$ - [E=LEX:none]
RewriteCond %{HTTP:X-Num} -gt5
RewriteCond %{HTTP:X-Str} >=m
RewriteRule ^/rw/cmp$ /dump/cmp [PT,L]
RewriteRule ^/rw/self$ http://127.0.0.1/hello.txt [L]
RewriteRule ^/rw/cve/(.*)$ /$1 [L]
# --- end mod_rewrite ---------------------------------------------------------------------
# --- mod_negotiation (helper: negotiation) -------------------------------------------
LoadModule negotiation_module /usr/lib/apache2/modules/mod_negotiation.so
<Directory "@HTDOCS@/neg">
    Options MultiViews
    AddLanguage en .en
    AddLanguage fr .fr
    AddLanguage de .de
    AddEncoding gzip .gz
    AddCharset UTF-8 .utf8
    AddCharset ISO-8859-2 .iso2
    AddHandler type-map .var
    DirectoryIndex index
    LanguagePriority de en fr
    SetEnvIf Accept-Language "^xx$" prefer-language=fr
    BrowserMatch "^NoGzip" no-gzip
    <Files denied.html>
        Require all denied
    </Files>
</Directory>
<Directory "@HTDOCS@/neg/app">
    Options MultiViews ExecCGI
    AddHandler wsgi-script .wsgi
    MultiviewsMatch Handlers
    DefaultLanguage de
</Directory>
# --- end mod_negotiation ---------------------------------------------------------------

# --- mod_filter + mod_deflate (deflate helper): DEFLATE by type under /gz, SetOutputFilter
# on a WSGI app, no-gzip, an unknown filter name (logged at request time).
LoadModule filter_module /usr/lib/apache2/modules/mod_filter.so
LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so
<Directory "@HTDOCS@/gz">
    AddOutputFilterByType DEFLATE text/html text/plain
</Directory>
<Directory "@HTDOCS@/gz/nogz">
    SetEnv no-gzip 1
</Directory>
<Directory "@HTDOCS@/gz/unk">
    SetOutputFilter BOGUS
</Directory>
<Directory "@HTDOCS@/gz/prov">
    FilterDeclare GZP
    FilterProvider GZP DEFLATE "%{CONTENT_TYPE} =~ m#^application/# && %{REQUEST_URI} =~ /\\.json$/"
    FilterChain GZP
</Directory>
WSGIScriptAlias /gzapp "@SRV@/gz.wsgi" process-group=diff
<Location /gzapp>
    SetOutputFilter DEFLATE
</Location>
<Location /gzapp/gzipped>
    SetOutputFilter INFLATE
</Location>
WSGIScriptAlias /gzbt "@SRV@/gz.wsgi" process-group=diff
<Location /gzbt>
    AddOutputFilterByType DEFLATE text/html
</Location>
# --- end mod_filter + mod_deflate
# --- ap_expr (helper: expr): <If>/<ElseIf>/<Else>, Header expr=, Require expr, SetEnvIfExpr,
# AuthName with %{...}, <If> and RewriteCond expr in .htaccess (htdocs/expr).
<Location /expr>
    <If "%{QUERY_STRING} == 'a'">
        Header always set X-Expr-Branch a
    </If>
    <ElseIf "%{QUERY_STRING} =~ /^b(\\d)$/">
        Header always set X-Expr-Branch "expr=b-$1"
    </ElseIf>
    <Else>
        Header always set X-Expr-Branch other
    </Else>
    Header always set X-Expr-Str "expr=%{toupper:%{REQUEST_URI}}|%{md5:x}|%{base64:%{QUERY_STRING}}|%{escape:a b}|%{ldap:%{QUERY_STRING}}"
    Header always set X-Expr-Cond yes "expr=req('X-Probe') -in {'p1', 'p2'} && -f %{REQUEST_FILENAME}"
</Location>
<Location /expr/guard>
    Require expr "%{QUERY_STRING} =~ /^key=(open|sesame)$/ && %{REQUEST_METHOD} != 'POST'"
</Location>
<Location /expr/ip>
    Require expr "-R '127.0.0.0/8' && %{REMOTE_ADDR} -ipmatch '127.0.0.1'"
</Location>
<Location /expr/realm>
    AuthType Basic
    AuthName "zone %{toupper:%{QUERY_STRING}}"
    AuthUserFile "@SRV@/htpasswd"
    Require valid-user
</Location>
SetEnvIfExpr "%{REQUEST_URI} =~ m#^/expr/env/(\\w+)#" EXPR_SEEN=got-$1
<Location /expr/env>
    Header always set X-Expr-Env "%{EXPR_SEEN}e"
</Location>
<Location /expr/vars>
    Header always set X-Expr-Vars "expr=%{REQUEST_METHOD}|%{REQUEST_SCHEME}|%{QUERY_STRING}|%{SERVER_PROTOCOL}|%{IS_SUBREQ}|%{HTTPS}|%{REQUEST_STATUS}|%{SCRIPT_USER}|%{LAST_MODIFIED}|%{CONTENT_TYPE}|%{PATH_INFO}|%{DOCUMENT_URI}|%{REQUEST_FILENAME}|%{THE_REQUEST}|%{REQUEST_URI}"
</Location>
<Directory "@HTDOCS@/expr/ht">
    AllowOverride All
</Directory>
# --- end ap_expr
${PROXY_CONF}`;

/** The AuthUserFile of /authed (from htpasswd -nbm / -nbs / -nbB -C 5, then a comment). */
export const HTPASSWD = [
  'alice:$apr1$W4xb3o7i$mLY2WG3KebjRukZgAlZPq1',
  'bob:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=',
  '# a comment, then a bcrypt line (password "pass word")',
  'carol:$2y$05$nuytCN9tulevbkF7AgvhGeUmpJIBII4cAQMzscwZNCyJEyZSgw2OG',
  '',
  'dave:$apr1$vHAM9pS8$.ihhGiSFMtaz5/v.yDSzF0',
  '',
].join('\n');

/** The AuthGroupFile of /authed/group (members as ap_getword_conf splits them). */
export const HTGROUP = '# groups\nadmins : dave "carol"\nstaff: alice\n';

/** htdigest lines for AuthBasicUseDigestAlgorithm MD5 (md5 of `erin:Diff Realm:letmein`). */
export const HTDIGEST = 'erin:Diff Realm:710ad964e680335f8b85aa9d26fa00a1\n';

/** The .htaccess tree under htdocs/ht: file → contents (every directory gets page.txt). */
export const HTACCESS_FILES: Readonly<Record<string, string>> = {
  'deny/.htaccess': 'Require all denied\n',
  'files/.htaccess':
    '# the file walk applies <Files> from .htaccess too\n<Files secret.txt>\n    Require all denied\n</Files>\n',
  'bogus/.htaccess': 'Bogus on\n',
  'fileinfo/.htaccess': 'Options +Indexes\n',
  'app/.htaccess': 'SetHandler wsgi-script\nOptions +ExecCGI\nSetEnv HT_VAR from-htaccess\n',
  // mod_rewrite: a front controller in front of a WSGI script, and RewriteBase / END / loops.
  'rwapp/.htaccess':
    'AddHandler wsgi-script .wsgi\nOptions +ExecCGI\nRewriteEngine On\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ app.wsgi/$1 [QSA,L]\n',
  'rwbase/.htaccess':
    'RewriteEngine On\nRewriteOptions Inherit\nRewriteBase /ht/rwbase/\nRewriteRule ^go/(.*)$ target/$1 [R=302,L]\nRewriteRule ^abs$ /ht/rwapp/app.wsgi/fromabs [PT,L]\nRewriteRule ^end$ end2 [END]\nRewriteRule ^end2$ - [F]\nRewriteRule ^loop$ /ht/rwbase/loop [L]\nRewriteRule ^env$ /ht/rwapp/app.wsgi/env [E=HT_RW:1,L]\nRewriteRule ^page$ page.txt [L]\n',
};

/** mod_rewrite's txt: map (RewriteMap rwtxt): comments, indented lines, first key wins. */
export const RW_MAP =
  '# rewrite map\nabc found-abc\n  xyz ignored-indented\nabc second-abc\nq   spaced\n';

/** An app that raises: mod_wsgi answers 500 and logs the traceback. */
export const RAISE_APP = `def application(environ, start_response):
    raise RuntimeError('differential boom')
`;

/** An app whose body and X-Request-Method header name the method it saw (HEAD vs GET). */
export const METHOD_APP = `def application(environ, start_response):
    method = environ['REQUEST_METHOD']
    body = ('method=%s\\n' % method).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Request-Method', method),
                              ('Content-Length', str(len(body)))])
    return [body]
`;

/** An app answering the status in `?s=` with headers WSGIErrorOverride must drop or keep. */
export const EO_APP = `def application(environ, start_response):
    qs = environ.get('QUERY_STRING', '')
    status = dict(p.split('=', 1) for p in qs.split('&') if '=' in p).get('s', '200+OK')
    start_response(status.replace('+', ' '), [
        ('Content-Type', 'text/plain'), ('X-Custom', 'yes'),
        ('WWW-Authenticate', 'Basic realm="app"'), ('Set-Cookie', 'a=1')])
    return [b'app body line 1\\n', b'app body line 2\\n']
`;

/**
 * Response headers mod_wsgi reorders or merges: repeated names, cookies, WWW-Authenticate,
 * a mixed-case Content-Type, Content-Length after other headers, Last-Modified (`?bad`: an
 * unparsable date).
 */
export const HDR_APP = `def application(environ, start_response):
    bad = environ.get('QUERY_STRING') == 'bad'
    start_response('200 OK', [
        ('X-B', '1'), ('Set-Cookie', 'a=1'), ('X-A', '1'),
        ('Content-Type', 'Text/Plain; Charset=UTF-8'), ('X-B', '2'),
        ('WWW-Authenticate', 'Basic realm="x"'), ('Set-Cookie', 'b=2'),
        ('Content-Length', '3'),
        ('Last-Modified', 'garbage' if bad else 'Tue, 01 Jan 2019 00:00:00 GMT'),
        ('Vary', 'Accept'), ('vary', 'Cookie')])
    return [b'abc']
`;

/** Small responses whose framing the server decides (`?mode=`). */
export const MISC_APP = `def application(environ, start_response):
    mode = environ.get('QUERY_STRING', '')
    if mode == 'nolength':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [b'abc']
    if mode == 'empty':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return []
    if mode == 'etag':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('ETag', '"v1"'),
                                  ('Content-Length', '5')])
        return [b'hello']
    if mode == 'loc':
        start_response('200 OK', [('Location', '/dump/from-redirect?y=2'), ('X-Dropped', '1')])
        return [b'discarded']
    if mode == '204':
        start_response('204 No Content', [('Content-Type', 'text/plain')])
        return [b'ignored']
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '10')])
    return [b'0123456789']
`;

/** A WSGIHandlerScript: names what it serves and which script and callable ran. */
export const HANDLER_APP = `import os
def handle_request(environ, start_response):
    keys = ('SCRIPT_FILENAME', 'SCRIPT_NAME', 'PATH_INFO', 'mod_wsgi.handler_script',
            'mod_wsgi.callable_object', 'mod_wsgi.request_handler',
            'mod_wsgi.process_group', 'mod_wsgi.application_group')
    body = ''.join('%s=%s\\n' % (k, environ.get(k)) for k in keys)
    body += 'exists=%s\\n' % os.path.exists(environ['SCRIPT_FILENAME'])
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body.encode('utf-8')]
`;

/** WSGIAuthUserScript / WSGIAuthGroupScript / WSGIAccessScript of /wsgiauth, /wsgiaccess. */
export const AUTH_APP = `def check_password(environ, user, password):
    keys = ' '.join(sorted(environ))
    environ['wsgi.errors'].write('auth-environ %s\\n' % keys)
    environ['wsgi.errors'].write('auth-context %r %r %r\\n' % (
        environ['mod_wsgi.process_group'], environ['mod_wsgi.application_group'],
        environ['SCRIPT_NAME']))
    if user in ('nobody', 'alice'):
        return None
    if user == 'rename':
        return 'renamed-user'
    if user == 'boom':
        raise RuntimeError('auth script boom')
    return password == 'pw-' + user

def groups_for_user(environ, user):
    if user == 'lonely':
        return []
    return ['editors'] if user == 'eve' else ['viewers']

def allow_access(environ, host):
    environ['wsgi.errors'].write('access-host %s\\n' % host)
    return {'allow': True, 'deny': False}.get(environ['QUERY_STRING'])
`;

/** A WSGIDispatchScript: ?daemon moves the request into the diff group. */
export const DISPATCH_APP = `def process_group(environ):
    return 'diff' if environ.get('QUERY_STRING') == 'daemon' else None

def application_group(environ):
    return 'chosen[%s|%s]' % (environ['mod_wsgi.process_group'],
                              environ['mod_wsgi.application_group'])

def callable_object(environ):
    return 'application'
`;

/** The file under the `Require all denied` directory. */
export const PRIVATE_BODY = 'secret\n';

/** mod_cgi scripts in srv/cgi (mode 755; noexec.cgi 644): name → text. */
const CGI_SCRIPTS: Readonly<Record<string, string>> = {
  'bad.cgi': '#!/bin/sh\necho "garbage line without colon"\necho\n',
  'ext.cgi': '#!/bin/sh\necho "Location: http://example.com/elsewhere"\necho\necho ignored\n',
  'redir.cgi': '#!/bin/sh\necho "Location: /hello.txt"\necho\necho dropped\n',
  'noexec.cgi': '#!/bin/sh\necho "Content-Type: text/plain"\necho\n',
  // mod_actions' target: what the redirected request carries.
  // The body comes after a pause, so both servers send it chunked (framing is otherwise
  // decided by whether the whole output is in when the head goes out, in both).
  'env.cgi': envCgi(REDIRECT_VARS, { before: ['sleep 0.1'] }),
};

/** mod_speling's directory (htdocs/spell). */
const SPELL_FILES: Readonly<Record<string, string>> = {
  'README.txt': 'readme\n',
  'file.html': '<p>file</p>\n',
  'file.txt': 'file\n',
};

/** mod_actions' documents under htdocs/act (Action/Script in DIFF_CONF_TEMPLATE). */
const ACTION_FILES: Readonly<Record<string, string>> = {
  'a.act': 'handled by an Action\n',
  'p.html': '<p>html</p>\n',
  't.txt': 'plain text\n',
  'h.txt': 'handler?\n',
};

/** Contents of the static file served from DocumentRoot. */
export const STATIC_BODY = 'static hello from DocumentRoot\n';

/** DocumentRoot subdirectories holding dump.wsgi behind AddHandler/SetHandler. */
const HANDLER_DIRS = ['handler', 'noexec', 'nopathinfo'];

/** The shared on-disk tree both servers serve (apps + DocumentRoot). */
export interface DiffTree {
  readonly base: string;
  readonly srv: string;
  readonly htdocs: string;
  /** mod_proxy: the backend's port (@BACKEND@) and a port nothing listens on (@BACKEND_DEAD@). */
  readonly backendPort?: number;
  readonly backendDeadPort?: number;
}

/**
 * Build the shared tree in a fresh temp dir readable by www-data (dirs 755, files 644):
 * srv/dump.wsgi, srv/scripts/dump.wsgi, srv/raise.wsgi, srv/method.wsgi, htdocs/hello.txt,
 * htdocs/private/secret.txt, htdocs/{handler,noexec,nopathinfo}/dump.wsgi.
 */
export async function prepareTree(): Promise<DiffTree> {
  const base = await mkdtemp(join(tmpdir(), 'tswsgi-diff-'));
  const srv = join(base, 'srv');
  const htdocs = join(base, 'htdocs');
  const dump = join(REPO_ROOT, 'tests', 'fixtures', 'apps', 'dump.wsgi');
  await mkdir(join(srv, 'scripts'), { recursive: true });
  await mkdir(htdocs);
  await copyFile(dump, join(srv, 'dump.wsgi'));
  await copyFile(dump, join(srv, 'scripts', 'dump.wsgi'));
  await writeFile(join(htdocs, 'hello.txt'), STATIC_BODY);
  await mkdir(join(htdocs, 'private'));
  await writeFile(join(htdocs, 'private', 'secret.txt'), PRIVATE_BODY);
  await writeFile(join(srv, 'raise.wsgi'), RAISE_APP);
  await writeFile(join(srv, 'method.wsgi'), METHOD_APP);
  await writeFile(join(srv, 'eo.wsgi'), EO_APP);
  await writeFile(join(srv, 'hdr.wsgi'), HDR_APP);
  await writeFile(join(srv, 'misc.wsgi'), MISC_APP);
  await writeFile(join(srv, 'handler.wsgi'), HANDLER_APP);
  // wsgimetrics: the metrics fixture app.
  await copyFile(
    join(REPO_ROOT, 'tests', 'fixtures', 'apps', 'metrics.wsgi'),
    join(srv, 'metrics.wsgi'),
  );
  await chmod(join(srv, 'metrics.wsgi'), 0o644);
  await copyFile(
    join(REPO_ROOT, 'tests', 'fixtures', 'apps', 'socket-timeout.wsgi'),
    join(srv, 'socket-timeout.wsgi'),
  );
  await chmod(join(srv, 'socket-timeout.wsgi'), 0o644);
  await writeFile(join(srv, 'dispatch.wsgi'), DISPATCH_APP);
  await writeFile(join(srv, 'auth.wsgi'), AUTH_APP);
  await writeFile(join(srv, 'htpasswd'), HTPASSWD, { mode: 0o644 });
  await writeFile(join(srv, 'htdigest'), HTDIGEST, { mode: 0o644 });
  await writeFile(join(srv, 'htgroup'), HTGROUP, { mode: 0o644 });
  await mkdir(join(htdocs, 'handled'));
  await writeFile(join(htdocs, 'handled', 'page.txt'), 'resource text\n');
  await chmod(join(htdocs, 'handled'), 0o755);
  await chmod(join(htdocs, 'handled', 'page.txt'), 0o644);
  const htDirs = [
    'ht',
    'ht/compat',
    'ht/compat/denied',
    ...new Set(Object.keys(HTACCESS_FILES).map((f) => `ht/${dirname(f)}`)),
  ];
  for (const d of htDirs) {
    await mkdir(join(htdocs, d), { recursive: true });
    await writeFile(join(htdocs, d, 'page.txt'), `page in ${d}\n`);
  }
  for (const [f, text] of Object.entries(HTACCESS_FILES))
    await writeFile(join(htdocs, 'ht', f), text);
  await copyFile(dump, join(htdocs, 'ht', 'app', 'dump.wsgi'));
  await copyFile(dump, join(htdocs, 'ht', 'rwapp', 'app.wsgi')); // mod_rewrite front controller
  await writeFile(join(srv, 'rwmap.txt'), RW_MAP, { mode: 0o644 });
  const htFiles = [
    ...htDirs.map((d) => join(htdocs, d, 'page.txt')),
    ...Object.keys(HTACCESS_FILES).map((f) => join(htdocs, 'ht', f)),
    join(htdocs, 'ht', 'app', 'dump.wsgi'),
    join(htdocs, 'ht', 'rwapp', 'app.wsgi'),
  ];
  const handlerDirs = HANDLER_DIRS.map((d) => join(htdocs, d));
  for (const d of handlerDirs) {
    await mkdir(d);
    await copyFile(dump, join(d, 'dump.wsgi'));
  }
  for (const d of [
    base,
    srv,
    join(srv, 'scripts'),
    htdocs,
    join(htdocs, 'private'),
    ...handlerDirs,
    ...htDirs.map((d) => join(htdocs, d)),
  ])
    await chmod(d, 0o755);
  const files = [
    ...[
      'dump.wsgi',
      'scripts/dump.wsgi',
      'raise.wsgi',
      'method.wsgi',
      'eo.wsgi',
      'hdr.wsgi',
      'misc.wsgi',
    ].map((f) => join(srv, f)),
    ...handlerDirs.map((d) => join(d, 'dump.wsgi')),
  ];
  for (const f of [
    ...files,
    ...htFiles,
    join(htdocs, 'hello.txt'),
    join(htdocs, 'private', 'secret.txt'),
  ]) {
    await chmod(f, 0o644);
  }
  await mkdir(join(htdocs, 'users', 'alice', 'www'), { recursive: true });
  for (const d of ['users', 'users/alice', 'users/alice/www']) await chmod(join(htdocs, d), 0o755);
  await writeFile(join(htdocs, 'users/alice/www/page.txt'), 'alice page\n', { mode: 0o644 });
  await utimes(
    join(htdocs, 'users/alice/www/page.txt'),
    new Date('2026-01-01T00:00:00Z'),
    new Date('2026-01-01T00:00:00Z'),
  );
  await mkdir(join(htdocs, 'spell'));
  await chmod(join(htdocs, 'spell'), 0o755);
  for (const [name, text] of Object.entries(SPELL_FILES))
    await writeFile(join(htdocs, 'spell', name), text, { mode: 0o644 });
  await mkdir(join(htdocs, 'act'));
  await chmod(join(htdocs, 'act'), 0o755);
  for (const [name, text] of Object.entries(ACTION_FILES))
    await writeFile(join(htdocs, 'act', name), text, { mode: 0o644 });
  await mkdir(join(srv, 'cgi'));
  await chmod(join(srv, 'cgi'), 0o755);
  for (const [name, text] of Object.entries(CGI_SCRIPTS)) {
    await writeFile(join(srv, 'cgi', name), text);
    await chmod(join(srv, 'cgi', name), name === 'noexec.cgi' ? 0o644 : 0o755);
  }
  // Both servers make the ETag weak (W/) while the file is less than a second old
  // (httpd's ap_make_etag); a fixed old mtime makes the comparison independent of timing.
  const old = new Date('2026-01-01T00:00:00Z');
  for (const f of [
    join(htdocs, 'hello.txt'),
    join(htdocs, 'private', 'secret.txt'),
    ...htFiles,
    ...Object.keys(ACTION_FILES).map((n) => join(htdocs, 'act', n)),
  ]) {
    await utimes(f, old, old);
  }
  await prepareAutoindexTree(htdocs);
  await prepareNegotiation(htdocs, dump, old);
  await prepareGzTree(srv, htdocs); // mod_filter + mod_deflate (deflate helper)
  await prepareExprTree(htdocs); // ap_expr (expr helper)
  return { base, srv, htdocs };
}

// --- mod_negotiation (helper: negotiation) ---------------------------------------------
/** htdocs/neg: MultiViews variants, type maps and a WSGI script reached through MultiViews. */
export const NEG_FILES: Readonly<Record<string, string>> = {
  'page.html.en': 'english\n',
  'page.html.fr': 'french\n',
  'page.html.de': 'deutsch!\n',
  'data.json': '{"a":1}\n',
  'data.txt': 'plain\n',
  'comp.txt': 'plain2\n',
  'comp.txt.gz': 'gz\n',
  'cs.html.utf8': 'u\n',
  'cs.html.iso2': 'i\n',
  'index.html.en': 'idx en\n',
  'index.html.fr': 'idx fr\n',
  'odd.unknownext': 'x\n',
  'what?.html.en': 'what\n',
  'a b%.html.en': 'pct\n',
  'doc.var':
    'URI: doc\n\nURI: doc.html.en\nContent-Type: text/html\nContent-Language: en\n\n' +
    '# a comment\nURI: doc.txt\nContent-Type: text/plain; qs=0.5\nDescription: plain\n  text\n',
  'chain.var':
    'URI: chain.html.en\nContent-Type: text/html\n\nURI: doc.var\nContent-Type: text/plain\n',
  'chain.html.en': 'ce\n',
  'den.var': 'URI: denied.html\nContent-Type: text/html\n',
  'denied.html': 'd\n',
  'doc.html.en': 'EN\n',
  'doc.txt': 'TXT\n',
  'inline.var':
    'Content-Type: text/plain\nContent-Language: en\nBody:--x--\nHello\n--x--\n\n' +
    'Content-Type: text/plain\nContent-Language: de\nBody:--y--\nHallo\n--y--\n',
};

async function prepareNegotiation(htdocs: string, dump: string, old: Date): Promise<void> {
  const dir = join(htdocs, 'neg');
  await mkdir(join(dir, 'app'), { recursive: true });
  for (const [f, text] of Object.entries(NEG_FILES)) await writeFile(join(dir, f), text);
  await copyFile(dump, join(dir, 'app', 'dump.wsgi'));
  const files = [...Object.keys(NEG_FILES).map((f) => join(dir, f)), join(dir, 'app', 'dump.wsgi')];
  for (const f of files) {
    await chmod(f, 0o644);
    await utimes(f, old, old);
  }
  // The directory's mtime is the variant list's validator (part of the ETag), weak if new.
  for (const d of [join(dir, 'app'), dir]) {
    await chmod(d, 0o755);
    await utimes(d, old, old);
  }
}
// --- end mod_negotiation ---------------------------------------------------------------

// --- mod_filter + mod_deflate (deflate helper): the WSGI app and files under htdocs/gz.
/** /gzapp: a streamed body, an already-encoded answer, an ETag, an HTML page. */
export const GZ_APP = `import gzip

def application(environ, start_response):
    p = environ.get('PATH_INFO', '')
    if p == '/gzipped':
        body = gzip.compress(b'inflate me ' * 300, mtime=0)
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Encoding', 'gzip'),
                                  ('ETag', '"g1"'), ('Content-Length', str(len(body)))])
        return [body]
    if p == '/stream':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return ((('chunk %d ' % i) * 50 + '\\n').encode() for i in range(2000))
    if p == '/missing':
        start_response('404 Not Found', [('Content-Type', 'text/html')])
        return [b'<html>' + b'n' * 1000 + b'</html>']
    if p == '/enc':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Encoding', 'br')])
        return [b'x' * 500]
    if p == '/etag':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('ETag', '"abc"')])
        return [b'y' * 500]
    start_response('200 OK', [('Content-Type', 'text/html')])
    return [b'<html>' + b'z' * 1000 + b'</html>']
`;
/** htdocs/gz/page.html (and the same under nogz/ and unk/). */
export const GZ_PAGE = `<p>${'x'.repeat(200)}</p>\n`;
/** htdocs/gz/big.txt: large enough to be passed in several pieces (chunked). */
export const GZ_BIG = Array.from(
  { length: 20000 },
  (_, i) => `line ${i} ${'abc'.repeat(1 + ((i * 7) % 20))}\n`,
).join('');

/** Write the deflate helper's files (644, old mtime) and dirs (755) into the tree. */
async function prepareGzTree(srv: string, htdocs: string): Promise<void> {
  const old = new Date('2026-01-01T00:00:00Z');
  await writeFile(join(srv, 'gz.wsgi'), GZ_APP);
  await chmod(join(srv, 'gz.wsgi'), 0o644);
  const files: Record<string, string | Buffer> = {
    'gz/page.html': GZ_PAGE,
    'gz/small.txt': 'hello world\n',
    'gz/big.txt': GZ_BIG,
    'gz/pic.png': Buffer.concat([Buffer.from('\x89PNG', 'latin1'), Buffer.alloc(300)]),
    'gz/nogz/page.html': GZ_PAGE,
    'gz/unk/page.html': GZ_PAGE,
    'gz/prov/a.json': `{"a": "${'j'.repeat(300)}"}`,
    'gz/prov/b.xml': `<a>${'x'.repeat(300)}</a>`,
  };
  for (const d of ['gz', 'gz/nogz', 'gz/unk', 'gz/prov']) {
    await mkdir(join(htdocs, d), { recursive: true });
    await chmod(join(htdocs, d), 0o755);
  }
  for (const [f, text] of Object.entries(files)) {
    await writeFile(join(htdocs, f), text);
    await chmod(join(htdocs, f), 0o644);
    await utimes(join(htdocs, f), old, old);
  }
}
// --- end mod_filter + mod_deflate
// --- ap_expr (helper: expr): files under htdocs/expr.
/** htdocs/expr: pages, and an .htaccess with <If>/<Else> and RewriteCond expr. */
async function prepareExprTree(htdocs: string): Promise<void> {
  const old = new Date('2026-01-01T00:00:00Z');
  const files: Record<string, string> = {
    'expr/page.html': 'expr page\n',
    'expr/guard/p.html': 'guarded\n',
    'expr/ip/p.html': 'ip\n',
    'expr/realm/p.html': 'realm\n',
    'expr/env/x.html': 'env\n',
    'expr/vars/v.html': 'vars\n',
    'expr/ht/p.html': 'ht\n',
    'expr/ht/t-page.html': 'rewritten\n',
    'expr/ht/.htaccess':
      '<If "%{QUERY_STRING} == \'deny\'">\n    Require all denied\n</If>\n<ElseIf "-z %{QUERY_STRING}">\n    Header set X-Expr-Ht empty\n</ElseIf>\n<Else>\n    Header set X-Expr-Ht else\n</Else>\nRewriteEngine On\nRewriteCond expr "%{QUERY_STRING} =~ /^go=(\\w+)$/"\nRewriteRule ^go$ t-%1.html [L]\n',
  };
  for (const d of [
    'expr',
    'expr/guard',
    'expr/ip',
    'expr/realm',
    'expr/env',
    'expr/ht',
    'expr/vars',
  ]) {
    await mkdir(join(htdocs, d), { recursive: true });
    await chmod(join(htdocs, d), 0o755);
  }
  for (const [f, text] of Object.entries(files)) {
    await writeFile(join(htdocs, f), text);
    await chmod(join(htdocs, f), 0o644);
    await utimes(join(htdocs, f), old, old);
  }
}
// --- end ap_expr

/** Render the template for one server. */
export function renderConf(template: string, root: string, tree: DiffTree, port: number): string {
  const user = process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : '';
  return template
    .replaceAll('@ROOT@', root)
    .replaceAll('@SRV@', tree.srv)
    .replaceAll('@HTDOCS@', tree.htdocs)
    .replaceAll('@BACKEND_DEAD@', String(tree.backendDeadPort ?? 9))
    .replaceAll('@BACKEND@', String(tree.backendPort ?? 9))
    .replaceAll('@PORT@', String(port))
    .replaceAll('@USER@', user);
}

/** A loopback port the kernel just handed out (listen on 0, then close). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  if (addr === null || typeof addr === 'string') throw new Error('no port from listen(0)');
  return addr.port;
}

/** A started server; `stop()` ends it and any descendant it left, by pid. */
export interface RunningServer {
  readonly kind: string;
  readonly port: number;
  readonly root: string;
  readonly pid: number;
  /** Error log plus captured stdout/stderr, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSyncSafe('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const todo = [...(children.get(root) ?? [])];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Bounded poll of the listening port: Apache prints no readiness line on stdout.
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `exited early (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`,
      );
    }
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => {
        res(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`not listening on ${String(port)} after ${String(timeoutMs)} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/**
 * Render the template into `<tree.base>/<kind>/httpd.conf` and start
 * `<bin> -f conf -DFOREGROUND`; resolves once the port accepts connections.
 */
export async function startHttpd(
  kind: string,
  bin: string,
  template: string,
  tree: DiffTree,
  timeoutMs = 30_000,
): Promise<RunningServer> {
  const root = join(tree.base, kind);
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755);
  const port = await freePort();
  const conf = join(root, 'httpd.conf');
  await writeFile(conf, renderConf(template, root, tree, port));
  const child = spawn(bin, ['-f', conf, '-DFOREGROUND'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, APACHE_RUN_DIR: root, APACHE_LOCK_DIR: root, APACHE_LOG_DIR: root },
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const spawnError = new Promise<never>((_, rej) => child.once('error', rej));
  spawnError.catch(() => undefined);
  const pid = child.pid;
  const logs = async (): Promise<string> => {
    const err = await readFile(join(root, 'error.log'), 'utf8').catch(() => '');
    return `${err}${output}`;
  };
  const stop = async (): Promise<void> => {
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const tree = descendants(pid);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    for (const p of tree) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone: the normal case
      }
    }
  };
  if (pid === undefined) {
    await spawnError;
    throw new Error(`could not spawn ${bin}`);
  }
  try {
    await Promise.race([waitForPort(port, child, timeoutMs), spawnError]);
  } catch (e) {
    const text = await logs();
    await stop();
    throw new Error(
      `${kind} failed to start: ${e instanceof Error ? e.message : String(e)}\n${text.slice(-2000)}`,
      { cause: e },
    );
  }
  return { kind, port, root, pid, logs, stop };
}
