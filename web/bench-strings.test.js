import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEXTS } from './bench-strings.js';

test('the benchmark page: every text in both languages, with the same placeholders', () => {
  assert.deepEqual(Object.keys(TEXTS.en).sort(), Object.keys(TEXTS.zh).sort());
  const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(TEXTS.en)) assert.deepEqual(vars(TEXTS.zh[k]), vars(TEXTS.en[k]), k);
});
