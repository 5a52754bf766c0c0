import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, parseSetting, trainArgs, formatDuration, formatRate, fraction, settingsToURL, settingsFromURL } from './format.js';

test('formatDuration', () => {
  for (const [sec, want] of [
    [0, '0 s'],
    [44.6, '45 s'],
    [59.4, '59 s'],
    [60, '1 min 00 s'],
    [185, '3 min 05 s'],
    [3720, '1 h 02 min'],
    [NaN, '–'],
    [-1, '–'],
    [Infinity, '–'],
  ]) {
    assert.equal(formatDuration(sec), want, `${sec}`);
  }
});

test('formatRate', () => {
  assert.equal(formatRate(1234.4), '1,234');
  assert.equal(formatRate(87.54), '87.5');
  assert.equal(formatRate(0), '–');
});

test('parseSetting keeps each number within its bounds', () => {
  assert.equal(parseSetting('batchSize', ' 64 '), 64);
  assert.equal(parseSetting('learningRate', '1e-3'), 0.001);
  assert.throws(() => parseSetting('batchSize', '2.5'), RangeError);
  assert.throws(() => parseSetting('batchSize', '0'), RangeError);
  assert.throws(() => parseSetting('epochs', ''), RangeError);
  assert.throws(() => parseSetting('learningRate', 'fast'), RangeError);
});

test('trainArgs: the optimizer spec, the callbacks and the subset', () => {
  const a = trainArgs({ ...DEFAULTS, optimizer: 'sgd', learningRate: 0.05, momentum: 0.9, early: true, patience: 1, minDelta: 0.5 });
  assert.deepEqual(a.optimizer, { name: 'sgd', learning_rate: 0.05, momentum: 0.9 });
  assert.deepEqual(a.earlyStopping, { patience: 1, min_delta: 0.5, restore_best_weights: true });
  assert.equal(a.subset, DEFAULTS.subset);
  const b = trainArgs({ ...DEFAULTS, optimizer: 'adam', momentum: 0.9, validation: false, early: true });
  assert.deepEqual(b.optimizer, { name: 'adam', learning_rate: DEFAULTS.learningRate }, 'momentum is for SGD only');
  assert.equal(b.checkpoint, false, 'no checkpoint on val_loss without validation');
  assert.equal(b.earlyStopping.monitor, 'loss');
  assert.equal(trainArgs(DEFAULTS).earlyStopping, null);
});

test('fraction of the run', () => {
  assert.equal(fraction({ epoch: 0, epochs: 2, batch: 4, batches: 10 }), 0.25);
  assert.equal(fraction({ epoch: 1, epochs: 2, batch: 9, batches: 10 }), 1);
  assert.equal(fraction(null), 0);
});

test('settings round-trip through the URL, defaults left out, nonsense ignored', () => {
  assert.equal(settingsToURL(DEFAULTS), '');
  const s = { ...DEFAULTS, model: 'custom', optimizer: 'sgd', learningRate: 0.05, early: true, subset: 200 };
  const text = settingsToURL(s);
  assert.equal(text, 'm=custom,o=sgd,lr=0.05,n=200,es=1');
  assert.deepEqual(settingsFromURL(text), s);
  assert.deepEqual(settingsFromURL('m=huge,lr=-3,b=2.5,zz=1,es=yes'), DEFAULTS);
});

test('dataWait: what a run started while the data loads waits for', async () => {
  const { dataWait } = await import('./format.js');
  const s = { ...DEFAULTS };
  assert.equal(dataWait({ complete: true, available: { train: 55000 } }, s), null);
  assert.equal(dataWait({ error: 'x', available: null }, s), null, 'an error is reported elsewhere');
  assert.equal(dataWait({ available: null, loaded: 0, total: 28 }, s).key, 'train.waitValidation');
  assert.equal(dataWait({ available: { validation: 5000 }, loaded: 6, total: 28 }, s).key, 'train.waitTrain');
  assert.equal(dataWait({ available: { train: 5000, validation: 5000 }, loaded: 8, total: 28 }, s), null, 'subset 0: what has loaded');
  assert.equal(dataWait({ available: { train: 5000 } }, { ...s, validation: false }), null);
  assert.equal(dataWait({ available: { train: 5000, validation: 5000 }, loaded: 8, total: 28 }, { ...s, subset: 12000 }), null,
    'a subset starts on what has arrived and grows to its size');
  const w = dataWait({ available: { train: 0, validation: 1000 }, loaded: 4, total: 28 }, { ...s, subset: 12000 });
  assert.deepEqual(w, { key: 'train.waitTrain', vars: { have: 0, need: 1, loaded: 4, total: 28 } });
});
