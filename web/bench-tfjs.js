// bench-tfjs.js: TensorFlow.js's half of the benchmark page (bench.js): its
// wasm backend started with SIMD and as many threads as convplay has
// workers, the kernels and gradients it needs to train a CNN at all, and
// the two models trained and timed as convplay's are. TensorFlow.js itself
// (window.tf) is loaded by bench.html alone, never by the playground.
import { t } from './i18n.js';

/** BATCH is the benchmark's batch size, the same for both systems. */
export const BATCH = 32;

/** median of xs (the upper one of an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** tfSetup is how the backend started: {simd, threads}, or null before tfInit. */
export function tfSetup() {
  return tfState && { simd: tfState.simd, threads: tfState.threads };
}

let tfState = null; // {tf, simd, threads} once the backend started

// padAmounts is a stride-1 convolution's padding [top, bottom, left, right].
function padAmounts(pad, kh, kw) {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') return [Math.floor((kh - 1) / 2), kh - 1 - Math.floor((kh - 1) / 2), Math.floor((kw - 1) / 2), kw - 1 - Math.floor((kw - 1) / 2)];
  if (Array.isArray(pad)) return [pad[1][0], pad[1][1], pad[2][0], pad[2][1]];
  throw new Error(`bench: padding ${JSON.stringify(pad)} is not handled`);
}

function checkStride1(attrs, name) {
  const s = [].concat(attrs.strides);
  const d = [].concat(attrs.dilations ?? 1);
  if (s.some((v) => v !== 1) || d.some((v) => v !== 1)) throw new Error(`bench: ${name} handles stride 1, dilation 1 only`);
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') throw new Error(`bench: ${name} handles NHWC only`);
}

/**
 * registerTrainingKernels gives the wasm backend the two convolution
 * gradients it lacks (Conv2DBackpropFilter) or runs slowly
 * (Conv2DBackpropInput), both through its XNNPACK Conv2D kernel, for
 * stride 1:
 *   dW[i,j,c,f] = sum_{n,y,x} x[n,y+i,x+j,c] dy[n,y,x,f]: a convolution of
 *     x transposed to (C, H, W, N) with dy transposed to (Ho, Wo, N, F),
 *     giving (C, Kh, Kw, F), transposed back to (Kh, Kw, C, F);
 *   dx: dy convolved with the kernel flipped in space and its channels
 *     swapped, (Kh, Kw, F, C), padded by K-1-p.
 */
function registerTrainingKernels(tf) {
  const conv2d = tf.getKernel('Conv2D', 'wasm').kernelFunc;
  const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc;
  const reverse = tf.getKernel('Reverse', 'wasm').kernelFunc;
  const convAttrs = (pads) => ({ strides: [1, 1], pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1] });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      checkStride1(attrs, 'Conv2DBackpropFilter');
      const { x, dy } = inputs;
      const [kh, kw] = attrs.filterShape;
      const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const r = conv2d({ inputs: { x: xT, filter: dyT }, backend, attrs: convAttrs(padAmounts(attrs.pad, kh, kw)) });
      const out = transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } });
      for (const info of [xT, dyT, r]) backend.disposeData(info.dataId);
      return out;
    },
  });
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      checkStride1(attrs, 'Conv2DBackpropInput');
      const { dy, filter } = inputs;
      const [kh, kw] = filter.shape;
      const [top, bottom, left, right] = padAmounts(attrs.pad, kh, kw);
      const flipped = reverse({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
      const swapped = transpose({ inputs: { x: flipped }, backend, attrs: { perm: [0, 1, 3, 2] } });
      const out = conv2d({ inputs: { x: dy, filter: swapped }, backend, attrs: convAttrs([kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right]) });
      backend.disposeData(flipped.dataId);
      backend.disposeData(swapped.dataId);
      return out;
    },
  });
}

/**
 * blobWorkersAllowed reports whether this page may start a worker from a
 * blob: URL, as TensorFlow.js's threads do (Emscripten pthreads); the
 * playground's Content-Security-Policy forbids it, so bench.html needs
 * worker-src and script-src to allow blob: for TensorFlow.js to use threads.
 */
function blobWorkersAllowed() {
  return new Promise((resolve) => {
    let w = null;
    let timer = null;
    const finish = (ok) => {
      clearTimeout(timer);
      document.removeEventListener('securitypolicyviolation', onViolation);
      if (w) w.terminate();
      resolve(ok);
    };
    const onViolation = (e) => {
      if (String(e.blockedURI).startsWith('blob')) finish(false);
    };
    document.addEventListener('securitypolicyviolation', onViolation);
    timer = setTimeout(() => finish(false), 5000);
    try {
      w = new Worker(URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' })));
      w.onmessage = () => finish(true);
      w.onerror = () => finish(false);
    } catch {
      finish(false);
    }
  });
}

/**
 * registerGradients gives TensorFlow.js the gradients of the ops the two
 * models use. The core bundle (tf-core.min.js) ships without any (the
 * union package registers them, but its bundle needs eval, which the
 * page's Content-Security-Policy forbids); these are the same formulas,
 * on the same kernels, as tfjs-core's own gradients.
 */
function registerGradients(tf) {
  const run = (name, inputs, attrs) => tf.engine().runKernel(name, inputs, attrs);
  const reduceTo = (dy, shape) => {
    const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
    return tf.reshape(axes.length ? tf.sum(dy, axes) : dy, shape);
  };
  const grads = [
    { kernelName: 'Add', inputsToSave: ['a', 'b'], gradFunc: (dy, [a, b]) => ({ a: () => reduceTo(dy, a.shape), b: () => reduceTo(dy, b.shape) }) },
    { kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy, tf.step(x)) }) },
    { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) }) },
    {
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b], attrs) => {
        if (attrs.transposeA || attrs.transposeB) throw new Error('bench: matMul gradient without transposes only');
        return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
      },
    },
    {
      kernelName: 'Conv2D',
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, [x, filter], attrs) => {
        const { strides, pad, dataFormat, dimRoundingMode } = attrs;
        return {
          x: () => run('Conv2DBackpropInput', { dy, filter }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape }),
          filter: () => run('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat, dimRoundingMode, filterShape: filter.shape }),
        };
      },
    },
    {
      kernelName: 'MaxPool',
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, [x, y], attrs) => {
        const { filterSize, strides, pad, dimRoundingMode } = attrs;
        return { x: () => run('MaxPoolGrad', { dy, input: x, output: y }, { filterSize, strides, pad, dimRoundingMode }) };
      },
    },
  ];
  for (const g of grads) tf.registerGradient(g);
}

/**
 * crossEntropy is the mean softmax cross-entropy of logits (B, K) against
 * one-hot labels, with its gradient (softmax - labels) / B given directly.
 */
function crossEntropy(tf) {
  return tf.customGrad((logits, labels, save) => {
    const logp = tf.logSoftmax(logits);
    save([logp, labels]);
    const value = tf.div(tf.neg(tf.sum(tf.mul(labels, logp))), logits.shape[0]);
    return {
      value,
      gradFunc: (dy, [lp, lab]) => [tf.mul(dy, tf.div(tf.sub(tf.exp(lp), lab), lp.shape[0])), tf.zerosLike(lab)],
    };
  });
}

export async function tfInit(threads = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4))) {
  if (tfState) return tfState;
  const tf = window.tf;
  if (!tf || !tf.wasm) throw new Error(t('bench.noTF'));
  tf.wasm.setWasmPaths(new URL('vendor/tfjs/', location.href).href);
  const multi = crossOriginIsolated && (await blobWorkersAllowed());
  if (!multi) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else tf.wasm.setThreadsCount(threads);
  // The backend caps its thread pool at half of navigator.hardwareConcurrency
  // (its backend.cc takes every core for two hyper-threads), read once as
  // its module starts: on a machine with 2 logical cores it would run one
  // thread whatever setThreadsCount asks. So while it starts it is shown
  // twice the threads asked for, and it gets as many as convplay has workers.
  if (multi) Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js: the wasm backend did not start');
  } finally {
    delete navigator.hardwareConcurrency; // the browser's own value again
  }
  await tf.ready();
  registerTrainingKernels(tf);
  if (!tf.getGradient('Conv2D')) registerGradients(tf);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  tfState = { tf, simd, threads: threaded ? tf.wasm.getThreadsCount() : 1 };
  return tfState;
}

// The two models as TensorFlow.js ops: [kind, units or filters, padding/activation].
const ARCH = {
  reference: [['conv', 32, 'same'], ['conv', 32, 'same'], ['pool'], ['conv', 64, 'same'], ['conv', 64, 'same'], ['pool'],
    ['conv', 128, 'same'], ['conv', 128, 'same'], ['pool'], ['flatten'], ['dense', 128, 'relu'], ['dense', 10, 'logits']],
  small: [['conv', 8, 'valid'], ['pool'], ['conv', 16, 'valid'], ['pool'], ['flatten'], ['dense', 10, 'logits']],
};

/** tfModel builds a model of ARCH[name] with Glorot-uniform weights, as Keras does. */
function tfModel(tf, name) {
  let [h, w, c] = [28, 28, 1];
  let flat = 0;
  const vars = [];
  const ops = [];
  let seed = 1;
  const glorot = (shape, fanIn, fanOut) => {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return tf.variable(tf.randomUniform(shape, -lim, lim, 'float32', seed++));
  };
  for (const [kind, n, mode] of ARCH[name]) {
    if (kind === 'conv') {
      const k = glorot([3, 3, c, n], 9 * c, 9 * n);
      const b = tf.variable(tf.zeros([n]));
      vars.push(k, b);
      ops.push((x) => tf.relu(tf.add(tf.conv2d(x, k, 1, mode), b)));
      if (mode === 'valid') [h, w] = [h - 2, w - 2];
      c = n;
    } else if (kind === 'pool') {
      ops.push((x) => tf.maxPool(x, 2, 2, 'valid'));
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    } else if (kind === 'flatten') {
      flat = h * w * c;
      ops.push((x) => tf.reshape(x, [x.shape[0], -1]));
    } else {
      const k = glorot([flat, n], flat, n);
      const b = tf.variable(tf.zeros([n]));
      vars.push(k, b);
      ops.push(mode === 'relu' ? (x) => tf.relu(tf.add(tf.matMul(x, k), b)) : (x) => tf.add(tf.matMul(x, k), b));
      flat = n;
    }
  }
  return { vars, forward: (x) => ops.reduce((y, f) => f(y), x), dispose: () => vars.forEach((v) => v.dispose()) };
}

/** tfTrain trains ARCH[name] for `batches` batches (after one warm-up) on the samples given. */
export async function tfTrain(name, batches, data) {
  const { tf } = await tfInit();
  const model = tfModel(tf, name);
  const opt = tf.train.sgd(0.01);
  const loss = crossEntropy(tf);
  const n = Math.floor(data.length / BATCH);
  const xs = [];
  const ys = [];
  for (let b = 0; b < n; b++) {
    const part = data.slice(b * BATCH, (b + 1) * BATCH);
    const pix = new Float32Array(BATCH * 784);
    part.forEach((s, i) => pix.set(s.pixels, i * 784));
    xs.push(tf.tensor4d(pix, [BATCH, 28, 28, 1]));
    ys.push(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(part.map((s) => s.label), 'int32'), 10), 'float32')));
  }
  const step = (b) => {
    const cost = opt.minimize(() => loss(model.forward(xs[b % n]), ys[b % n]), true, model.vars);
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  };
  step(0); // warm-up
  const t0 = performance.now();
  let last = 0;
  for (let b = 1; b <= batches; b++) {
    last = step(b);
    if (b % 5 === 0) await new Promise((r) => setTimeout(r, 0)); // let the page breathe
  }
  const s = (performance.now() - t0) / 1000;
  let predictMs = null;
  if (name === 'reference') {
    const one = tf.tensor4d(data[0].pixels, [1, 28, 28, 1]);
    const times = [];
    for (let i = 0; i < 31; i++) {
      const t1 = performance.now();
      const p = tf.tidy(() => tf.softmax(model.forward(one)));
      p.dataSync();
      p.dispose();
      if (i > 0) times.push(performance.now() - t1);
    }
    one.dispose();
    predictMs = median(times);
  }
  xs.forEach((x) => x.dispose());
  ys.forEach((y) => y.dispose());
  opt.dispose();
  model.dispose();
  if (!Number.isFinite(last)) throw new Error(`TensorFlow.js: loss ${last}`);
  return { imagesPerSec: (batches * BATCH) / s, predictMs, loss: last };
}
