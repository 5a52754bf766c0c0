// Unit tests of format.js: the lesson's formulas with the reference
// model's numbers (as describeLayers gives them).
import test from 'node:test';
import assert from 'node:assert/strict';
import { plain, padTerm, sizeFormula, paramFormula, flattenFormula, areaFormula, percent } from './format.js';

test('plain', () => {
  assert.equal(plain(2.5), '2.5');
  assert.equal(plain(27), '27');
  assert.equal(plain(1 / 3), '0.333');
});

test('sizeFormula: the reference model, 28 -> 28 -> 14 -> 7 -> 3', () => {
  const same = { n: 28, k: 3, s: 1, padBefore: 1, padAfter: 1, padTotal: 2, quotient: 27, out: 28 };
  assert.deepEqual(sizeFormula(same), { text: 'floor((28 + 2·1 − 3) / 1) + 1 = 27 + 1 = 28', floored: false });
  const pool = { n: 28, k: 2, s: 2, padBefore: 0, padAfter: 0, padTotal: 0, quotient: 13, out: 14 };
  assert.deepEqual(sizeFormula(pool), { text: 'floor((28 + 2·0 − 2) / 2) + 1 = floor(13) + 1 = 14', floored: false });
  const floors = { n: 7, k: 2, s: 2, padBefore: 0, padAfter: 0, padTotal: 0, quotient: 2.5, out: 3 };
  assert.deepEqual(sizeFormula(floors), { text: 'floor((7 + 2·0 − 2) / 2) + 1 = floor(2.5) + 1 = 3', floored: true });
});

test('sizeFormula: odd same padding, transposed', () => {
  assert.equal(padTerm({ padBefore: 0, padAfter: 1 }), '0 + 1');
  const odd = { n: 8, k: 3, s: 2, padBefore: 0, padAfter: 1, padTotal: 1, quotient: 3, out: 4 };
  assert.equal(sizeFormula(odd).text, 'floor((8 + 0 + 1 − 3) / 2) + 1 = floor(3) + 1 = 4');
  const tr = { transposed: true, n: 3, k: 3, s: 2, padBefore: 0, padAfter: 0, padTotal: 0, out: 7 };
  assert.deepEqual(sizeFormula(tr), { text: '(3 − 1)·2 + 3 − 0 = 7', floored: false });
});

test('paramFormula and flattenFormula', () => {
  assert.equal(paramFormula('Conv2D', { kh: 3, kw: 3, cin: 1, cout: 32, bias: true }, 320), '(3·3·1 + 1)·32 = 320');
  assert.equal(paramFormula('Conv2D', { kh: 3, kw: 3, cin: 2, cout: 3, bias: false }, 54), '3·3·2·3 = 54');
  assert.equal(paramFormula('Dense', { kh: 1, kw: 1, cin: 1152, cout: 128, bias: true }, 147584), '(1,152 + 1)·128 = 147,584');
  assert.equal(paramFormula('Dense', { kh: 1, kw: 1, cin: 4, cout: 2, bias: false }, 8), '4·2 = 8');
  assert.equal(flattenFormula([3, 3, 128], 1152), '3·3·128 = 1,152');
});

test('areaFormula and percent', () => {
  assert.equal(areaFormula({ outShape: [14, 14, 64], channels: 64, values: 12544 }), '14·14 × 64 = 12,544');
  assert.equal(areaFormula({ outShape: [128], channels: 128, values: 128 }), '128');
  assert.equal(percent(147584 / 435306), '33.9%');
  assert.equal(percent(147456 / 29275904), '0.50%');
  assert.equal(percent(1280 / 29275904), '0.004%');
  assert.equal(percent(0), '0%');
});

test('weightsFormula: the notes\' example, 3 -> 192 channels with 3x3 kernels', async () => {
  const { weightsFormula, trySpec } = await import('./format.js');
  const c = { kh: 3, kw: 3, cin: 3, cout: 192, bias: true, weights: 5184, biases: 192 };
  assert.equal(weightsFormula('Conv2D', c), '(3·3·3)·192 = 5,184');
  assert.equal(paramFormula('Conv2D', c, 5376), '(3·3·3 + 1)·192 = 5,376');
  assert.equal(weightsFormula('Dense', { kh: 1, kw: 1, cin: 784, cout: 128, weights: 100352 }), '784·128 = 100,352');
  assert.deepEqual(trySpec({ n: 32, cin: 3, filters: 192, k: 3, s: 1, padding: 'same' }), {
    input: [32, 32, 3],
    layers: [{ type: 'Conv2D', filters: 192, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu' }],
  });
});
