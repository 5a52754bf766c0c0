// state.js: the size sandbox's settings, DOM-free. The URL keeps
// them as sandbox=n,k,s,p where p is "valid", "same" or a number of zero
// cells added on each side (explicit padding). The values are the
// student's; whether they make a valid convolution is the engine's answer
// (convSize), so parsing only checks that they are whole numbers in the
// ranges the controls offer (invalid combinations stay, to be explained).

export const DEFAULTS = { n: 7, k: 3, s: 1, padding: 'valid', p: 0 };

/** Ranges of the controls: the grid stays readable up to 16 cells a side. */
export const LIMITS = { n: [1, 16], k: [1, 9], s: [0, 5], p: [0, 4] };

function inRange(v, [lo, hi]) {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** parseSandbox reads "n,k,s,p"; a malformed or out-of-range text gives null. */
export function parseSandbox(text) {
  if (typeof text !== 'string') return null;
  const parts = text.split(',');
  if (parts.length !== 4) return null;
  const [n, k, s] = parts.slice(0, 3).map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (!inRange(n, LIMITS.n) || !inRange(k, LIMITS.k) || !inRange(s, LIMITS.s)) return null;
  const last = parts[3];
  if (last === 'valid' || last === 'same') return { n, k, s, padding: last, p: 0 };
  if (!/^\d+$/.test(last) || !inRange(Number(last), LIMITS.p)) return null;
  return { n, k, s, padding: 'explicit', p: Number(last) };
}

/** formatSandbox is parseSandbox's inverse. */
export function formatSandbox({ n, k, s, padding, p }) {
  return `${n},${k},${s},${padding === 'explicit' ? p : padding}`;
}

/** request is the convSize request's arguments for settings v. */
export function sizeRequest({ n, k, s, padding, p }) {
  return padding === 'explicit' ? { n, k, s, padding, p } : { n, k, s, padding };
}

/**
 * Presets tie the sandbox to the reference model's layers: a 3x3 'same'
 * convolution keeps 28, 2x2 pooling halves 28, and 7 pools to 3.
 */
export const PRESETS = [
  { key: 'sandbox.presetSame', n: 14, k: 3, s: 1, padding: 'same', p: 0 },
  { key: 'sandbox.presetValid', n: 8, k: 3, s: 1, padding: 'valid', p: 0 },
  { key: 'sandbox.presetPool', n: 8, k: 2, s: 2, padding: 'valid', p: 0 },
  { key: 'sandbox.presetFloor', n: 7, k: 2, s: 2, padding: 'valid', p: 0 },
  { key: 'sandbox.presetStride', n: 9, k: 3, s: 2, padding: 'explicit', p: 1 },
];

/**
 * choosePadding switches v to padding mode padding. Only explicit padding
 * has a p of the student's; valid has none and same gets its cells from
 * the engine (convSize's padBefore/padAfter), so p drops to 0 instead of
 * keeping the explicit value from before.
 */
export function choosePadding(v, padding) {
  return { ...v, padding, p: padding === 'explicit' ? v.p : 0 };
}

/**
 * shownP is the padding the p control shows: the student's when explicit,
 * 0 for valid, and for same the engine's (its before side) from last, the
 * convSize answer for these settings (null while it is being asked).
 */
export function shownP(v, last) {
  if (v.padding === 'explicit') return v.p;
  if (v.padding === 'same' && last && last.valid) return last.padBefore;
  return 0;
}
