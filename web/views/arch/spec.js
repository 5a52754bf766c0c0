// spec.js: editing a model spec ({input, layers}, Keras argument
// names, as buildModel and checkSpec take it) for the architecture editor.
// DOM-free and pure: every function returns a new spec and leaves its
// argument alone, so the editor can keep the last spec for undo-free
// re-rendering. Whether a stack is valid, and every shape and parameter
// count, comes from the engine (checkSpec), never from here.

/** The layer types the editor offers, in menu order. */
export const LAYER_TYPES = ['Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'Flatten', 'Dense', 'Dropout'];

/** The activations a layer may take, as Keras names them. */
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear'];

/**
 * FIELDS lists each type's editable arguments: name (Keras's), kind
 * ('int', 'rate', 'padding', 'activation'), and for numbers the bounds the
 * inputs allow (the engine checks the stack; these keep a typo from
 * asking for a huge layer).
 */
export const FIELDS = {
  Conv2D: [
    { name: 'filters', kind: 'int', min: 1, max: 256 },
    { name: 'kernel_size', kind: 'int', min: 1, max: 28 },
    { name: 'strides', kind: 'int', min: 1, max: 28 },
    { name: 'padding', kind: 'padding' },
    { name: 'activation', kind: 'activation' },
  ],
  MaxPooling2D: [
    { name: 'pool_size', kind: 'int', min: 1, max: 28 },
    { name: 'strides', kind: 'int', min: 1, max: 28 },
  ],
  AveragePooling2D: [
    { name: 'pool_size', kind: 'int', min: 1, max: 28 },
    { name: 'strides', kind: 'int', min: 1, max: 28 },
  ],
  Flatten: [],
  Dense: [
    { name: 'units', kind: 'int', min: 1, max: 4096 },
    { name: 'activation', kind: 'activation' },
  ],
  Dropout: [{ name: 'rate', kind: 'rate', min: 0, max: 0.95 }],
};

/** defaultLayer is a fresh layer of type with the editor's starting values. */
export function defaultLayer(type) {
  switch (type) {
    case 'Conv2D':
      return { type, filters: 16, kernel_size: 3, strides: 1, padding: 'valid', activation: 'relu' };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { type, pool_size: 2, strides: 2 };
    case 'Flatten':
      return { type };
    case 'Dense':
      return { type, units: 64, activation: 'relu' };
    case 'Dropout':
      return { type, rate: 0.25 };
    default:
      throw new Error(`arch: unknown layer type ${JSON.stringify(type)}`);
  }
}

/**
 * editable turns a spec (a preset's, with the engine's defaults filled in)
 * into the editor's form: only the fields the editor shows, every field
 * set, no names (the engine names layers Keras's way).
 */
export function editable(spec) {
  return {
    input: [...spec.input],
    layers: spec.layers.map((l) => {
      const out = defaultLayer(l.type);
      for (const f of FIELDS[l.type]) {
        if (l[f.name] !== undefined) out[f.name] = l[f.name];
      }
      if ((l.type === 'MaxPooling2D' || l.type === 'AveragePooling2D') && l.strides === undefined) out.strides = out.pool_size;
      if (l.type === 'Conv2D' && !l.activation) out.activation = 'linear';
      if (l.type === 'Conv2D' && !l.padding) out.padding = 'valid';
      if (l.type === 'Dense' && !l.activation) out.activation = 'linear';
      return out;
    }),
  };
}

function withLayers(spec, layers) {
  return { input: [...spec.input], layers };
}

/** addLayer inserts a new layer of type at index (the end by default). */
export function addLayer(spec, type, index = spec.layers.length) {
  const layers = spec.layers.map((l) => ({ ...l }));
  layers.splice(Math.max(0, Math.min(index, layers.length)), 0, defaultLayer(type));
  return withLayers(spec, layers);
}

/** removeLayer drops layer i. */
export function removeLayer(spec, i) {
  return withLayers(
    spec,
    spec.layers.filter((_, j) => j !== i).map((l) => ({ ...l })),
  );
}

/** moveLayer moves layer i by delta places (-1 up, +1 down), clamped to the ends. */
export function moveLayer(spec, i, delta) {
  const layers = spec.layers.map((l) => ({ ...l }));
  const j = Math.max(0, Math.min(layers.length - 1, i + delta));
  const [l] = layers.splice(i, 1);
  layers.splice(j, 0, l);
  return withLayers(spec, layers);
}

/**
 * setField sets layer i's field from an input's text. A number that does
 * not parse, or lies outside the field's bounds, is refused with an Error
 * naming the field (the spec is unchanged); choices must be known ones.
 */
export function setField(spec, i, name, text) {
  const layer = spec.layers[i];
  const field = FIELDS[layer.type].find((f) => f.name === name);
  if (!field) throw new Error(`arch: ${layer.type} has no field ${name}`);
  let value;
  switch (field.kind) {
    case 'int':
      value = Number(String(text).trim());
      if (!Number.isInteger(value) || value < field.min || value > field.max) {
        throw new RangeError(`${name}: a whole number from ${field.min} to ${field.max}`);
      }
      break;
    case 'rate':
      value = Number(String(text).trim());
      if (String(text).trim() === '' || !Number.isFinite(value) || value < field.min || value > field.max) {
        throw new RangeError(`${name}: a number from ${field.min} to ${field.max}`);
      }
      break;
    case 'padding':
      if (!['valid', 'same'].includes(text)) throw new RangeError(`${name}: valid or same`);
      value = text;
      break;
    case 'activation':
      if (!ACTIVATIONS.includes(text)) throw new RangeError(`${name}: one of ${ACTIVATIONS.join(', ')}`);
      value = text;
      break;
  }
  const layers = spec.layers.map((l, j) => (j === i ? { ...l, [name]: value } : { ...l }));
  return withLayers(spec, layers);
}

/** specToURL writes a spec compactly for a shared link; specFromURL reads it back (null if malformed). */
export function specToURL(spec) {
  const short = { Conv2D: 'C', MaxPooling2D: 'M', AveragePooling2D: 'A', Flatten: 'F', Dense: 'D', Dropout: 'R' };
  return spec.layers
    .map((l) => {
      switch (l.type) {
        case 'Conv2D':
          return `C${l.filters}.${l.kernel_size}.${l.strides}.${l.padding[0]}.${l.activation}`;
        case 'MaxPooling2D':
        case 'AveragePooling2D':
          return `${short[l.type]}${l.pool_size}.${l.strides}`;
        case 'Dense':
          return `D${l.units}.${l.activation}`;
        case 'Dropout':
          return `R${l.rate}`;
        default:
          return 'F';
      }
    })
    .join('_');
}

export function specFromURL(text, input = [28, 28, 1]) {
  if (typeof text !== 'string' || text === '') return null;
  let spec = { input: [...input], layers: [] };
  try {
    for (const part of text.split('_')) {
      const kind = part[0];
      const args = part.slice(1).split('.');
      const i = spec.layers.length;
      const type = { C: 'Conv2D', M: 'MaxPooling2D', A: 'AveragePooling2D', F: 'Flatten', D: 'Dense', R: 'Dropout' }[kind];
      if (!type) return null;
      spec = addLayer(spec, type);
      const set = (name, v) => (spec = setField(spec, i, name, v));
      if (type === 'Conv2D') {
        if (args.length !== 5) return null;
        set('filters', args[0]);
        set('kernel_size', args[1]);
        set('strides', args[2]);
        set('padding', { v: 'valid', s: 'same' }[args[3]]);
        set('activation', args[4]);
      } else if (type === 'MaxPooling2D' || type === 'AveragePooling2D') {
        if (args.length !== 2) return null;
        set('pool_size', args[0]);
        set('strides', args[1]);
      } else if (type === 'Dense') {
        if (args.length !== 2) return null;
        set('units', args[0]);
        set('activation', args[1]);
      } else if (type === 'Dropout') {
        set('rate', part.slice(1));
      } else if (part !== 'F') return null;
    }
  } catch {
    return null;
  }
  return spec;
}
