// bars.js: what the prediction list shows, DOM-free (tested with
// node --test). The probabilities are the engine's (predict's probs); this
// module only orders and formats them.

import { argmax } from '../shared/argmax.js';

/** probText is a probability as the list's data-prob carries it: four decimals. */
export function probText(p) {
  return Number(p).toFixed(4);
}

/**
 * bars lists the classes in class order with their probability, its text,
 * the bar's width in percent (at least a hairline for a nonzero value)
 * and whether it is the top class.
 */
export function bars(probs) {
  const top = argmax(probs);
  return Array.from(probs, (p, k) => ({
    k,
    p,
    text: probText(p),
    width: p > 0 ? Math.max(0.5, Math.min(100, 100 * p)) : 0,
    top: k === top,
  }));
}

/** verdict compares the top class with a known true label: 'right', 'wrong' or null (unknown). */
export function verdict(top, label) {
  if (label === undefined || label === null || top < 0) return null;
  return top === label ? 'right' : 'wrong';
}
