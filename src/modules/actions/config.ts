// httpd: modules/mappers/mod_actions.c (action_cmds, add_action, set_script,
// create_action_dir_config, merge_action_dir_configs).
//
// `Action type-or-handler /script [virtual]` (OR_FILEINFO: .htaccess under AllowOverride
// FileInfo) and `Script METHOD /script` (server, vhost, directory sections).

import { ACCESS_CONF, Ctx, RSRC_CONF } from '../../config/directive.js';
import type { AnyDirective, DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

/** One Action: the script URL and whether the requested file need not exist. */
export interface ActionEntry {
  readonly script: string;
  readonly virtual: boolean;
}

export interface ActionsDirConf {
  /** Action entries by handler name or media type, lower-cased (apr_table keys). */
  actionTypes: Readonly<Record<string, ActionEntry>>;
  /** Script entries by method (case-sensitive, as ap_method_register names them). */
  scripted: Readonly<Record<string, string>>;
  /** Any Action or Script here or in an enclosing section. */
  configured: boolean;
}

const create = (): ActionsDirConf => ({ actionTypes: {}, scripted: {}, configured: false });

const merge: MergeSpec<ActionsDirConf> = {
  // apr_table_overlay(add, base): the inner section's entries win.
  actionTypes: (base, over) => ({ ...base, ...over }),
  scripted: (base, over) => ({ ...base, ...over }),
  configured: (base, over) => base || over,
};

/** mod_actions' directive table. */
export function actionsDirectives(
  d: DirectiveBuilder<undefined, ActionsDirConf>,
): AnyDirective<undefined, ActionsDirConf>[] {
  return [
    d.take23(
      'Action',
      Ctx.OR_FILEINFO,
      'a media type followed by a script name',
      (c, type, script, option) => {
        if (option !== undefined && option.toLowerCase() !== 'virtual')
          throw c.fail(`unrecognized option '${option}'`);
        c.dir.actionTypes = {
          ...c.dir.actionTypes,
          [type.toLowerCase()]: { script, virtual: option !== undefined },
        };
        c.dir.configured = true;
      },
    ),
    d.take2(
      'Script',
      ACCESS_CONF | RSRC_CONF,
      'a method followed by a script name',
      (c, method, script) => {
        if (method === 'TRACE') throw c.fail('TRACE not allowed for Script');
        c.dir.scripted = { ...c.dir.scripted, [method]: script };
        c.dir.configured = true;
      },
    ),
  ];
}

/** mod_actions' config pieces, to spread into its ModuleDef. */
export const actionsConfig = {
  dir: { create, merge },
  directives: actionsDirectives,
} as const;
