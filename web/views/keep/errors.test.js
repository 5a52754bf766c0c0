// Unit tests of errors.js (node --test web/), on the engine's own
// messages (nn/load.go, nn/npz.go, nn/save.go, wasm/weights.go).
import test from 'node:test';
import assert from 'node:assert/strict';
import { explainLoadError } from './errors.js';

test('explainLoadError sorts the engine errors into kinds with their numbers', () => {
  const cases = [
    [
      'nn: npz arr_0 is (3, 3, 1, 32), layer 1 (conv2d) kernel is (3, 3, 1, 8)',
      'keep.err.shape',
      { layer: '1', name: 'conv2d', param: 'kernel', file: '(3, 3, 1, 32)', here: '(3, 3, 1, 8)' },
    ],
    [
      'nn: weights file is for a different model: layer 3 (conv2d_1) kernel is (3, 3, 32, 64) in the file, (3, 3, 32, 32) here',
      'keep.err.shape',
      { layer: '3', name: 'conv2d_1', param: 'kernel', file: '(3, 3, 32, 64)', here: '(3, 3, 32, 32)' },
    ],
    ['nn: npz has 16 arrays, the model 6 weight arrays', 'keep.err.count', { file: '16', here: '6' }],
    ['nn: weights file is for a different model: the file has 4 weight arrays, this model 6: "dense/bias" (10) is extra', 'keep.err.count', { file: '4', here: '6' }],
    ['worker: an .npz file holds weights only: build a model first, then load it without build', 'keep.err.npzBuild', {}],
    ['nn: invalid weights file: checksum mismatch (file says 00000000, contents give 1234abcd): the file is corrupt or truncated', 'keep.err.corrupt', {}],
    ['nn: invalid weights file: npz: zip: not a valid zip file', 'keep.err.corrupt', {}],
    ['nn: invalid weights file: bad magic', 'keep.err.corrupt', {}],
    ['worker: cannot load weights during training: stop it first', 'keep.err.other', {}],
    ['the converter for Keras and .npz files (convplay-formats.wasm) did not start: the engine failed to start: Failed to fetch', 'keep.err.formats', {}],
    [
      'keras: layer "lambda" (Lambda) is not supported: it is not a layer convplay has. convplay reads InputLayer, Conv2D, Dense and a Reshape of the input, in a Sequential model',
      'keep.err.kerasLayer',
      { layer: 'lambda', cls: 'Lambda', reason: 'it is not a layer convplay has', supported: 'InputLayer, Conv2D, Dense and a Reshape of the input, in a Sequential model' },
    ],
    ['keras: invalid model file: neither an HDF5 (.h5) nor a zip (.keras) file', 'keep.err.corrupt', {}],
    ['nn: the model outputs 3 class scores, but the data set has 10 classes', 'keep.err.fit', {}],
    ['nn: the model takes inputs of shape (32, 32, 3), but the data set\'s images are (28, 28, 1)', 'keep.err.fit', {}],
  ];
  for (const [msg, key, vars] of cases) {
    const got = explainLoadError(msg);
    assert.equal(got.key, key, msg);
    assert.deepEqual(got.vars, { ...vars, detail: msg.replace(/^(nn|worker): /, '') }, msg);
  }
});
