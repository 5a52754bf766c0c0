// Unit tests of format.js, run by `make test-js`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { archText, argmax, count, dataText, dateText, doneText, epochText, evaluationText, metricsText, partsText, pct, progressText, savedText } from './format.js';

test('numbers', () => {
  assert.equal(pct(0.90512), '90.51%');
  assert.equal(pct(1), '100.00%');
  assert.equal(count(55000), '55,000');
  assert.equal(count(0), '0');
});

test('dataText', () => {
  const info = { title: 'Tiny' };
  const cases = [
    [{ name: null }, 'No data loaded yet.'],
    [{ name: 'tiny' }, 'Loading the manifest…'],
    [{ name: 'tiny', error: 'dataset: a.gz: sha256 x' }, 'Loading stopped: dataset: a.gz: sha256 x'],
    [{ name: 'tiny', info, loaded: 1, total: 3, available: null }, 'Tiny: loading 1/3 files · train 0, validation 0, test 0 images'],
    [{ name: 'tiny', info, loaded: 3, total: 3, complete: true, available: { train: 55000, validation: 5000, test: 10000 } },
      'Tiny: loaded and verified · train 55,000, validation 5,000, test 10,000 images'],
  ];
  for (const [d, want] of cases) assert.equal(dataText(d), want);
});

test('progressText: running, paused, paused with its round trip', () => {
  const p = { epoch: 0, epochs: 2, batch: 9, batches: 1719, loss: 1.23456, accuracy: 0.5, samplesPerSec: 1234.6, batchMs: 25.04, etaSec: 10.2 };
  const line = 'Epoch 1/2 · batch 10/1719 · loss 1.2346 · accuracy 50.00% · 1,235 images/s · 25.0 ms/batch · ETA 11 s';
  assert.equal(progressText(p), line);
  assert.equal(progressText(p, null), `Paused · ${line}`);
  assert.equal(progressText(p, 3.14159), `Paused (answered in 3.1 ms) · ${line}`);
  assert.equal(progressText(p, undefined, { stepSamples: 1, batchSize: 32, sampleMs: 21.04 }),
    `${line} · each batch runs in parts of 1 image (a training pass takes 21.0 ms per image)`);
});

test('partsText: only when a batch runs in parts', () => {
  const cases = [
    [null, ''],
    [{ stepSamples: 32, batchSize: 32, sampleMs: 0.3 }, ''],
    [{ stepSamples: 3, batchSize: 32, sampleMs: 6.55 }, ' · each batch runs in parts of 3 images (a training pass takes 6.5 ms per image)'],
    [{ stepSamples: 1, batchSize: 4, sampleMs: 0 }, ' · each batch runs in parts of 1 image'],
    [{ stepSamples: 1, batchSize: 1, sampleMs: 30 }, ''],
  ];
  for (const [plan, want] of cases) assert.equal(partsText(plan), want);
});

test('epochText', () => {
  assert.equal(epochText({ loss: 0.5, accuracy: 0.8, checkpoint: null, earlyStopping: null }), 'loss 0.5000 · accuracy 80.00%');
  assert.equal(
    epochText({ loss: 0.5, accuracy: 0.8, val_loss: 0.25, val_accuracy: 0.9, checkpoint: new Uint8Array(1), earlyStopping: { wait: 1, bestEpoch: 0 } }),
    'loss 0.5000 · accuracy 80.00% · val_loss 0.2500 · val_accuracy 90.00% · checkpoint saved · early stopping: wait 1, best epoch 1',
  );
});

test('doneText', () => {
  const cases = [
    [{ reason: 'finished' }, 'Training finished.'],
    [{ reason: 'stopped', restored: false }, 'Training stopped.'],
    [{ reason: 'early', restored: true }, 'Early stopping ended training (the best weights are restored).'],
    [{ reason: 'early', restored: false }, 'Early stopping ended training.'],
    [{ reason: 'diverged', restored: true, error: 'nn: training diverged' }, 'Training diverged: nn: training diverged'],
    [{ reason: 'error', error: 'boom' }, 'Training failed: boom'],
    [{ reason: 'novel' }, 'Training ended (novel).'],
  ];
  for (const [d, want] of cases) assert.equal(doneText(d), want);
});

test('evaluationText, with and without the dedup figures', () => {
  const e = { split: 'test', loss: 0.3, accuracy: 0.9, samples: 10000, misclassified: new Int32Array(1000), dedup: null };
  assert.equal(evaluationText('Tiny', e), 'Tiny, test split: loss 0.3000 · accuracy 90.00% (10,000 images, 1,000 misclassified)');
  e.dedup = { removed: 10, accuracy: 0.8999, loss: 0.30001, samples: 9990 };
  assert.equal(
    evaluationText('Tiny', e),
    'Tiny, test split: loss 0.3000 · accuracy 90.00% (10,000 images, 1,000 misclassified) · without the 10 test images that also occur in the training data: accuracy 89.99%, loss 0.3000 (9,990 images)',
  );
});

test('argmax takes the first of ties', () => {
  assert.equal(argmax(new Float32Array([0.1, 0.7, 0.2])), 1);
  assert.equal(argmax([0.5, 0.5]), 0);
  assert.equal(argmax([-3, -1, -1]), 1);
  assert.equal(argmax([4]), 0);
});

test('archText: the layers on one line', () => {
  const small = {
    totalParams: 5258,
    layers: [
      { type: 'Conv2D', outShape: [26, 26, 8] },
      { type: 'MaxPooling2D', outShape: [13, 13, 8] },
      { type: 'Conv2DTranspose', outShape: [28, 28, 3] },
      { type: 'Flatten', outShape: [2352] },
      { type: 'Dense', outShape: [10] },
    ],
  };
  assert.equal(archText(small), 'Conv2D(8) → MaxPooling2D → Conv2DTranspose(3) → Flatten → Dense(10) · 5,258 parameters');
  assert.equal(archText({ totalParams: 0, layers: [{ type: 'Flatten', outShape: [4] }] }), 'Flatten · 0 parameters');
});

test('dateText: local time, zero-padded', () => {
  assert.equal(dateText(new Date(2026, 0, 5, 7, 3, 59).getTime()), '2026-01-05 07:03');
  assert.equal(dateText(new Date(2026, 10, 26, 21, 40).getTime()), '2026-11-26 21:40');
});

test('metricsText and savedText: what a saved model has', () => {
  assert.equal(metricsText({}), 'not trained or evaluated here');
  assert.equal(metricsText(undefined), 'not trained or evaluated here');
  assert.equal(metricsText({ loss: 0.4, accuracy: 0.8 }), 'training accuracy 80.00%');
  assert.equal(metricsText({ accuracy: 0.8, val_accuracy: 0.85, test_loss: 0.3, test_accuracy: 0.9051 }), 'training accuracy 80.00% · validation 85.00% · test 90.51%');
  assert.equal(metricsText({ test_accuracy: 0 }), 'test 0.00%');
  const r = { date: new Date(2026, 10, 26, 21, 40).getTime(), dataset: 'Fashion-MNIST', metrics: { accuracy: 0.5 }, size: 22144 };
  assert.equal(savedText(r), '2026-11-26 21:40 · Fashion-MNIST · training accuracy 50.00% · 22,144 bytes');
  assert.equal(savedText({ ...r, dataset: '', metrics: {} }), '2026-11-26 21:40 · no data set · not trained or evaluated here · 22,144 bytes');
});
