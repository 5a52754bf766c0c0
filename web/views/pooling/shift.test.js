// Unit tests of shift.js: pooling layers, before/after pairs, the URL value.
import test from 'node:test';
import assert from 'node:assert/strict';
import { poolLayers, poolPairs, parsePool } from './shift.js';

test('poolLayers and poolPairs', () => {
  const layers = [
    { name: 'conv2d', type: 'Conv2D', change: 0.5 },
    { name: 'max_pooling2d', type: 'MaxPooling2D', change: 0.3 },
    { name: 'conv2d_1', type: 'Conv2D', change: 0.6 },
    { name: 'max_pooling2d_1', type: 'MaxPooling2D', change: 0.4 },
    { name: 'dense', type: 'Dense', change: 0.1 },
  ];
  assert.deepEqual(poolLayers({ layers: layers.map((l) => ({ ...l, outShape: [1] })) }).map((p) => p.index), [1, 3]);
  assert.deepEqual(poolPairs(layers).map((p) => [p.before.name, p.after.name]), [['conv2d', 'max_pooling2d'], ['conv2d_1', 'max_pooling2d_1']]);
  assert.deepEqual(poolPairs([{ type: 'MaxPooling2D' }]), [], 'a first-layer pool has nothing before it');
});

test('parsePool', () => {
  assert.deepEqual(parsePool('5,12'), { layer: 5, channel: 12 });
  for (const bad of [null, '', '5', '5,x', '-1,2']) assert.equal(parsePool(bad), null, bad);
});

