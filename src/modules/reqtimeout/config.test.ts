import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, parseStage } from './config.js';
import { readTimeoutsOf } from './index.js';

describe('RequestReadTimeout parameters (set_reqtimeout_param)', () => {
  it('reads a timeout, a range with MinRate, and MinRate in any case', () => {
    assert.deepEqual(parseStage('header', '20'), [
      'header',
      { timeout: 20, maxTimeout: 0, minRate: 0 },
    ]);
    assert.deepEqual(parseStage('HEADER', '20-40,MinRate=500'), [
      'header',
      { timeout: 20, maxTimeout: 40, minRate: 500 },
    ]);
    assert.deepEqual(parseStage('Body', '10,minrate=1'), [
      'body',
      { timeout: 10, maxTimeout: 0, minRate: 1 },
    ]);
    assert.deepEqual(parseStage('handshake', '0'), [
      'handshake',
      { timeout: 0, maxTimeout: 0, minRate: 0 },
    ]);
  });
  it('refuses what httpd refuses, with its words', () => {
    assert.equal(parseStage('headers', '5'), 'Unknown RequestReadTimeout parameter');
    assert.equal(parseStage('header', ''), "Value '' not numerical");
    assert.equal(parseStage('header', '5s'), "Cannot parse 's'");
    assert.equal(parseStage('header', '5-9'), 'Must set MinRate option if using timeout range');
    assert.equal(parseStage('header', '-5'), 'Must set MinRate option if using timeout range');
    assert.equal(parseStage('header', '-5,MinRate=5'), "Value '' not numerical");
    assert.equal(parseStage('header', '5,MinRate=-1'), 'Value must be non-negative');
    assert.equal(parseStage('header', '5,MinRate=0'), 'Minimum data rate must be larger than 0');
    assert.equal(
      parseStage('header', '5-5,MinRate=1'),
      'Maximum timeout must be larger than initial timeout',
    );
    assert.equal(parseStage('body', '5-x,MinRate=1'), "Value 'x' not numerical");
  });
});

describe('the deadlines a server gets (INIT_STAGE, reqtimeout_init)', () => {
  it('uses the defaults for stages never configured', () => {
    assert.deepEqual(readTimeoutsOf({ handshake: undefined, header: undefined, body: undefined }), {
      header: DEFAULTS.header,
      body: DEFAULTS.body,
    });
  });
  it('turns a stage off with 0, and the module off when both are', () => {
    const off = { timeout: 0, maxTimeout: 0, minRate: 0 };
    const five = { timeout: 5, maxTimeout: 0, minRate: 0 };
    assert.deepEqual(readTimeoutsOf({ handshake: undefined, header: off, body: five }), {
      header: undefined,
      body: five,
    });
    assert.equal(readTimeoutsOf({ handshake: undefined, header: off, body: off }), undefined);
  });
});
