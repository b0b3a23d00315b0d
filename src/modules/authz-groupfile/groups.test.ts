import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupsForUser } from './index.js';

describe('groupsForUser (mod_authz_groupfile groups_for_user)', () => {
  const lines = [
    '# comment: ignored',
    '',
    'admins : carol "d ave"',
    "staff: alice 'carol'",
    'nocolon carol',
    'empty:',
  ];
  it('finds every group that lists the user, with the name trimmed before the colon', () => {
    assert.deepEqual([...groupsForUser(lines, 'carol')].sort(), ['admins', 'staff']);
    assert.deepEqual([...groupsForUser(lines, 'alice')], ['staff']);
  });
  it('splits members as ap_getword_conf does (quoted names)', () => {
    assert.deepEqual([...groupsForUser(lines, 'd ave')], ['admins']);
    assert.deepEqual([...groupsForUser(lines, '"d')], []);
  });
  it('matches names exactly and never a comment or a line without members', () => {
    assert.deepEqual([...groupsForUser(lines, 'Carol')], []);
    assert.deepEqual([...groupsForUser(lines, 'comment')], []);
    assert.deepEqual([...groupsForUser(lines, '')], []);
  });
});
