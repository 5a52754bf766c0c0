// Unit tests of model.js, with a fake context.
import test from 'node:test';
import assert from 'node:assert/strict';
import { describe, modelLayers, currentTrace } from './model.js';

function fakeCtx(model, prediction = null) {
  const asked = [];
  let fail = false;
  return {
    asked,
    failNext() { fail = true; },
    state: { model, prediction },
    request(type) {
      asked.push(type);
      if (fail) {
        fail = false;
        return Promise.reject(new Error('engine restarted'));
      }
      return Promise.resolve({ layers: model.layers.length });
    },
  };
}

test('describe asks the engine once per model, again after a failure, and not without a model', async () => {
  const model = { layers: [{ name: 'a' }] };
  const ctx = fakeCtx(model);
  assert.deepEqual(await describe(ctx), { layers: 1 });
  assert.deepEqual(await describe(ctx), { layers: 1 });
  assert.deepEqual(ctx.asked, ['describeLayers']);
  const other = fakeCtx({ layers: [] });
  other.failNext();
  await assert.rejects(describe(other), /engine restarted/);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(await describe(other), { layers: 0 });
  assert.deepEqual(other.asked, ['describeLayers', 'describeLayers']);
  assert.equal(await describe(fakeCtx(null)), null);
});

test('currentTrace is the prediction\'s trace only when it belongs to the current model', () => {
  const model = { layers: [{ name: 'conv2d' }, { name: 'dense' }] };
  const trace = [{ name: 'conv2d' }, { name: 'dense' }];
  assert.deepEqual(modelLayers(fakeCtx(model)), model.layers);
  assert.deepEqual(modelLayers(fakeCtx(null)), []);
  assert.equal(currentTrace(fakeCtx(model, { trace })), trace);
  assert.equal(currentTrace(fakeCtx(model, { trace: [{ name: 'conv2d' }, { name: 'dense_1' }] })), null, 'an old model\'s trace');
  assert.equal(currentTrace(fakeCtx(model, { trace: trace.slice(1) })), null);
  assert.equal(currentTrace(fakeCtx(model, null)), null);
});
