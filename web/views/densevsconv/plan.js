// plan.js: the dense-against-convolution experiment, DOM-free (tested with
// node --test): the two models' specs, how long each training size runs,
// and the curves' SVG paths. Every number drawn comes from the engine
// (sideBuild's description, sideStep's history); this only lays them out.

/** The dense network: every pixel to every one of 128 units, then 10 classes. */
export const DENSE_SPEC = {
  input: [28, 28, 1],
  layers: [
    { type: 'Flatten', name: 'flatten' },
    { type: 'Dense', name: 'dense', units: 128, activation: 'relu' },
    { type: 'Dense', name: 'dense_out', units: 10, activation: 'softmax' },
  ],
};

/** The small CNN: two 3x3 convolutions with pooling, then 10 classes. */
export const CNN_SPEC = {
  input: [28, 28, 1],
  layers: [
    { type: 'Conv2D', name: 'conv2d', filters: 8, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', name: 'pool', pool_size: 2, strides: 2 },
    { type: 'Conv2D', name: 'conv2d_2', filters: 16, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', name: 'pool_2', pool_size: 2, strides: 2 },
    { type: 'Flatten', name: 'flatten' },
    { type: 'Dense', name: 'dense_out', units: 10, activation: 'softmax' },
  ],
};

/** MODELS are the pair, by side-model name. */
export const MODELS = [
  { name: 'dvc-dense', kind: 'dense', spec: DENSE_SPEC },
  { name: 'dvc-cnn', kind: 'cnn', spec: CNN_SPEC },
];

/**
 * SIZES are the training sizes the student picks from, each with its
 * epochs: a few hundred steps for the two small sizes, so they finish in
 * seconds; 55,000 (all of the training split) runs one epoch, which takes
 * minutes (about 30 s for the dense net and 2.5 min for the CNN in
 * WebAssembly on a busy 2-core machine).
 */
export const SIZES = [
  { n: 500, epochs: 12 },
  { n: 5000, epochs: 3 },
  { n: 55000, epochs: 1 },
];

/** VALIDATION is how many validation images each epoch is checked on. */
export const VALIDATION = 1000;

/** planFor is the SIZES entry for n (the first when n is unknown). */
export function planFor(n) {
  return SIZES.find((s) => s.n === n) || SIZES[0];
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
