// Unit tests of modelfile.js (node --test web/).
import test from 'node:test';
import assert from 'node:assert/strict';
import { isKerasFile, isModelFileName, dragHasFiles, bestAnswer, loadedParts } from './modelfile.js';

test('isKerasFile knows Keras files by name, or an HDF5 file by its bytes', () => {
  const hdf5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
  const zip = new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0]);
  assert.equal(isKerasFile('fashion_mnist_model.h5', zip), true);
  assert.equal(isKerasFile('M.KERAS', zip), true);
  assert.equal(isKerasFile('model.hdf5'), true);
  assert.equal(isKerasFile('weights.npz', zip), false);
  assert.equal(isKerasFile('model.cpw', new Uint8Array([0x89, 0x43, 0x50, 0x57])), false);
  assert.equal(isKerasFile('download', hdf5), true);
  assert.equal(isKerasFile('', hdf5.slice(0, 4)), false);
});

test('isModelFileName and dragHasFiles', () => {
  for (const n of ['a.h5', 'b.keras', 'c.cpw', 'd.NPZ', 'e.hdf5']) assert.equal(isModelFileName(n), true, n);
  for (const n of ['a.png', 'h5', 'model', 'x.h5.txt']) assert.equal(isModelFileName(n), false, n);
  assert.equal(dragHasFiles(['text/plain', 'Files']), true);
  assert.equal(dragHasFiles(['text/uri-list']), false);
  assert.equal(dragHasFiles(undefined), false);
});

test('bestAnswer takes the highest accuracy, the earlier answer on a tie, and skips failures', () => {
  assert.equal(bestAnswer({}), null);
  assert.equal(bestAnswer({ unit: { accuracy: 0.1 }, standardized: { accuracy: 0.91 }, raw: { accuracy: 0.1 } }), 'standardized');
  assert.equal(bestAnswer({ unit: { accuracy: 0.5 }, standardized: { accuracy: 0.5 } }), 'unit');
  assert.equal(bestAnswer({ unit: new Error('no test samples'), raw: { accuracy: 0.2 } }), 'raw');
});

test('loadedParts says what loading did: the input answer, logits, and that the answer is kept', () => {
  const keys = (info) => loadedParts(info, 'm.h5', 6).map(([k]) => k);
  assert.deepEqual(keys({ format: 'Keras 2 .h5', kerasVersion: '2.13.1', input: 'unit', logits: false, scalingKnown: false }),
    ['keep.kf.loaded', 'keep.kf.wrapped.unit', 'keep.kf.kept']);
  assert.deepEqual(keys({ format: 'Keras 3 .keras', kerasVersion: '3.6.0', input: 'raw', logits: true, scalingKnown: true }),
    ['keep.kf.loaded', 'keep.kf.rescaling', 'keep.kf.logits', 'keep.kf.kept']);
  assert.deepEqual(keys({ format: 'x', input: 'standardized', logits: false, scalingKnown: false }),
    ['keep.kf.loaded', 'keep.kf.standardized', 'keep.kf.kept']);
  const aug = loadedParts({ format: 'x', scalingKnown: true, skipped: ['random_flip (RandomFlip)', 'gaussian_noise (GaussianNoise)'] }, 'f', 4);
  assert.deepEqual(aug.map(([k]) => k), ['keep.kf.loaded', 'keep.kf.rescaling', 'keep.kf.skipped', 'keep.kf.kept']);
  assert.deepEqual(aug[2][1], { n: 2, layers: 'random_flip (RandomFlip), gaussian_noise (GaussianNoise)' });
  assert.equal(loadedParts({ format: 'x', kerasVersion: '' }, 'f', 2)[0][1].version, '?');
});
