// Unit tests of matrix.js (node --test web/).
import test from 'node:test';
import assert from 'node:assert/strict';
import { cell, cellColour, cellSamples, kerasList, matrixTotal, worstClass } from './matrix.js';

// Three classes, 12 samples: class 0 4/5 right (one taken for 2), class 1
// 2/4 (one for 0, one for 2), class 2 3/3.
const r = {
  classes: 3,
  confusion: new Int32Array([4, 0, 1, 1, 2, 1, 0, 0, 3]),
  classAccuracy: [0.8, 0.5, 1],
  misclassified: new Int32Array([2, 5, 9]),
  predicted: new Int32Array([2, 0, 2]),
  labels: new Int32Array([0, 1, 1]),
};

test('kerasList rounds like the notebook prints', () => {
  assert.equal(kerasList(0.29999898096615096, 0.894), '[0.3000, 0.8940]');
  assert.equal(kerasList(0.22784, 0.91414), '[0.2278, 0.9141]');
});

test('cellSamples picks the misclassified samples of one cell', () => {
  assert.deepEqual(cellSamples(r, 0, 2), [2]);
  assert.deepEqual(cellSamples(r, 1, 0), [5]);
  assert.deepEqual(cellSamples(r, 1, 2), [9]);
  assert.deepEqual(cellSamples(r, 2, 0), []);
  assert.deepEqual(cellSamples(r, 0, 0), [], 'the diagonal has no mistakes');
});

test('cell and matrixTotal read the matrix by row', () => {
  assert.equal(cell(r, 1, 0), 1);
  assert.equal(cell(r, 2, 2), 3);
  assert.equal(matrixTotal(r), 12);
});

test('cellColour scales the diagonal and the mistakes separately', () => {
  assert.deepEqual(cellColour(r, 0, 0), { kind: 'right', alpha: 1, text: 'light' });
  assert.deepEqual(cellColour(r, 1, 1), { kind: 'right', alpha: 0.5, text: 'dark' });
  assert.deepEqual(cellColour(r, 1, 0), { kind: 'wrong', alpha: 1, text: 'light' });
  assert.deepEqual(cellColour(r, 2, 0), { kind: 'wrong', alpha: 0, text: 'dark' });
  const none = { classes: 2, confusion: [3, 0, 0, 3] };
  assert.deepEqual(cellColour(none, 0, 1), { kind: 'wrong', alpha: 0, text: 'dark' });
});

test('worstClass finds the lowest accuracy and its mistakes, most first', () => {
  assert.deepEqual(worstClass(r), { truth: 1, accuracy: 0.5, mistakes: [{ pred: 0, count: 1 }, { pred: 2, count: 1 }] });
  assert.deepEqual(worstClass({ ...r, classAccuracy: [null, null, null] }), null);
  const skewed = { ...r, confusion: new Int32Array([4, 0, 1, 3, 2, 1, 0, 0, 3]), classAccuracy: [0.8, 1 / 3, 1] };
  assert.deepEqual(worstClass(skewed).mistakes, [{ pred: 0, count: 3 }, { pred: 2, count: 1 }]);
});

test('lesson is read off the matrix', async () => {
  const { lesson } = await import('./matrix.js');
  // Three classes of 100: 0 and 2 swap 20 and 5 images, class 1 is clean.
  const m = { classes: 3, confusion: Int32Array.from([75, 0, 25, 1, 99, 0, 5, 0, 95]), classAccuracy: [0.75, 0.99, 0.95] };
  assert.deepEqual(lesson(m), [
    ['eval.lesson.pair', { a: 0, b: 2, ab: 25, ba: 5 }],
    ['eval.lesson.worst', { truth: 0, acc: 0.75, pred: 2, n: 25 }],
    ['eval.lesson.clean', { classes: [1], pct: 0.03 }],
    ['eval.lesson.look', {}],
  ]);
  // A model that mixes everything: no class is called clean, whatever the data set.
  const bad = { classes: 3, confusion: Int32Array.from([40, 30, 30, 30, 40, 30, 30, 30, 40]), classAccuracy: [0.4, 0.4, 0.4] };
  assert.deepEqual(lesson(bad, true).find(([k]) => k.startsWith('eval.lesson.noClean')), ['eval.lesson.noClean', { pct: 0.03 }]);
  // Tops confused in Fashion-MNIST (shirt 6 and T-shirt 0) get the outline sentence.
  const f = { classes: 10, confusion: new Int32Array(100), classAccuracy: Array(10).fill(1) };
  for (let k = 0; k < 10; k++) f.confusion[k * 10 + k] = 100;
  f.confusion[6 * 10 + 0] = 12;
  f.classAccuracy[6] = 100 / 112;
  assert.deepEqual(lesson(f, true).slice(0, 2), [['eval.lesson.pair', { a: 6, b: 0, ab: 12, ba: 0 }], ['eval.lesson.tops', {}]]);
  assert.deepEqual(lesson({ classes: 2, confusion: Int32Array.from([5, 0, 0, 5]), classAccuracy: [1, 1] }), [['eval.lesson.none', {}]]);
});
