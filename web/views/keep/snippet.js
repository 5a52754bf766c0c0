// snippet.js: the Keras code the keep panel shows, so a student can
// carry the model between this page and a notebook. DOM-free; keep.test.js
// checks it in Node and keep_test.go runs it in Python against the .npz the
// engine writes.
//
// The architecture comes from the model's own .cpw file (the engine's
// exportWeights): its header holds the nn.ModelSpec as JSON
// (docs/weights-format.md), every default filled in. Nothing here computes
// a number about the network; it only writes the spec as Keras code.

const MAGIC = [0x89, 0x43, 0x50, 0x57, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89CPW\r\n\x1a\n"

/**
 * specOfCPW reads the model spec from a .cpw file's header: magic (8
 * bytes), version (u32), spec length S (u32, little-endian), S bytes of
 * JSON. It returns null for anything else.
 *
 * @param {Uint8Array} bytes
 */
export function specOfCPW(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < 16) return null;
  if (MAGIC.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(12, true);
  if (16 + n > bytes.length) return null;
  try {
    const spec = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + n)));
    return spec && Array.isArray(spec.input) && Array.isArray(spec.layers) ? spec : null;
  } catch {
    return null;
  }
}

const py = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** pyNumber writes a number as Python reads it back (1 -> 1, 0.25 -> 0.25). */
const pyNumber = (x) => String(Number(x));

/**
 * kerasLayer is one layer spec (nn.LayerSpec, Keras argument names) as a
 * Keras constructor call, with only the arguments that differ from Keras's
 * defaults.
 */
export function kerasLayer(l) {
  const args = [];
  const act = () => {
    if (l.activation && l.activation !== 'linear') args.push(`activation=${py(l.activation)}`);
  };
  switch (l.type) {
    case 'Conv2D':
    case 'Conv2DTranspose':
      args.push(pyNumber(l.filters), pyNumber(l.kernel_size));
      if (l.strides && l.strides !== 1) args.push(`strides=${pyNumber(l.strides)}`);
      if (l.padding && l.padding !== 'valid') args.push(`padding=${py(l.padding)}`);
      act();
      if (l.no_bias) args.push('use_bias=False');
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pool = l.pool_size || 2;
      args.push(pyNumber(pool));
      if (l.strides && l.strides !== pool) args.push(`strides=${pyNumber(l.strides)}`);
      if (l.padding && l.padding !== 'valid') args.push(`padding=${py(l.padding)}`);
      break;
    }
    case 'Dense':
      args.push(pyNumber(l.units));
      act();
      if (l.no_bias) args.push('use_bias=False');
      break;
    case 'Dropout':
      args.push(pyNumber(l.rate));
      break;
    case 'Activation':
      args.push(py(l.activation || 'linear'));
      break;
    case 'Flatten':
      break;
    case 'Rescaling': // a Keras file's own, or the input_scaling the page puts before a /255 or raw model
      args.push(pyNumber(l.scale));
      if (l.offset) args.push(`offset=${pyNumber(l.offset)}`);
      break;
    case 'BatchNormalization':
      if (l.momentum !== undefined && l.momentum !== 0.99) args.push(`momentum=${pyNumber(l.momentum)}`);
      if (l.epsilon !== undefined && l.epsilon !== 0.001) args.push(`epsilon=${pyNumber(l.epsilon)}`);
      if (l.no_center) args.push('center=False');
      if (l.no_scale) args.push('scale=False');
      break;
    default:
      throw new Error(`keep-snippet: no Keras code for a ${l.type} layer`);
  }
  return `layers.${l.type}(${args.join(', ')})`;
}

/** The comments of the snippet, in both languages. */
export const COMMENTS = {
  en: {
    build: 'Build the same model in Keras (the page\'s current architecture).',
    load: 'Load the weights downloaded here ("Download .npz"), in Keras\'s\nget_weights() order: arr_0, arr_1, ...',
    inputs: 'Standardize inputs as in training: (pixels - mean) / std,\nwith the training split\'s mean and std.',
    inputsOwn: 'Standardize inputs as in training: (pixels - mean) / std,\nwith your training images\' mean and std.',
    evaluate: 'For example, on test images x_test (N, 28, 28) uint8, labels y_test:',
    export: 'The other way: save a Keras model\'s weights for convplay, then\npress "Load a file" on the page. The page\'s model must have the\nsame architecture (build it in the architecture editor first).',
  },
  zh: {
    build: '在 Keras 中搭建同样的模型（即本页当前的结构）。',
    load: '载入本页下载的权重（“下载 .npz”），按 Keras 的\nget_weights() 顺序：arr_0、arr_1……',
    inputs: '输入要和训练时一样标准化：(像素 - 均值) / 标准差，\n用训练集的均值和标准差。',
    inputsOwn: '输入要和训练时一样标准化：(像素 - 均值) / 标准差，\n用你自己训练图像的均值和标准差。',
    evaluate: '例如，在测试图像 x_test (N, 28, 28) uint8 和标签 y_test 上：',
    export: '反方向：把 Keras 模型的权重保存给 convplay，再在本页按“从文件载入”。\n本页的模型必须是同样的结构（先在结构编辑器里搭好）。',
  },
};

/** comment writes a text as Python comment lines. */
const comment = (text) => text.split('\n').map((l) => `# ${l}`);

/**
 * kerasSnippet is the whole Python snippet: build the model of spec in
 * Keras, load the page's .npz (file name npzName) with set_weights, how to
 * standardize inputs (with the data set's mean and std when known), and how
 * to save a Keras model's weights for the page.
 *
 * @param {{spec: object, npzName: string, mean?: number, std?: number, lang?: 'en'|'zh'}} o
 */
export function kerasSnippet({ spec, npzName, mean, std, lang = 'en' }) {
  const c = COMMENTS[lang] || COMMENTS.en;
  const known = Number.isFinite(mean) && Number.isFinite(std);
  const lines = [
    'import numpy as np',
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    ...comment(c.build),
    'model = keras.Sequential([',
    `    keras.Input(shape=(${spec.input.join(', ')}${spec.input.length === 1 ? ',' : ''})),`,
    ...spec.layers.map((l) => `    ${kerasLayer(l)},`),
    '])',
    '',
    ...comment(c.load),
    `w = np.load(${py(npzName)})`,
    "model.set_weights([w[f'arr_{i}'] for i in range(len(w.files))])",
    '',
    ...comment(known ? c.inputs : c.inputsOwn),
    known ? `mean, std = ${Number(mean).toFixed(4)}, ${Number(std).toFixed(4)}` : '# mean, std = x_train.mean(), x_train.std()',
    ...comment(c.evaluate),
    "# model.compile(loss='sparse_categorical_crossentropy',",
    "#               metrics=['accuracy'])",
    '# model.evaluate((x_test[..., None] - mean) / std, y_test)',
    '',
    ...comment(c.export),
    "np.savez('model.npz', *model.get_weights())",
  ];
  return lines.join('\n') + '\n';
}
