// format.js: the formulas of the shapes lesson written out with a
// layer's own numbers, DOM-free (tested with node --test). Every number in
// them is a term the engine gave (describeLayers: size and count terms,
// params, out); nothing is computed here but the layout of the text.

import { count } from '../../format.js';

/** plain writes a number with at most 3 decimals, no trailing zeros (2.5, 27, 0.333). */
export function plain(x) {
  return String(Number(Number(x).toFixed(3)));
}

/** padTerm is the padding part of the size formula: 2·1 when even, 0 + 1 when 'same' puts the odd cell after. */
export function padTerm(size) {
  if (size.padBefore === size.padAfter) return `2·${size.padBefore}`;
  return `${size.padBefore} + ${size.padAfter}`;
}

/**
 * sizeFormula writes one axis's output size with its numbers:
 *   floor((28 + 2·1 − 3) / 1) + 1 = floor(27) + 1 = 28
 *   (3 − 1)·2 + 3 − 0 = 7 for a transposed convolution.
 * floored is true when the division left a remainder that floor dropped.
 */
export function sizeFormula(size) {
  if (size.transposed) {
    return { text: `(${size.n} − 1)·${size.s} + ${size.k} − ${size.padTotal} = ${size.out}`, floored: false };
  }
  const q = size.quotient;
  const floored = q !== Math.floor(q);
  const tail = size.s === 1 && !floored ? `${plain(q)} + 1` : `floor(${plain(q)}) + 1`;
  return {
    text: `floor((${size.n} + ${padTerm(size)} − ${size.k}) / ${size.s}) + 1 = ${tail} = ${size.out}`,
    floored,
  };
}

/** sizeSymbolic is the general formula, the same for every layer. */
export const SIZE_SYMBOLIC = 'out = floor((n + 2p − k) / s) + 1';

/**
 * paramFormula writes a layer's parameter count with its numbers:
 *   conv  (3·3·32 + 1)·64 = 18,496     dense  (1152 + 1)·128 = 147,584
 * without a bias the "+ 1" goes. type is the layer's Keras class.
 */
export function paramFormula(type, c, params) {
  const total = count(params);
  if (type === 'Dense') {
    return c.bias ? `(${count(c.cin)} + 1)·${count(c.cout)} = ${total}` : `${count(c.cin)}·${count(c.cout)} = ${total}`;
  }
  const fan = `${c.kh}·${c.kw}·${count(c.cin)}`;
  return c.bias ? `(${fan} + 1)·${count(c.cout)} = ${total}` : `${fan}·${count(c.cout)} = ${total}`;
}

/** flattenFormula writes Flatten's length from its input shape: 3·3·128 = 1,152. */
export function flattenFormula(inShape, values) {
  return `${inShape.map((d) => count(d)).join('·')} = ${count(values)}`;
}

/** areaFormula writes a map layer's size as area × channels: 14·14 × 64 = 12,544. */
export function areaFormula(l) {
  if (l.outShape.length !== 3) return `${count(l.values)}`;
  return `${l.outShape[0]}·${l.outShape[1]} × ${count(l.channels)} = ${count(l.values)}`;
}

/** percent writes a share in [0, 1] as 33.9%, with more digits for small shares (0.52%, 0.004%). */
export function percent(x) {
  if (x === 0) return '0%';
  const p = 100 * x;
  if (p >= 10) return `${p.toFixed(1)}%`;
  if (p >= 0.1) return `${p.toFixed(2)}%`;
  return `${Number(p.toPrecision(1))}%`;
}

/**
 * weightsFormula writes a kernel's weights the notes' way, without the
 * biases: conv (3·3·3)·192 = 5,184, dense 784·128 = 100,352. c is the
 * engine's count terms (kh, kw, cin, cout, weights).
 */
export function weightsFormula(type, c) {
  if (type === 'Dense') return `${count(c.cin)}·${count(c.cout)} = ${count(c.weights)}`;
  return `(${c.kh}·${c.kw}·${count(c.cin)})·${count(c.cout)} = ${count(c.weights)}`;
}

/** trySpec is the one-layer spec the "type a layer" box describes (integers already checked by the inputs). */
export function trySpec({ n, cin, filters, k, s, padding }) {
  return {
    input: [n, n, cin],
    layers: [{ type: 'Conv2D', filters, kernel_size: k, strides: s, padding, activation: 'relu' }],
  };
}
