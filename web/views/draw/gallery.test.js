// Unit tests of gallery.js: the seeded source, the class search, the URL index.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRng, findOfClass, parseIndex } from './gallery.js';

test('createRng: seeded, repeatable, in [0, 1)', () => {
  const a = createRng(7);
  const b = createRng(7);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(Array.from({ length: 1000 }, () => b.next()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(Array.from({ length: 5 }, () => createRng(8).next()), xs.slice(0, 5));
  const counts = new Array(10).fill(0);
  const r = createRng(1);
  for (let i = 0; i < 10000; i++) counts[r.int(10)]++;
  assert.ok(counts.every((c) => c > 900 && c < 1100), `${counts}`);
});

test('findOfClass: scans from start, wraps around, stops at want or after every sample', async () => {
  const labels = [3, 1, 3, 0, 1, 3];
  const asked = [];
  const getSample = async (i) => {
    asked.push(i);
    return { label: labels[i], image: [i] };
  };
  const found = await findOfClass(getSample, 3, 4, labels.length, 2);
  assert.deepEqual(found.map((f) => f.index), [5, 0]);
  assert.deepEqual(asked, [4, 5, 0]);
  assert.deepEqual((await findOfClass(getSample, 0, 0, labels.length, 5)).map((f) => f.index), [3]);
  assert.deepEqual(await findOfClass(getSample, 9, 0, labels.length, 1), []);
});

test('parseIndex: whole numbers below count only', () => {
  assert.equal(parseIndex('42', 10000), 42);
  assert.equal(parseIndex('0', 1), 0);
  assert.equal(parseIndex('10000', 10000), null);
  assert.equal(parseIndex('-1', 10), null);
  assert.equal(parseIndex('1.5', 10), null);
  assert.equal(parseIndex('abc', 10), null);
  assert.equal(parseIndex(null, 10), null);
});
