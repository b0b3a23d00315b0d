// httpd: modules/aaa/mod_authn_file.c (AuthUserFile; the `file` authn provider:
// check_password, get_realm_hash), server/util.c (ap_pcfg_openfile, ap_cfg_getline),
// apr-util crypto/apr_passwd.c (apr_password_validate, through util/password.ts).
//
// The password file is read on every check, as httpd reads it, so an edit applies to the
// next request. Lines are `user:hash[:anything]` (htpasswd) or `user:realm:md5` (htdigest,
// for AuthBasicUseDigestAlgorithm MD5); `#` lines and blank lines are skipped.

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import type { RequestRecord } from '../../request/record.js';
import { requestCfgLines } from '../../request/cfg-file.js';
import { passwordValidate } from '../../util/password.js';
import type { AuthnProvider, AuthnStatus, ModuleDef } from '../module.js';

export interface AuthnFileDirConf {
  /** AuthUserFile, absolute (relative names are taken from ServerRoot). */
  userFile: string | undefined;
}

const merge: MergeSpec<AuthnFileDirConf> = { userFile: 'override' };

function directives(
  d: DirectiveBuilder<undefined, AuthnFileDirConf>,
): AnyDirective<undefined, AuthnFileDirConf>[] {
  return [
    d.take1(
      'AuthUserFile',
      Ctx.OR_AUTHCFG,
      'text file containing user IDs and passwords',
      (c, v) => {
        c.dir.userFile = c.serverRootRelative(v);
      },
    ),
  ];
}

/** ap_cfg_getline's limit (MAX_STRING_LEN): a longer line ends the read, as in httpd. */
const MAX_LINE = 8191;

/** The password file's lines, or undefined after logging AH01620 / AH01622. */
function readLines(
  r: RequestRecord,
  file: string,
  id: 'AH01620' | 'AH01622',
): Promise<readonly string[] | undefined> {
  return requestCfgLines(
    r,
    file,
    (status) =>
      r.logError('error', 'authn_file', id, `Could not open password file: ${file}`, status),
    MAX_LINE,
  );
}

/** The module's check_password. */
async function checkPassword(
  r: RequestRecord,
  user: string,
  password: string,
): Promise<AuthnStatus> {
  const file = r.dirConf(authnFileModule).userFile;
  if (file === undefined) {
    r.logError('error', 'authn_file', 'AH01619', 'AuthUserFile not specified in the configuration');
    return 'generalError';
  }
  const lines = await readLines(r, file, 'AH01620');
  if (lines === undefined) return 'generalError';
  let stored: string | undefined;
  for (const l of lines) {
    if (l === '' || l.startsWith('#')) continue;
    const [name, hash] = l.split(':', 2);
    if (name === user) {
      stored = hash ?? '';
      break;
    }
  }
  if (stored === undefined) return 'userNotFound';
  const res = await passwordValidate(Buffer.from(password, 'latin1'), stored);
  if ('unsupported' in res) {
    r.logError(
      'error',
      'authn_file',
      'MW00511',
      `user ${user}: the password hash in ${file} is ${res.unsupported}, which tswsgi cannot check; use htpasswd -B (bcrypt) or -m (MD5)`,
    );
    return 'denied';
  }
  return res.ok ? 'granted' : 'denied';
}

/** The module's get_realm_hash (htdigest lines `user:realm:hash`). */
async function getRealmHash(
  r: RequestRecord,
  user: string,
  realm: string,
): Promise<{ hash: string } | { status: AuthnStatus }> {
  const file = r.dirConf(authnFileModule).userFile;
  if (file === undefined) {
    r.logError('error', 'authn_file', 'AH01621', 'AuthUserFile not specified in the configuration');
    return { status: 'generalError' };
  }
  const lines = await readLines(r, file, 'AH01622');
  if (lines === undefined) return { status: 'generalError' };
  for (const l of lines) {
    if (l === '' || l.startsWith('#')) continue;
    const [name, rlm, hash] = l.split(':', 3);
    if (name === user && rlm === realm) return { hash: hash ?? '' };
  }
  return { status: 'userNotFound' };
}

const FILE_PROVIDER: AuthnProvider = { checkPassword, getRealmHash };

/** mod_authn_file. */
export const authnFileModule: ModuleDef<undefined, AuthnFileDirConf> = {
  name: 'authn_file',
  dir: { create: () => ({ userFile: undefined }), merge },
  directives,
  authnProviders: { file: FILE_PROVIDER },
};
