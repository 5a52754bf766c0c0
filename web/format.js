// format.js: the numbers the page shows, as text: counts, percentages,
// shapes, a model's layers on one line, dates; and esc for HTML. Pure functions, tested in Node
// (format.test.js). No number is computed here, only rounded for display.

export const pct = (x) => `${(100 * x).toFixed(2)}%`;
export const count = (n) => Number(n).toLocaleString('en-US');

/** shapeText writes a shape as 28×28×32, or 1,152 for a vector. */
export function shapeText(shape) {
  return shape.map((d) => count(d)).join('×');
}

/** esc makes text safe to put in HTML. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
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
