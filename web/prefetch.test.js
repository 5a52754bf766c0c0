// Unit tests of prefetch.js (node --test web/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrefetch } from './prefetch.js';

test('a prefetched response is handed over once; later takes fetch again', async () => {
  const calls = [];
  const fetch = (u, o) => (calls.push([u, o]), Promise.resolve(`${u} #${calls.length}`));
  const { prefetch, take } = createPrefetch(fetch);
  prefetch('a');
  prefetch('a'); // started once
  assert.deepEqual(calls, [['a', undefined]]);
  assert.equal(await take('a'), 'a #1');
  assert.equal(await take('a'), 'a #2');
  assert.equal(await take('b'), 'b #3');
  prefetch('c');
  assert.equal(await take('c', { method: 'HEAD' }), 'c #5', 'options: a new request');
});

test('a failed prefetch rejects at take, not before', async () => {
  let unhandled = 0;
  const count = () => unhandled++;
  process.on('unhandledRejection', count);
  const { prefetch, take } = createPrefetch(() => Promise.reject(new Error('offline')));
  prefetch('x');
  await new Promise((r) => setTimeout(r, 10));
  process.off('unhandledRejection', count);
  assert.equal(unhandled, 0);
  await assert.rejects(take('x'), { message: 'offline' });
});
