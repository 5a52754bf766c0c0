// format.js: the training panel's DOM-free parts: the settings with
// their defaults and bounds, the train request built from them, and the
// formatting of the progress line. Numbers about the run (rates, time left)
// come from the engine's progress events; this only writes them out.

/**
 * DEFAULTS are the panel's starting settings: the small model on the whole
 * training split with Adam at 0.003 in batches of 64, the recipe that
 * passes 85% validation accuracy after the first epoch (about 8 s with two
 * workers; BENCHMARKS.md, "In the browser").
 */
export const DEFAULTS = {
  model: 'small', // 'small' | 'reference' | 'custom'
  continueWeights: false,
  optimizer: 'adam', // 'sgd' | 'adam' | 'rmsprop'
  learningRate: 0.003,
  momentum: 0.9,
  batchSize: 64,
  epochs: 2,
  subset: 0, // 0: every training sample
  validationSubset: 0, // 0: every validation sample
  seed: 1,
  workers: 0, // Web Workers sharing each batch; 0: the engine's choice (one per core, up to 4)
  validation: true,
  checkpoint: true,
  early: false,
  patience: 2,
  minDelta: 0.001,
  restoreBest: true,
};

/** BOUNDS: each numeric setting's [min, max], and whether it must be whole. */
export const BOUNDS = {
  learningRate: [1e-6, 1e6, false],
  momentum: [0, 0.999, false],
  batchSize: [1, 1024, true],
  epochs: [1, 500, true],
  subset: [0, 1000000, true],
  validationSubset: [0, 1000000, true],
  seed: [0, 2 ** 31, true],
  workers: [0, 8, true],
  patience: [0, 100, true],
  minDelta: [0, 1e6, false],
};

/** The learning rates Keras starts each optimizer with. */
export const DEFAULT_RATES = { sgd: 0.01, adam: 0.001, rmsprop: 0.001 };

/** parseSetting reads a numeric setting from text, or throws a RangeError naming its bounds. */
export function parseSetting(name, text) {
  const [lo, hi, whole] = BOUNDS[name];
  const s = String(text).trim();
  const v = Number(s);
  if (s === '' || !Number.isFinite(v) || v < lo || v > hi || (whole && !Number.isInteger(v))) {
    throw new RangeError(`${name}: ${whole ? 'a whole number' : 'a number'} from ${lo} to ${hi}`);
  }
  return v;
}

/** optimizerSpec is nn.OptimizerSpec for the settings (momentum for SGD only). */
export function optimizerSpec(s) {
  const spec = { name: s.optimizer, learning_rate: s.learningRate };
  if (s.optimizer === 'sgd' && s.momentum > 0) spec.momentum = s.momentum;
  return spec;
}

/** trainArgs is the train request's arguments for the settings. */
export function trainArgs(s) {
  const args = {
    optimizer: optimizerSpec(s),
    epochs: s.epochs,
    batchSize: s.batchSize,
    subset: s.subset,
    validationSubset: s.validationSubset,
    seed: s.seed,
    validation: s.validation,
    checkpoint: s.validation && s.checkpoint,
    earlyStopping: null,
  };
  if (s.workers > 0) args.workers = s.workers;
  if (s.early) {
    args.earlyStopping = { patience: s.patience, min_delta: s.minDelta, restore_best_weights: s.restoreBest };
    if (!s.validation) args.earlyStopping.monitor = 'loss';
  }
  return args;
}

/** formatDuration writes seconds as "45 s", "3 min 05 s" or "1 h 02 min"; "–" when unknown. */
export function formatDuration(sec) {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** formatRate writes samples per second with at most three significant digits ("1,230", "87.5"). */
export function formatRate(r) {
  if (!Number.isFinite(r) || r <= 0) return '–';
  if (r >= 1000) return Math.round(r).toLocaleString('en-US');
  return String(Number(r.toPrecision(3)));
}

/** fraction is how far training has come, 0..1, from a progress event. */
export function fraction(p) {
  if (!p || !p.epochs || !p.batches) return 0;
  return Math.min(1, (p.epoch + (p.batch + 1) / p.batches) / p.epochs);
}

/**
 * settingsToURL / settingsFromURL write the settings that differ from the
 * defaults into one compact URL value ("m=custom,o=sgd,lr=0.05,...") and
 * read them back, ignoring what does not parse.
 */
const URL_KEYS = {
  model: 'm', optimizer: 'o', learningRate: 'lr', momentum: 'mo', batchSize: 'b', epochs: 'e', subset: 'n', validationSubset: 'vn', seed: 's', workers: 'w',
  validation: 'v', checkpoint: 'c', early: 'es', patience: 'p', minDelta: 'md', restoreBest: 'r', continueWeights: 'k',
};

export function settingsToURL(s) {
  const parts = [];
  for (const [name, key] of Object.entries(URL_KEYS)) {
    if (s[name] === DEFAULTS[name]) continue;
    const v = s[name];
    parts.push(`${key}=${typeof v === 'boolean' ? (v ? 1 : 0) : v}`);
  }
  return parts.join(',');
}

export function settingsFromURL(text) {
  const s = { ...DEFAULTS };
  if (typeof text !== 'string' || !text) return s;
  const byKey = Object.fromEntries(Object.entries(URL_KEYS).map(([n, k]) => [k, n]));
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    const name = byKey[k];
    if (!name || v === undefined) continue;
    const def = DEFAULTS[name];
    if (typeof def === 'boolean') {
      if (v === '1' || v === '0') s[name] = v === '1';
    } else if (name === 'model') {
      if (['small', 'reference', 'custom'].includes(v)) s[name] = v;
    } else if (name === 'optimizer') {
      if (['sgd', 'adam', 'rmsprop'].includes(v)) s[name] = v;
    } else {
      try {
        s[name] = parseSetting(name, v);
      } catch {
        // ignored: the default stays
      }
    }
  }
  return s;
}

/**
 * dataWait says what a run with settings s still waits for, given the data
 * set's state d ({available: {train, validation}, complete, error}): null
 * when it can start now, else {key, vars} naming what it waits for. A run
 * needs some training images and, when it validates, some validation
 * images: it starts on what has arrived, and the worker adds the rest to
 * it (up to its subset) as they come.
 */
export function dataWait(d, s) {
  if (!d || d.complete || d.error) return null;
  const a = d.available || {};
  const train = a.train || 0;
  const validation = a.validation || 0;
  if (s.validation && validation === 0) return { key: 'train.waitValidation', vars: { loaded: d.loaded || 0, total: d.total || 0 } };
  const need = 1;
  if (train < need) return { key: 'train.waitTrain', vars: { have: train, need, loaded: d.loaded || 0, total: d.total || 0 } };
  return null;
}
