import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrom } from './config.js';
import { inDomain } from '../../request/remote-host.js';

describe('Allow/Deny from words (allow_cmd)', () => {
  it('tells env=, env=!, all, addresses, networks and host names apart', () => {
    assert.deepEqual(parseFrom('env=!X'), { type: 'nenv', name: 'X' });
    assert.deepEqual(parseFrom('ENV=Y'), { type: 'env', name: 'Y' });
    assert.deepEqual(parseFrom('All'), { type: 'all' });
    assert.deepEqual(parseFrom('example.com'), { type: 'host', domain: 'example.com' });
    const net = parseFrom('10.1');
    assert.ok(typeof net !== 'string' && net.type === 'ip');
    assert.deepEqual([...net.subnet.mask], [255, 255, 0, 0]);
    const masked = parseFrom('192.168.7.9/255.255.255.0');
    assert.ok(typeof masked !== 'string' && masked.type === 'ip');
    assert.deepEqual([...masked.subnet.addr], [192, 168, 7, 0]);
    const v6 = parseFrom('2001:db8::/32');
    assert.ok(typeof v6 !== 'string' && v6.type === 'ip');
    assert.equal(v6.subnet.addr.length, 16);
  });

  it('gives httpd error texts', () => {
    assert.equal(parseFrom('1.2.3.400'), 'The specified IP address is invalid.');
    assert.equal(parseFrom('10.0.0.0/40'), 'The specified network mask is invalid.');
    assert.equal(parseFrom('host/8'), 'An IP address was expected');
    assert.equal(parseFrom('#'), 'No comments are allowed here');
  });
});

describe('in_domain', () => {
  it('matches whole labels only', () => {
    assert.equal(inDomain('good.com', 'www.good.com'), true);
    assert.equal(inDomain('good.com', 'good.com'), true);
    assert.equal(inDomain('good.com', 'nogood.com'), false);
    assert.equal(inDomain('.good.com', 'x.good.com'), true);
    assert.equal(inDomain('GOOD.com', 'www.good.COM'), true);
    assert.equal(inDomain('www.good.com', 'good.com'), false);
  });
});
