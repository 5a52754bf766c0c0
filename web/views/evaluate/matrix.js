// matrix.js: the evaluation panel's DOM-free parts. Every count
// and fraction comes from the engine's evaluate result (wasm/evaluate.go);
// these functions only pick, order and colour them. Tested in
// matrix.test.js.

/** kerasList prints [loss, accuracy] as Keras's model.evaluate returns them, rounded to 4 places. */
export function kerasList(loss, accuracy) {
  return `[${Number(loss).toFixed(4)}, ${Number(accuracy).toFixed(4)}]`;
}

/**
 * cellSamples lists the test samples of confusion cell (truth, pred): the
 * misclassified indices whose label and prediction are those, in order.
 *
 * @param {{misclassified: Int32Array, predicted: Int32Array, labels: Int32Array}} r
 */
export function cellSamples(r, truth, pred) {
  const out = [];
  for (let i = 0; i < r.misclassified.length; i++) if (r.labels[i] === truth && r.predicted[i] === pred) out.push(r.misclassified[i]);
  return out;
}

/** cell is confusion matrix entry (row truth, column pred). */
export const cell = (r, truth, pred) => r.confusion[truth * r.classes + pred];

/** matrixTotal adds up the matrix: the number of samples it counts. */
export function matrixTotal(r) {
  let n = 0;
  for (const c of r.confusion) n += c;
  return n;
}

/**
 * cellColour is a cell's background: the diagonal (right answers) in the
 * good colour, scaled by the row's largest count, the mistakes in the bad
 * colour, scaled by the largest mistake anywhere, so the worst confusions
 * stand out. alpha is 0..1; text is 'light' on dark backgrounds.
 */
export function cellColour(r, truth, pred) {
  const n = cell(r, truth, pred);
  let max = 0;
  if (truth === pred) {
    for (let k = 0; k < r.classes; k++) max = Math.max(max, cell(r, k, k));
  } else {
    for (let t = 0; t < r.classes; t++) for (let p = 0; p < r.classes; p++) if (t !== p) max = Math.max(max, cell(r, t, p));
  }
  const alpha = max > 0 ? n / max : 0;
  return { kind: truth === pred ? 'right' : 'wrong', alpha, text: alpha > 0.55 ? 'light' : 'dark' };
}

/**
 * worstClass is the class with the lowest accuracy (the engine's
 * classAccuracy) and its mistakes sorted by count, most first: [{pred,
 * count}], cells with no mistakes left out.
 */
export function worstClass(r) {
  let worst = -1;
  r.classAccuracy.forEach((a, k) => {
    if (a !== null && (worst < 0 || a < r.classAccuracy[worst])) worst = k;
  });
  if (worst < 0) return null;
  const mistakes = [];
  for (let p = 0; p < r.classes; p++) if (p !== worst && cell(r, worst, p) > 0) mistakes.push({ pred: p, count: cell(r, worst, p) });
  mistakes.sort((a, b) => b.count - a.count || a.pred - b.pred);
  return { truth: worst, accuracy: r.classAccuracy[worst], mistakes };
}

/** Fashion-MNIST's tops, by class number: the classes of the natural lesson. */
export const TOPS = { tshirt: 0, pullover: 2, coat: 4, shirt: 6 };
