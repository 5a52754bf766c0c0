// shift.js: the pooling lesson's DOM-free pieces. The numbers come
// from the engine (poolCompare, shiftCompare); this module picks the
// pooling layers, pairs them for the shift experiment and reads and writes
// the pool URL value (its windows are in windows.js).

/** poolLayers lists the model's MaxPooling2D layers: [{index, name, outShape}]. */
export function poolLayers(model) {
  if (!model || !model.layers) return [];
  return model.layers.flatMap((l, index) => (l.type === 'MaxPooling2D' ? [{ index, name: l.name, outShape: l.outShape }] : []));
}

/**
 * poolPairs pairs each pooling layer of a shiftCompare result with the
 * layer just before it: [{before, after}] of its layers entries, so the
 * page shows the change before and after pooling side by side.
 */
export function poolPairs(layers) {
  const pairs = [];
  layers.forEach((l, i) => {
    if (l.type === 'MaxPooling2D' && i > 0) pairs.push({ before: layers[i - 1], after: l });
  });
  return pairs;
}

/** parsePool reads the pool URL value "layer,channel"; null if malformed. */
export function parsePool(text) {
  if (typeof text !== 'string' || !/^\d+,\d+$/.test(text)) return null;
  const [layer, channel] = text.split(',').map(Number);
  return { layer, channel };
}

/** formatPool is parsePool's inverse. */
export function formatPool({ layer, channel }) {
  return `${layer},${channel}`;
}
