// %{…}t, %{…}T forms (mod_log_config log_request_time_custom / log_request_duration).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duration, requestTime, strftime } from './log-time.js';

// A fixed local moment: the expectations are built from the same local fields.
const T = new Date(2026, 10, 22, 9, 5, 7, 123).getTime();

describe('strftime', () => {
  it('formats the conversions log formats use, in local time', () => {
    assert.equal(strftime('%Y-%m-%d %H:%M:%S', T), '2026-11-22 09:05:07');
    assert.equal(strftime('%a %A %b %B %e %j %y', T), 'Sun Sunday Nov November 22 326 26');
    assert.equal(strftime('%I %p %T %D %F %R %%', T), '09 AM 09:05:07 11/22/26 2026-11-22 09:05 %');
    assert.equal(strftime('%s', T), String(Math.floor(T / 1000)));
    assert.match(strftime('%z', T), /^[+-]\d{4}$/);
    assert.equal(strftime('%Q stays', T), '%Q stays');
  });
});

describe('requestTime (%{…}t)', () => {
  const clf = (ms: number): string => `clf:${String(ms)}`;
  it('reads the epoch forms and begin:/end: prefixes', () => {
    assert.equal(requestTime('sec', T, T + 5000, clf), String(Math.floor(T / 1000)));
    assert.equal(requestTime('msec', T, T, clf), String(T));
    assert.equal(requestTime('usec', T, T, clf), String(T * 1000));
    assert.equal(requestTime('msec_frac', T, T, clf), '123');
    assert.equal(requestTime('usec_frac', T, T, clf), '123000');
    assert.equal(requestTime('end:sec', T, T + 5000, clf), String(Math.floor((T + 5000) / 1000)));
    assert.equal(requestTime('begin:%H', T, T + 3600000, clf), '09');
    assert.equal(requestTime('end:', T, T + 1, clf), `clf:${String(T + 1)}`);
  });
});

describe('duration (%{…}T)', () => {
  it('is whole seconds by default, or ms / us', () => {
    assert.equal(duration(undefined, 0, 2500.7), '2');
    assert.equal(duration('s', 0, 2500.7), '2');
    assert.equal(duration('ms', 0, 2500.7), '2500');
    assert.equal(duration('us', 0, 2500.7), '2500700');
    assert.equal(duration('ms', 10, 5), '0');
  });
});
