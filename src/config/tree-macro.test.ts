import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkParams, substitute } from './tree-macro.js';

describe('mod_macro substitution', () => {
  it('replaces every occurrence, the longest name first where two start at one place', () => {
    assert.equal(
      substitute('Alias /$name $name_dir/$name', ['$name', '$name_dir'], ['a', '/srv']),
      'Alias /a /srv/a',
    );
  });

  it('quotes an @ argument, escaping quotes and backslashes', () => {
    assert.equal(
      substitute('Header set X @v', ['@v'], ['say "hi" \\o/']),
      'Header set X "say \\"hi\\" \\\\o/"',
    );
  });

  it('marks the parameters used and leaves text without them alone', () => {
    const used = [false, false];
    assert.equal(substitute('ServerAdmin $a', ['$a', '$b'], ['$a', '$b'], used), 'ServerAdmin $a');
    assert.deepEqual(used, [true, false]);
    assert.equal(substitute('nothing here', ['$a'], ['x']), 'nothing here');
  });

  it('checks argument names as httpd does: conflicts are errors, the rest warnings', () => {
    const warned: string[] = [];
    const warn = (id: string, text: string): void => void warned.push(`${id} ${text}`);
    assert.equal(checkParams('m', 'here', ['$a', 'b', '$ab'], warn), undefined);
    assert.deepEqual(warned, [
      "AH02797 macro 'm' (here): argument name prefix conflict ($a #1 and $ab #3), be careful about your macro definition!",
      "AH02796 macro 'm' (here) argument name 'b' (#2) without expected prefix, better prefix argument names with one of '$%@'.",
    ]);
    assert.equal(
      checkParams('m', 'here', ['$a', '$a'], () => undefined),
      "argument name conflict in macro 'm' (here): argument '$a': #1 and #2, change argument names!",
    );
  });
});
