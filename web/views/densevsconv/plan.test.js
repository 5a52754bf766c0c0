// Unit tests of plan.js: the experiment's models and the curves' paths.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MODELS, SIZES, DEFAULT_VIEW, planFor, shippedPath, shippedWeightsPath, shippedRun, parseView, formatView, curvePath, curvePoints, shapeWord } from './plan.js';

test('the pair: the engine presets the command line trains', () => {
  assert.deepEqual(MODELS.map((m) => [m.kind, m.preset]), [['dense', 'dense'], ['cnn', 'small-same']]);
});

test('shippedRun reads the committed records of the big sizes', () => {
  for (const s of SIZES.filter((x) => x.shipped)) {
    for (const m of MODELS) {
      const path = new URL(`../../../${shippedPath(m.preset, s.n)}`, import.meta.url);
      const run = shippedRun(JSON.parse(readFileSync(path, 'utf8')), m.preset, s.n);
      assert.equal(run.done, true);
      assert.equal(run.samples, s.n);
      assert.equal(run.history.length, run.epochs);
      assert.ok(run.epochs >= 2, 'a curve, not a point');
      for (const e of run.history) for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) assert.ok(Number.isFinite(e[k]), k);
      assert.match(run.shipped.command, new RegExp(`^convplay train .*-arch ${m.preset} .*-subset ${s.n} `));
      assert.ok(run.shipped.test > 0.5, 'its test accuracy');
    }
  }
});

test('shippedRun refuses a record of another model, size or a broken history, in one line', () => {
  const rec = { arch: 'dense', data: { name: 'fashion', train: 5000, validation: 1000 }, command: 'convplay train', test: { accuracy: 0.8 },
    history: { loss: [1, 0.5], accuracy: [0.5, 0.7], val_loss: [1, 0.6], val_accuracy: [0.5, 0.6] } };
  assert.deepEqual(shippedRun(rec, 'dense', 5000).history[1], { loss: 0.5, accuracy: 0.7, val_loss: 0.6, val_accuracy: 0.6 });
  assert.throws(() => shippedRun(rec, 'small-same', 5000), /^Error: a record of "dense", not small-same$/);
  assert.throws(() => shippedRun(rec, 'dense', 55000), /trained on 5000 images, not 55000/);
  assert.throws(() => shippedRun({ ...rec, history: { ...rec.history, val_accuracy: [0.5] } }, 'dense', 5000), /val_accuracy is not 2 numbers/);
  assert.throws(() => shippedRun({ ...rec, history: {} }, 'dense', 5000), /no epochs/);
  assert.throws(() => shippedRun(null, 'dense', 5000), /not a training record/);
  assert.throws(() => shippedRun(rec, 'dense', 5000, 'digits'), /trained on "fashion", not digits/);
  assert.throws(() => shippedRun({ ...rec, history: { ...rec.history, loss: [1, null] } }, 'dense', 5000), /loss is not 2 numbers/);
});

test('the dvc URL key: size, shift and unit; defaults left out; the malformed refused', () => {
  assert.deepEqual(parseView('55000,-2,1,4'), { n: 55000, dx: -2, dy: 1, unit: 4 });
  assert.equal(formatView({ n: 55000, dx: -2, dy: 1, unit: 4 }), '55000,-2,1,4');
  assert.equal(formatView(DEFAULT_VIEW), null);
  for (const bad of ['', '500', '600,0,0,1', '500,5,0,1', '500,0,-5,1', '500,0,0,0', '500,0,0,9', '500,0,0,1.5', 'a,b,c,d', '500,0,0,1,2']) {
    assert.equal(parseView(bad), null, bad);
  }
});

test('sizes and their plans', () => {
  assert.deepEqual(SIZES.map((s) => s.n), [500, 5000, 55000]);
  assert.equal(planFor(5000).epochs, 3);
  assert.equal(planFor(55000).epochs, 1);
  assert.equal(planFor(7), SIZES[0]);
});

test('curvePath: one point per epoch, y up', () => {
  assert.deepEqual(curvePoints([0, 0.5, 1], 4, 100, 50), [[25, 50], [50, 25], [75, 0]]);
  assert.equal(curvePath([0, 1], 2, 10, 10), 'M5 10 L10 0');
  assert.equal(curvePath([], 2, 10, 10), '');
  assert.deepEqual(curvePoints([2], 1, 10, 10), [[10, 0]], 'clamped');
  assert.equal(shapeWord([28, 28, 1]), '28×28×1');
});

test('each shipped record has its weights beside it, the file the lesson loads for its big sizes', () => {
  for (const s of SIZES.filter((x) => x.shipped)) {
    for (const m of MODELS) {
      const path = shippedWeightsPath(m.preset, s.n);
      assert.equal(path, shippedPath(m.preset, s.n).replace(/\.json$/, '.cpw'));
      const bytes = readFileSync(new URL(`../../../${path}`, import.meta.url));
      assert.ok(bytes.length > 1000, `${path} is a model file`);
    }
  }
});
