// Unit tests of model.js's followModel: what a view sees of each model.
import test from 'node:test';
import assert from 'node:assert/strict';
import { followModel } from './model.js';

/** fakeCtx answers describeLayers with the answers queued per model, in order. */
function fakeCtx() {
  const listeners = [];
  const pending = [];
  return {
    state: { model: null },
    on(name, fn) {
      assert.equal(name, 'model');
      listeners.push(fn);
    },
    setModel(m) {
      this.state.model = m;
      for (const fn of listeners) fn(m);
    },
    request(op) {
      assert.equal(op, 'describeLayers');
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    pending,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

test('followModel: cleared at once, described later, a replaced model dropped, a failure told', async () => {
  const ctx = fakeCtx();
  const seen = [];
  followModel(ctx, (m) => seen.push(m));
  assert.deepEqual(seen, [{ info: null, error: null, described: false }], 'without a model: cleared, nothing asked');
  assert.equal(ctx.pending.length, 0);

  ctx.setModel({ name: 'a' });
  ctx.setModel({ name: 'b' });
  assert.equal(ctx.pending.length, 2);
  ctx.pending[0].resolve({ of: 'a' }); // the replaced model's answer
  ctx.pending[1].resolve({ of: 'b' });
  await tick();
  assert.deepEqual(seen.slice(1), [
    { info: null, error: null, described: false },
    { info: null, error: null, described: false },
    { info: { of: 'b' }, error: null, described: true },
  ]);

  ctx.setModel({ name: 'c' });
  ctx.pending[2].reject(new Error('worker: gone'));
  await tick();
  assert.deepEqual(seen.at(-1), { info: null, error: 'worker: gone', described: true });
});
