// Unit tests of snippet.js (node --test web/). keep_test.go runs the
// snippet itself in Python against the engine's .npz.
import test from 'node:test';
import assert from 'node:assert/strict';
import { kerasLayer, kerasSnippet, specOfCPW, COMMENTS } from './snippet.js';

/** cpw builds the first bytes of a .cpw file around a spec's JSON. */
function cpw(json, extra = [0, 0, 0, 0]) {
  const body = new TextEncoder().encode(json);
  const b = new Uint8Array(16 + body.length + extra.length);
  b.set([0x89, 0x43, 0x50, 0x57, 0x0d, 0x0a, 0x1a, 0x0a, 1, 0, 0, 0]);
  new DataView(b.buffer).setUint32(12, body.length, true);
  b.set(body, 16);
  b.set(extra, 16 + body.length);
  return b;
}

const small = {
  input: [28, 28, 1],
  layers: [
    { type: 'Conv2D', name: 'conv2d', filters: 8, kernel_size: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'MaxPooling2D', name: 'max_pooling2d', strides: 2, padding: 'valid', pool_size: 2 },
    { type: 'Flatten', name: 'flatten' },
    { type: 'Dense', name: 'dense', activation: 'softmax', units: 10 },
  ],
};

test('specOfCPW reads the spec from the header, null for anything else', () => {
  assert.deepEqual(specOfCPW(cpw(JSON.stringify(small))), small);
  const shifted = new Uint8Array(40 + cpw(JSON.stringify(small)).length);
  shifted.set(cpw(JSON.stringify(small)), 40);
  assert.deepEqual(specOfCPW(shifted.subarray(40)), small, 'a view into a larger buffer');
  assert.equal(specOfCPW(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), null, 'a zip (.npz)');
  assert.equal(specOfCPW(cpw('{"input": [28, 28')), null, 'broken JSON');
  assert.equal(specOfCPW(cpw('{"input": [28]}')), null, 'no layers');
  const short = cpw(JSON.stringify(small)).subarray(0, 30);
  assert.equal(specOfCPW(short), null, 'cut inside the spec');
  assert.equal(specOfCPW(new Uint8Array(8)), null);
  assert.equal(specOfCPW(null), null);
});

test('kerasLayer writes only the arguments that differ from Keras defaults', () => {
  const cases = [
    [small.layers[0], "layers.Conv2D(8, 3, activation='relu')"],
    [{ type: 'Conv2D', filters: 32, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu' }, "layers.Conv2D(32, 3, padding='same', activation='relu')"],
    [{ type: 'Conv2D', filters: 4, kernel_size: 5, strides: 2, padding: 'valid', activation: 'linear', no_bias: true }, 'layers.Conv2D(4, 5, strides=2, use_bias=False)'],
    [{ type: 'Conv2DTranspose', filters: 1, kernel_size: 2, strides: 2, padding: 'valid' }, 'layers.Conv2DTranspose(1, 2, strides=2)'],
    [small.layers[1], 'layers.MaxPooling2D(2)'],
    [{ type: 'AveragePooling2D', pool_size: 3, strides: 1, padding: 'same' }, "layers.AveragePooling2D(3, strides=1, padding='same')"],
    [small.layers[2], 'layers.Flatten()'],
    [small.layers[3], "layers.Dense(10, activation='softmax')"],
    [{ type: 'Dense', units: 128, activation: 'relu' }, "layers.Dense(128, activation='relu')"],
    [{ type: 'Dropout', rate: 0.25 }, 'layers.Dropout(0.25)'],
    [{ type: 'Activation', activation: 'tanh' }, "layers.Activation('tanh')"],
  ];
  for (const [spec, want] of cases) assert.equal(kerasLayer(spec), want);
  assert.throws(() => kerasLayer({ type: 'LSTM' }), /no Keras code for a LSTM layer/);
});

test('kerasSnippet builds the model, loads arr_0.. in order, standardizes and exports', () => {
  const s = kerasSnippet({ spec: small, npzName: 'convplay-model.npz', mean: 72.95590095083487, std: 89.95208983037463 });
  assert.equal(s, [
    'import numpy as np',
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    "# Build the same model in Keras (the page's current architecture).",
    'model = keras.Sequential([',
    '    keras.Input(shape=(28, 28, 1)),',
    "    layers.Conv2D(8, 3, activation='relu'),",
    '    layers.MaxPooling2D(2),',
    '    layers.Flatten(),',
    "    layers.Dense(10, activation='softmax'),",
    '])',
    '',
    '# Load the weights downloaded here ("Download .npz"), in Keras\'s',
    '# get_weights() order: arr_0, arr_1, ...',
    "w = np.load('convplay-model.npz')",
    "model.set_weights([w[f'arr_{i}'] for i in range(len(w.files))])",
    '',
    '# Standardize inputs as in training: (pixels - mean) / std,',
    "# with the training split's mean and std.",
    'mean, std = 72.9559, 89.9521',
    '# For example, on test images x_test (N, 28, 28) uint8, labels y_test:',
    "# model.compile(loss='sparse_categorical_crossentropy',",
    "#               metrics=['accuracy'])",
    '# model.evaluate((x_test[..., None] - mean) / std, y_test)',
    '',
    "# The other way: save a Keras model's weights for convplay, then",
    '# press "Load a file" on the page. The page\'s model must have the',
    '# same architecture (build it in the architecture editor first).',
    "np.savez('model.npz', *model.get_weights())",
    '',
  ].join('\n'));
});

test('kerasSnippet without the mean and std, in Chinese, with a 1-D input', () => {
  const s = kerasSnippet({ spec: { input: [4], layers: [{ type: 'Dense', units: 2 }] }, npzName: "it's.npz", lang: 'zh' });
  assert.match(s, /keras\.Input\(shape=\(4,\)\),\n {4}layers\.Dense\(2\),/);
  assert.match(s, /w = np\.load\('it\\'s\.npz'\)/);
  assert.match(s, /\n# mean, std = x_train\.mean\(\), x_train\.std\(\)\n/);
  assert.ok(s.includes('# 载入本页下载的权重（“下载 .npz”），按 Keras 的\n# get_weights() 顺序：arr_0、arr_1……\n'));
  for (const line of kerasSnippet({ spec: small, npzName: 'convplay-model.npz', mean: 1, std: 2 }).split('\n')) assert.ok(line.length <= 72, line);
  assert.deepEqual(Object.keys(COMMENTS.zh).sort(), Object.keys(COMMENTS.en).sort());
});

test('kerasLayer writes the layers a Keras file brings: Rescaling and BatchNormalization', () => {
  assert.equal(kerasLayer({ type: 'Rescaling', scale: 0.00392156862745098 }), 'layers.Rescaling(0.00392156862745098)');
  assert.equal(kerasLayer({ type: 'Rescaling', scale: 0.353, offset: 0.286, name: 'input_scaling' }), 'layers.Rescaling(0.353, offset=0.286)');
  assert.equal(kerasLayer({ type: 'BatchNormalization', momentum: 0.99, epsilon: 0.001 }), 'layers.BatchNormalization()');
  assert.equal(kerasLayer({ type: 'BatchNormalization', momentum: 0.9, epsilon: 1e-5, no_scale: true }), 'layers.BatchNormalization(momentum=0.9, epsilon=0.00001, scale=False)');
});
