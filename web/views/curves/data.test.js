import test from 'node:test';
import assert from 'node:assert/strict';
import { ema, intervalMean, createCurves } from './data.js';

test('ema starts at the first value and moves a fraction alpha towards each next one', () => {
  assert.equal(ema(null, 4, 0.25), 4);
  assert.equal(ema(4, 8, 0.25), 5); // 4 + 0.25 * (8 - 4)
  assert.equal(ema(5, 1, 0.5), 3);
  assert.equal(ema(NaN, 2, 0.5), 2);
});

test('intervalMean takes the mean of the samples between two running means', () => {
  // 10 samples of mean 2, then 30 more: running mean 3 over 40, so the 30 have mean (3*40 - 2*10)/30 = 10/3.
  assert.equal(intervalMean(2, 10, 3, 40), (3 * 40 - 2 * 10) / 30);
  assert.equal(intervalMean(1, 4, 1, 8), 1);
  // A new epoch: the running mean restarted.
  assert.equal(intervalMean(2, 100, 5, 20), 5);
});

test('createCurves: per-batch points at fractional epochs, validation at epoch ends, the best checkpoint marked', () => {
  // 4 batches of 25 samples per epoch.
  const c = createCurves({ alpha: 0.5, samples: 100 });
  const p = (epoch, batch, loss, accuracy) => ({ epoch, batch, batches: 4, loss, accuracy, total: epoch * 100 + (batch + 1) * 25 });
  assert.ok(c.progress(p(0, 0, 2, 0.2)));
  assert.ok(c.progress(p(0, 1, 1.5, 0.3))); // second batch alone: 1.5*50 - 2*25 = 25 / 25 = 1
  assert.ok(!c.progress(p(0, 1, 1.5, 0.3)), 'a repeated event adds nothing');
  assert.ok(c.progress(p(0, 3, 1.25, 0.5))); // batches 3-4: (1.25*100 - 1.5*50)/50 = 1
  c.epoch({ epoch: 0, loss: 1.25, accuracy: 0.5, val_loss: 1.1, val_accuracy: 0.6, checkpoint: new Uint8Array(1), earlyStopping: { wait: 0, best: 1.1, bestEpoch: 0 } });
  assert.deepEqual(c.cols.x, [0.25, 0.5, 1]);
  assert.deepEqual(c.cols.loss, [2, 1, 1]);
  assert.deepEqual(c.cols.lossSmooth, [2, 1.5, 1.25]);
  assert.deepEqual(c.cols.valLoss, [null, null, 1.1], 'validation at the epoch end, on the last batch point');
  assert.deepEqual(c.cols.best, [null, null, 1.1]);

  assert.ok(c.progress(p(1, 1, 0.8, 0.7))); // a new epoch: its running mean as it is
  assert.equal(c.cols.loss[3], 0.8);
  // An epoch without a point of its own at x = 2 gets one.
  c.epoch({ epoch: 1, loss: 0.7, accuracy: 0.7, val_loss: 1.2, val_accuracy: 0.55, checkpoint: null, earlyStopping: { wait: 1, best: 1.1, bestEpoch: 0 } });
  assert.deepEqual(c.cols.x, [0.25, 0.5, 1, 1.5, 2]);
  assert.equal(c.cols.loss[4], null);
  assert.equal(c.cols.valLoss[4], 1.2);
  assert.deepEqual(c.cols.best, [null, null, 1.1, null, null], 'no new checkpoint: the best stays at epoch 1');
  assert.equal(c.bestEpoch(), 0);
  assert.equal(c.epochs[1].wait, 1);
  c.done({ reason: 'early' });
  assert.deepEqual(c.stopped, { reason: 'early', epoch: 1, x: 2 });

  const d = c.data();
  assert.equal(d.loss.length, 5);
  assert.equal(d.acc.length, 4);
  assert.ok(!c.progress({ ...p(2, 0, NaN, 0) }), 'a NaN loss is not drawn');
});
