// mod_mime's find_ct pieces: the content type rebuilt with its parameters (analyze_ct),
// as Apache 2.4 sends it (checked: AddType "text/html;qs=0.5" .htm → "text/html; qs=0.5").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMimeTypes, withParams } from './find-ct.js';

describe('withParams', () => {
  it('leaves a bare type alone and appends AddCharset', () => {
    assert.equal(withParams('text/html', undefined), 'text/html');
    assert.equal(withParams('text/html', 'utf-8'), 'text/html; charset=utf-8');
  });
  it('writes parameters as `; attr=val`', () => {
    assert.equal(withParams('text/html;qs=0.5', undefined), 'text/html; qs=0.5');
    assert.equal(withParams('text/html ;  level=2;', undefined), 'text/html; level=2');
  });
  it('lets AddCharset replace a charset parameter in place', () => {
    assert.equal(
      withParams('text/html;charset=latin1;qs=0.5', 'utf-8'),
      'text/html; charset=utf-8; qs=0.5',
    );
    assert.equal(withParams('text/html;qs=0.5', 'utf-8'), 'text/html; qs=0.5; charset=utf-8');
  });
});

describe('parseMimeTypes', () => {
  it('maps every extension of a line to its type, lower-cased, ignoring comments', () => {
    const m = parseMimeTypes('# c\nText/HTML html HTM\napplication/x-none\n\nimage/png png # x\n');
    assert.equal(m.get('htm'), 'text/html');
    assert.equal(m.get('png'), 'image/png');
    assert.equal(m.size, 3);
  });
});
