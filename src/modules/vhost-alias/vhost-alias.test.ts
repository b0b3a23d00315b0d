import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkFormat, interpolate } from './index.js';

// The interpolation table of the mod_vhost_alias manual, for www.domain.example.com.
describe('mod_vhost_alias interpolation', () => {
  const host = 'www.domain.example.com';
  const cases: [string, string][] = [
    ['/s/%0', '/s/www.domain.example.com'],
    ['/s/%1', '/s/www'],
    ['/s/%2', '/s/domain'],
    ['/s/%-1', '/s/com'],
    ['/s/%-2', '/s/example'],
    ['/s/%2+', '/s/domain.example.com'],
    ['/s/%-2+', '/s/www.domain.example'],
    ['/s/%9', '/s/_'],
    ['/s/%2.1/%2.2/%2.3+', '/s/d/o/main'],
    ['/s/%2.-1', '/s/n'],
    ['/s/%2.-2+', '/s/domai'],
    ['/s/%0.9', '/s/i'],
    ['/s/%1.4', '/s/_'],
    ['/s/%%/%p/', '/s/%/8080'],
  ];
  for (const [map, want] of cases)
    it(`${map} → ${want}`, () => assert.equal(interpolate(host, map, 8080), want));

  it('lower-cases the name parts, not the format', () => {
    assert.equal(interpolate('WWW.Example.COM', '/Sites/%0', 80), '/Sites/www.example.com');
  });

  it('checks formats as vhost_alias_set does', () => {
    assert.equal(checkFormat('/s/%0/%-2+.1/%p/%%'), undefined);
    assert.equal(checkFormat('/s/%a'), 'syntax error in format string');
    assert.equal(checkFormat('/s/%1.x'), 'syntax error in format string');
    assert.equal(checkFormat('/s/%-'), 'syntax error in format string');
  });
});
