// Every text of the network, shapes and dense views exists in English and
// Chinese with the same placeholders.
import test from 'node:test';
import assert from 'node:assert/strict';
import { netStrings } from './strings.js';
import { shapesStrings } from '../shapes/strings.js';
import { denseStrings } from '../dense/strings.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const [name, dict, prefix] of [['network', netStrings, 'network.'], ['shapes', shapesStrings, 'shapes.'], ['dense', denseStrings, 'dense.']]) {
  test(`${name}: the same keys and placeholders in English and Chinese`, () => {
    assert.deepEqual(Object.keys(dict.zh).sort(), Object.keys(dict.en).sort());
    for (const key of Object.keys(dict.en)) {
      assert.ok(key.startsWith(prefix), key);
      assert.ok(dict.en[key].trim() && dict.zh[key].trim(), key);
      assert.deepEqual(placeholders(dict.zh[key]), placeholders(dict.en[key]), key);
    }
  });
}
