// argmax.js: picking the largest, the one rule every panel uses (the top
// class of a prediction, the class a shift changes to, the liveliest
// channel of a map). Ties go to the first of equal values.

/** argmax is the index of the largest value (the first of equal ones), -1 for none. */
export function argmax(values) {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (best < 0 || values[i] > values[best]) best = i;
  return best;
}

/** mostActive is the channel of an interleaved (H, W, c) map with the largest total: a lively map to start a lesson on. */
export function mostActive(map, c) {
  const totals = new Float64Array(c);
  for (let i = 0; i < map.length; i++) totals[i % c] += map[i];
  return argmax(totals);
}
