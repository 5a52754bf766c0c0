// format.js: the words and numbers the page shows for the engine's results
// and events. Pure functions from the engine's messages to text, so that
// format.test.js checks them in Node; app.js puts the text in the DOM. No
// number is computed here, only rounded for display.

export const fixed = (x, digits = 4) => Number(x).toFixed(digits);
export const pct = (x) => `${(100 * x).toFixed(2)}%`;
export const count = (n) => Number(n).toLocaleString('en-US');

/** dataText describes a data set's loading state (state.data in app.js). */
export function dataText(d) {
  if (d.error) return `Loading stopped: ${d.error}`;
  if (!d.info) return d.name ? 'Loading the manifest…' : 'No data loaded yet.';
  const a = d.available || { train: 0, validation: 0, test: 0 };
  const head = d.complete ? `${d.info.title}: loaded and verified` : `${d.info.title}: loading ${d.loaded}/${d.total} files`;
  return `${head} · train ${count(a.train)}, validation ${count(a.validation)}, test ${count(a.test)} images`;
}

/**
 * progressText is a progress event as a line, Keras's progress bar in words.
 * pauseMs is the pause's round trip (undefined: running, null: paused, not
 * timed); plan is the train result with the batch size, which says when
 * batches run in parts.
 */
export function progressText(p, pauseMs, plan) {
  const paused = pauseMs === undefined ? '' : `Paused${pauseMs === null ? '' : ` (answered in ${pauseMs.toFixed(1)} ms)`} · `;
  return (
    `${paused}Epoch ${p.epoch + 1}/${p.epochs} · batch ${p.batch + 1}/${p.batches} · loss ${fixed(p.loss)} · accuracy ${pct(p.accuracy)} · ` +
    `${count(Math.round(p.samplesPerSec))} images/s · ${fixed(p.batchMs, 1)} ms/batch · ETA ${Math.ceil(p.etaSec)} s${partsText(plan)}`
  );
}

/**
 * partsText says how a batch too long for one slice of the engine's time is
 * cut (the train result's stepSamples and sampleMs), or '' for whole batches.
 */
export function partsText(plan) {
  if (!plan || !(plan.stepSamples < plan.batchSize)) return '';
  const images = plan.stepSamples === 1 ? 'image' : 'images';
  const measured = plan.sampleMs > 0 ? ` (a training pass takes ${fixed(plan.sampleMs, 1)} ms per image)` : '';
  return ` · each batch runs in parts of ${plan.stepSamples} ${images}${measured}`;
}

/** epochText is an epoch event as a line of the epoch log. */
export function epochText(e) {
  let text = `loss ${fixed(e.loss)} · accuracy ${pct(e.accuracy)}`;
  if (e.val_loss !== undefined) text += ` · val_loss ${fixed(e.val_loss)} · val_accuracy ${pct(e.val_accuracy)}`;
  if (e.checkpoint) text += ' · checkpoint saved';
  if (e.earlyStopping) text += ` · early stopping: wait ${e.earlyStopping.wait}, best epoch ${e.earlyStopping.bestEpoch + 1}`;
  return text;
}

const reasons = {
  finished: 'Training finished',
  stopped: 'Training stopped',
  early: 'Early stopping ended training',
  diverged: 'Training diverged',
  error: 'Training failed',
};

/** doneText is a done event as a sentence. */
export function doneText(d) {
  const why = reasons[d.reason] || `Training ended (${d.reason})`;
  if (d.error) return `${why}: ${d.error}`;
  return `${why}${d.restored && d.reason === 'early' ? ' (the best weights are restored)' : ''}.`;
}

/** evaluationText is an evaluate result as a sentence. */
export function evaluationText(title, e) {
  let text = `${title}, ${e.split} split: loss ${fixed(e.loss)} · accuracy ${pct(e.accuracy)} (${count(e.samples)} images, ${count(e.misclassified.length)} misclassified)`;
  if (e.dedup) {
    text += ` · without the ${e.dedup.removed} test images that also occur in the training data: accuracy ${pct(e.dedup.accuracy)}, loss ${fixed(e.dedup.loss)} (${count(e.dedup.samples)} images)`;
  }
  return text;
}

/** argmax is the index of the largest value, the first of ties. */
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * archText sums up a model result's layers on one line, for the list of
 * saved models: "Conv2D(8) → MaxPooling2D → Flatten → Dense(10) · 5,258 parameters".
 */
export function archText(m) {
  const layers = m.layers.map((l) => {
    if (l.type === 'Conv2D' || l.type === 'Conv2DTranspose') return `${l.type}(${l.outShape[l.outShape.length - 1]})`;
    if (l.type === 'Dense') return `Dense(${l.outShape[0]})`;
    return l.type;
  });
  return `${layers.join(' → ')} · ${count(m.totalParams)} parameters`;
}

const two = (n) => String(n).padStart(2, '0');

/** dateText is a time in ms as the page's local "YYYY-MM-DD HH:MM". */
export function dateText(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** metricsText gives a saved model's metrics (store.js), those it has, in words. */
export function metricsText(m = {}) {
  const parts = [];
  if (m.accuracy !== undefined) parts.push(`training accuracy ${pct(m.accuracy)}`);
  if (m.val_accuracy !== undefined) parts.push(`validation ${pct(m.val_accuracy)}`);
  if (m.test_accuracy !== undefined) parts.push(`test ${pct(m.test_accuracy)}`);
  return parts.length ? parts.join(' · ') : 'not trained or evaluated here';
}

/** savedText is a saved model's record as one line under its name. */
export function savedText(r) {
  return [dateText(r.date), r.dataset || 'no data set', metricsText(r.metrics), `${count(r.size)} bytes`].join(' · ');
}
