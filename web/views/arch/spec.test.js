import test from 'node:test';
import assert from 'node:assert/strict';
import { defaultLayer, editable, addLayer, removeLayer, moveLayer, setField, specToURL, specFromURL } from './spec.js';

const small = {
  input: [28, 28, 1],
  layers: [
    { type: 'Conv2D', name: 'conv2d', filters: 8, kernel_size: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'MaxPooling2D', name: 'max_pooling2d', pool_size: 2, strides: 2, padding: 'valid' },
    { type: 'Flatten', name: 'flatten' },
    { type: 'Dense', name: 'dense', units: 10, activation: 'softmax' },
  ],
};

test('editable keeps the fields the editor shows, without names', () => {
  const e = editable(small);
  assert.deepEqual(e.layers[0], { type: 'Conv2D', filters: 8, kernel_size: 3, strides: 1, padding: 'valid', activation: 'relu' });
  assert.deepEqual(e.layers[1], { type: 'MaxPooling2D', pool_size: 2, strides: 2 });
  assert.deepEqual(e.layers[2], { type: 'Flatten' });
  // A preset without strides gets the pool size; a Dense without activation is linear.
  const e2 = editable({ input: [4, 4, 1], layers: [{ type: 'AveragePooling2D', pool_size: 3 }, { type: 'Dense', units: 2 }] });
  assert.equal(e2.layers[0].strides, 3);
  assert.equal(e2.layers[1].activation, 'linear');
});

test('add, remove and move layers without touching the original', () => {
  const e = editable(small);
  const added = addLayer(e, 'Dropout', 3);
  assert.deepEqual(
    added.layers.map((l) => l.type),
    ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dropout', 'Dense'],
  );
  assert.equal(e.layers.length, 4, 'the original is unchanged');
  assert.deepEqual(
    removeLayer(added, 0).layers.map((l) => l.type),
    ['MaxPooling2D', 'Flatten', 'Dropout', 'Dense'],
  );
  const up = moveLayer(e, 3, -1);
  assert.deepEqual(
    up.layers.map((l) => l.type),
    ['Conv2D', 'MaxPooling2D', 'Dense', 'Flatten'],
  );
  assert.deepEqual(moveLayer(e, 0, -1), e, 'the first layer cannot move up');
  assert.deepEqual(moveLayer(e, 3, 1), e, 'the last cannot move down');
  assert.throws(() => defaultLayer('LSTM'));
});

test('setField parses and bounds each field', () => {
  const e = editable(small);
  assert.equal(setField(e, 0, 'filters', ' 32 ').layers[0].filters, 32);
  assert.equal(setField(e, 0, 'padding', 'same').layers[0].padding, 'same');
  assert.equal(e.layers[0].filters, 8);
  assert.throws(() => setField(e, 0, 'filters', '0'), RangeError);
  assert.throws(() => setField(e, 0, 'filters', '3.5'), RangeError);
  assert.throws(() => setField(e, 0, 'filters', '100000'), RangeError);
  assert.throws(() => setField(e, 0, 'activation', 'gelu'), RangeError);
  assert.throws(() => setField(e, 2, 'units', '3'), /no field/);
  const d = addLayer(e, 'Dropout');
  assert.equal(setField(d, 4, 'rate', '0.5').layers[4].rate, 0.5);
  assert.throws(() => setField(d, 4, 'rate', '1'), RangeError);
  assert.throws(() => setField(d, 4, 'rate', ''), RangeError);
});

test('a spec round-trips through the URL', () => {
  const e = addLayer(editable(small), 'Dropout', 3);
  const text = specToURL(e);
  assert.equal(text, 'C8.3.1.v.relu_M2.2_F_R0.25_D10.softmax');
  assert.deepEqual(specFromURL(text), e);
  assert.equal(specFromURL('C8.3'), null);
  assert.equal(specFromURL('X1'), null);
  assert.equal(specFromURL('D0.relu'), null);
  assert.equal(specFromURL(''), null);
});
