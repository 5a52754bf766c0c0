// heads.js: the regression lesson's two models and its number formats,
// DOM-free (tested with node --test). The same features (one 3x3
// convolution and pooling) end in two heads: Dense(10, softmax), one
// probability per class, trained with cross-entropy, and Dense(1, linear),
// one number, the image's ink area in percent, trained with mean squared
// error. Every value shown comes from the engine (sideBuild, sideStep,
// sideTrace).

const FEATURES = [
  { type: 'Conv2D', name: 'conv2d', filters: 8, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu' },
  { type: 'MaxPooling2D', name: 'pool', pool_size: 2, strides: 2 },
  { type: 'Conv2D', name: 'conv2d_2', filters: 8, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu' },
  { type: 'MaxPooling2D', name: 'pool_2', pool_size: 2, strides: 2 },
  { type: 'Flatten', name: 'flatten' },
];

/** HEADS are the two side models: classification and regression. */
export const HEADS = [
  {
    kind: 'class', name: 'reg-class', target: 'class',
    spec: { input: [28, 28, 1], layers: [...FEATURES, { type: 'Dense', name: 'classes', units: 10, activation: 'softmax' }] },
  },
  {
    kind: 'ink', name: 'reg-ink', target: 'ink',
    spec: { input: [28, 28, 1], layers: [...FEATURES, { type: 'Dense', name: 'ink_area', units: 1, activation: 'linear' }] },
  },
];

/** RUN is how both heads train: the same images, epochs and validation. */
export const RUN = { subset: 2000, epochs: 3, batchSize: 32, validationSubset: 500, seed: 1 };

/** OPTIMIZER trains both heads. */
export const OPTIMIZER = { name: 'adam', learning_rate: 0.003 };

/** percentText writes an ink area in percent with one decimal: 23.4%. */
export function percentText(v) {
  return `${Number(v).toFixed(1)}%`;
}

/** lossText writes a loss with 4 significant digits. */
export function lossText(v) {
  return Number(v).toPrecision(4);
}

/** topClasses are the k most probable classes of probs: [{k, p}], most probable first. */
export function topClasses(probs, k = 3) {
  return [...probs].map((p, i) => ({ k: i, p })).sort((a, b) => b.p - a.p || a.k - b.k).slice(0, k);
}
