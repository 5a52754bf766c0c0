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

/** Fashion-MNIST's tops, by class number: a confused pair of them gets the outline sentence. */
export const TOPS = { tshirt: 0, pullover: 2, coat: 4, shirt: 6 };

/**
 * CLEAN is the largest share of a class's images that may go wrong either
 * way (its row's mistakes, or other images taken for it, over its count)
 * for the lesson to call it "almost never confused".
 */
export const CLEAN = 0.03;

/**
 * lesson derives "the lesson in the mistakes" from the matrix, so it can
 * never contradict it: a list of [key, vars] sentences with class numbers
 * (the view turns them into names). fashion: the classes are
 * Fashion-MNIST's (a confused pair of tops gets the outline sentence).
 * Sentences: the most confused pair (both directions), the weakest class
 * and what it is taken for, the classes almost never confused (CLEAN), and
 * an invitation to open the cells.
 */
export function lesson(r, fashion = false) {
  const out = [];
  const rowTotal = (k) => {
    let n = 0;
    for (let p = 0; p < r.classes; p++) n += cell(r, k, p);
    return n;
  };
  let pair = null;
  for (let a = 0; a < r.classes; a++) {
    for (let b = a + 1; b < r.classes; b++) {
      const n = cell(r, a, b) + cell(r, b, a);
      if (n > 0 && (!pair || n > pair.n)) pair = { a, b, n };
    }
  }
  if (!pair) return [['eval.lesson.none', {}]];
  const [a, b] = cell(r, pair.a, pair.b) >= cell(r, pair.b, pair.a) ? [pair.a, pair.b] : [pair.b, pair.a];
  out.push(['eval.lesson.pair', { a, b, ab: cell(r, a, b), ba: cell(r, b, a) }]);
  const tops = Object.values(TOPS);
  if (fashion && tops.includes(a) && tops.includes(b)) out.push(['eval.lesson.tops', {}]);
  const w = worstClass(r);
  if (w && w.mistakes.length) out.push(['eval.lesson.worst', { truth: w.truth, acc: w.accuracy, pred: w.mistakes[0].pred, n: w.mistakes[0].count }]);
  const clean = [];
  for (let k = 0; k < r.classes; k++) {
    const total = rowTotal(k);
    if (!total) continue;
    let wrongOut = 0;
    let wrongIn = 0;
    for (let j = 0; j < r.classes; j++) {
      if (j === k) continue;
      wrongOut += cell(r, k, j);
      wrongIn += cell(r, j, k);
    }
    if (Math.max(wrongOut, wrongIn) <= CLEAN * total) clean.push(k);
  }
  out.push(clean.length ? ['eval.lesson.clean', { classes: clean, pct: CLEAN }] : ['eval.lesson.noClean', { pct: CLEAN }]);
  out.push(['eval.lesson.look', {}]);
  return out;
}
