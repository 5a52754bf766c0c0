// Unit tests of state.js: the sandbox's URL form and presets.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseSandbox, formatSandbox, sizeRequest, PRESETS, DEFAULTS } from './state.js';

test('parseSandbox reads valid, same and explicit padding', () => {
  assert.deepEqual(parseSandbox('7,3,1,valid'), { n: 7, k: 3, s: 1, padding: 'valid', p: 0 });
  assert.deepEqual(parseSandbox('6,3,2,same'), { n: 6, k: 3, s: 2, padding: 'same', p: 0 });
  assert.deepEqual(parseSandbox('5,3,1,2'), { n: 5, k: 3, s: 1, padding: 'explicit', p: 2 });
  assert.deepEqual(parseSandbox('2,5,0,valid'), { n: 2, k: 5, s: 0, padding: 'valid', p: 0 }, 'invalid combinations stay, for the engine to explain');
});

test('parseSandbox refuses malformed and out-of-range text', () => {
  for (const bad of [null, '', '7,3,1', '7,3,1,full', '0,3,1,valid', '17,3,1,valid', '7,10,1,valid', '7,3,6,valid', '7,3,1,5', '7,3,1,-1', 'a,3,1,valid']) {
    assert.equal(parseSandbox(bad), null, bad);
  }
});

test('formatSandbox round-trips, and presets and defaults are valid settings', () => {
  for (const v of [DEFAULTS, ...PRESETS]) {
    const { n, k, s, padding, p } = v;
    assert.deepEqual(parseSandbox(formatSandbox(v)), { n, k, s, padding, p });
  }
  assert.equal(formatSandbox({ n: 9, k: 3, s: 2, padding: 'explicit', p: 1 }), '9,3,2,1');
});

test('sizeRequest sends p only with explicit padding', () => {
  assert.deepEqual(sizeRequest({ n: 7, k: 3, s: 1, padding: 'same', p: 2 }), { n: 7, k: 3, s: 1, padding: 'same' });
  assert.deepEqual(sizeRequest({ n: 7, k: 3, s: 1, padding: 'explicit', p: 2 }), { n: 7, k: 3, s: 1, padding: 'explicit', p: 2 });
});

test('switching to valid or same drops the explicit p; same shows the engine\'s', async () => {
  const { choosePadding, shownP } = await import('./state.js');
  const v = { n: 7, k: 3, s: 1, padding: 'explicit', p: 2 };
  const valid = choosePadding(v, 'valid');
  assert.equal(valid.p, 0);
  assert.equal(shownP(valid, { valid: true, padBefore: 2 }), 0);
  const same = choosePadding(v, 'same');
  assert.equal(same.p, 0);
  assert.equal(shownP(same, null), 0, 'while the engine is asked');
  assert.equal(shownP(same, { valid: true, padBefore: 1, padAfter: 1 }), 1);
  assert.equal(choosePadding(same, 'explicit').p, 0);
  assert.equal(shownP(v, null), 2);
});
