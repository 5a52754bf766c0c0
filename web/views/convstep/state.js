// state.js: the step-through's position, DOM-free. The URL keeps
// it as conv=layer,y,x,filter (layer: the model's layer index); positions
// step in reading order (row by row, left to right) and wrap around.

/** convLayers lists the model's Conv2D layers: [{index, name, outShape}]. */
export function convLayers(model) {
  if (!model || !model.layers) return [];
  return model.layers.flatMap((l, index) => (l.type === 'Conv2D' ? [{ index, name: l.name, outShape: l.outShape }] : []));
}

/** parsePos reads "layer,y,x,filter"; anything else is null. */
export function parsePos(text) {
  if (typeof text !== 'string') return null;
  const parts = text.split(',');
  if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) return null;
  const [layer, y, x, filter] = parts.map(Number);
  return { layer, y, x, filter };
}

/** formatPos is parsePos's inverse. */
export function formatPos({ layer, y, x, filter }) {
  return `${layer},${y},${x},${filter}`;
}

/**
 * fitPos makes pos valid for the model: a conv layer that exists (else the
 * first), and y, x, filter inside its output (clamped). null without conv layers.
 */
export function fitPos(pos, model) {
  const convs = convLayers(model);
  if (!convs.length) return null;
  const conv = (pos && convs.find((c) => c.index === pos.layer)) || convs[0];
  const [oh, ow, f] = conv.outShape;
  const clamp = (v, n) => Math.max(0, Math.min(n - 1, Number.isInteger(v) ? v : 0));
  return { layer: conv.index, y: clamp(pos && pos.y, oh), x: clamp(pos && pos.x, ow), filter: clamp(pos && pos.filter, f) };
}

/** step moves pos by delta window positions in reading order on an oh x ow output, wrapping. */
export function step(pos, delta, oh, ow) {
  const n = oh * ow;
  const i = (((pos.y * ow + pos.x + delta) % n) + n) % n;
  return { ...pos, y: Math.floor(i / ow), x: i % ow };
}

/** move moves pos by (dy, dx) cells, clamped to the oh x ow output (arrow keys). */
export function move(pos, dy, dx, oh, ow) {
  return { ...pos, y: Math.max(0, Math.min(oh - 1, pos.y + dy)), x: Math.max(0, Math.min(ow - 1, pos.x + dx)) };
}

/**
 * cellAt is the output position whose window starts nearest the input cell
 * (row, col) under the pointer: the window's top-left input cell is
 * y*stride - padTop, so y = round((row - centre + padTop) / stride), where
 * centre = floor(k/2) keeps the pointer at the window's middle. Clamped.
 */
export function cellAt(row, col, { k, stride, padTop, padLeft, oh, ow }) {
  const c = Math.floor(k / 2);
  const y = Math.round((row - c + padTop) / stride);
  const x = Math.round((col - c + padLeft) / stride);
  return { y: Math.max(0, Math.min(oh - 1, y)), x: Math.max(0, Math.min(ow - 1, x)) };
}
