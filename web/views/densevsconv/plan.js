// plan.js: the dense-against-convolution experiment, DOM-free (tested with
// node --test): the two models' presets, how long each training size runs,
// the shipped runs' records, the lesson's URL key and the curves' SVG
// paths. Every number drawn comes from the engine (sideBuild's description,
// sideStep's history) or from a shipped record; this only lays them out.

/**
 * MODELS are the pair, by side-model name and the engine's preset (nn/presets.go:
 * "dense" is Flatten, Dense(128, relu), Dense(10, softmax); "small-same" two 3x3
 * same convolutions with 2x2 pooling, then Dense(10, softmax)), the presets the
 * command line trained the shipped runs with.
 */
export const MODELS = [
  { name: 'dvc-dense', kind: 'dense', preset: 'dense' },
  { name: 'dvc-cnn', kind: 'cnn', preset: 'small-same' },
];

/**
 * SIZES are the training sizes the student picks from, each with the epochs
 * of a live run: a few hundred steps for 500 and 5,000, so they finish in
 * seconds; 55,000 (all of the training split) runs one epoch, which takes
 * minutes (about 30 s for the dense net and 2.5 min for the CNN in
 * WebAssembly on a busy 2-core machine). The big sizes are shipped: their
 * runs (10 epochs, make pretrain-densevsconv) show at once.
 */
export const SIZES = [
  { n: 500, epochs: 12 },
  { n: 5000, epochs: 3, shipped: true },
  { n: 55000, epochs: 1, shipped: true },
];

/** VALIDATION is how many validation images each epoch is checked on. */
export const VALIDATION = 1000;

/** planFor is the SIZES entry for n (the first when n is unknown). */
export function planFor(n) {
  return SIZES.find((s) => s.n === n) || SIZES[0];
}

/** SHIPPED_DATA is the data set the shipped runs were trained on. */
export const SHIPPED_DATA = 'fashion';

/** shippedPath is where the page finds the shipped record of preset trained on n images. */
export function shippedPath(preset, n) {
  return `pretrained/densevsconv-${preset}-${n}.json`;
}

/** shippedWeightsPath is where the page finds the weights (.cpw) of that same run. */
export function shippedWeightsPath(preset, n) {
  return `pretrained/densevsconv-${preset}-${n}.cpw`;
}

/**
 * shippedRun turns a shipped record (convplay train -meta's JSON) into the
 * run the charts draw, as sideStep's finished run looks: {done, epochs,
 * samples, validationSamples, history: [{loss, accuracy, val_loss,
 * val_accuracy}], shipped: {command, test, bestEpoch, seconds}}. A record
 * of another model, size or data set, or with a broken history, throws an Error whose
 * message says what is wrong in one line.
 */
export function shippedRun(rec, preset, n, dataName = SHIPPED_DATA) {
  if (!rec || typeof rec !== 'object') throw new Error('not a training record');
  if (rec.arch !== preset) throw new Error(`a record of ${JSON.stringify(rec.arch)}, not ${preset}`);
  const data = rec.data || {};
  if (data.name !== dataName) throw new Error(`trained on ${JSON.stringify(data.name)}, not ${dataName}`);
  if (data.train !== n) throw new Error(`trained on ${data.train} images, not ${n}`);
  const h = rec.history || {};
  const keys = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];
  const len = Array.isArray(h.loss) ? h.loss.length : 0;
  if (!len) throw new Error('no epochs in the history');
  for (const k of keys) {
    if (!Array.isArray(h[k]) || h[k].length !== len || !h[k].every(Number.isFinite)) throw new Error(`the history's ${k} is not ${len} numbers`);
  }
  const history = h.loss.map((_, i) => Object.fromEntries(keys.map((k) => [k, h[k][i]])));
  const test = rec.test && Number.isFinite(rec.test.accuracy) ? rec.test.accuracy : null;
  return {
    done: true,
    epochs: len,
    samples: n,
    validationSamples: data.validation,
    history,
    shipped: { command: String(rec.command || ''), test, bestEpoch: rec.best_epoch || 0, seconds: rec.train_seconds },
  };
}

/** DEFAULT_VIEW is the lesson's settings before the student changes them. */
export const DEFAULT_VIEW = { n: 500, dx: 3, dy: 0, unit: 1 };

/**
 * parseView reads the dvc URL key: "n,dx,dy,unit" (training size, the
 * shift right and down, the unit as the student counts it from 1), or null
 * when it is malformed or beyond the controls.
 */
export function parseView(text) {
  const parts = String(text).split(',');
  if (parts.length !== 4 || !parts.every((p) => /^-?\d{1,6}$/.test(p))) return null;
  const [n, dx, dy, unit] = parts.map(Number);
  if (!SIZES.some((s) => s.n === n)) return null;
  if ([dx, dy].some((d) => d < -4 || d > 4) || unit < 1 || unit > 8) return null;
  return { n, dx, dy, unit };
}

/** formatView is parseView's text, or null for the defaults (left out of the link). */
export function formatView(v) {
  const t = `${v.n},${v.dx},${v.dy},${v.unit}`;
  const d = DEFAULT_VIEW;
  return t === `${d.n},${d.dx},${d.dy},${d.unit}` ? null : t;
}

/**
 * curvePath is an SVG path through values (one per epoch, in [lo, hi]) on a
 * w x h box with `epochs` slots: x at the slot's right end, y up.
 */
export function curvePath(values, epochs, w, h, lo = 0, hi = 1) {
  const pts = curvePoints(values, epochs, w, h, lo, hi);
  return pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x} ${y}`).join(' ');
}

/** curvePoints are curvePath's points, [x, y] rounded to 0.1. */
export function curvePoints(values, epochs, w, h, lo = 0, hi = 1) {
  const r = (v) => Math.round(v * 10) / 10;
  return values.map((v, i) => {
    const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
    return [r(((i + 1) / Math.max(epochs, 1)) * w), r(h - t * h)];
  });
}

/** sideShapeText is a shape as the page writes it: 28×28×1, 128. */
export function shapeWord(shape) {
  return shape.join('×');
}
