// bench.js: the benchmark page (bench.html). It trains the playground's
// reference and small models for a fixed number of batches in convplay's
// engine (web/worker.js: one worker, then N sharing each batch), then with
// TensorFlow.js 4.22's WebAssembly backend in this same page, and shows the
// images per second side by side with their ratio, and one drawing's
// prediction latency with the full trace. `make bench-browser` drives it
// in headless Chromium (internal/browsertest/bench_test.go) through
// window.convplayBench. TensorFlow.js is loaded by this page alone.
import { createClient } from './protocol.js';
import { streamDataset } from './dataload.js';
import { strings, t, setLang, pickLang, translate } from './i18n.js';

strings({
  en: {
    'bench.title': 'How fast does convplay train?',
    'bench.language': 'Language',
    'bench.intro':
      'This page trains the playground’s two models for a fixed number of batches, first with convplay’s Go engine in Web Workers, then with TensorFlow.js in this same browser, and puts the speeds side by side. convplay’s matrix products run on a small WebAssembly SIMD kernel that the engine writes and links to itself (Go’s own WebAssembly has no SIMD); with several workers, each computes the gradients of its share of every batch.',
    'bench.tfjsNote':
      'TensorFlow.js 4.22 runs on its WebAssembly backend (XNNPACK with SIMD; the page asks it for as many threads as convplay has workers, and the Setup column shows how many it got: the backend takes only half of the logical cores the browser reports, so while it starts the page reports twice the threads asked for). That backend has no kernel for the filter gradient of a convolution, so it cannot train a CNN as it comes: this page registers Conv2DBackpropFilter, built from its own Conv2D kernel (the gradient as a convolution of the transposed input with the transposed output gradient), and sends Conv2DBackpropInput through Conv2D with the flipped kernel instead of its plain loop. That is the fastest TensorFlow.js can train here without a GPU. Its core bundle also comes without gradients, so the page registers those of the six operations the models use, with the same formulas as TensorFlow.js’s own.',
    'bench.refBatches': 'Reference model, batches',
    'bench.smallBatches': 'Small model, batches',
    'bench.workers': 'Workers',
    'bench.run': 'Run the benchmark',
    'bench.results': 'Results',
    'bench.colSystem': 'System',
    'bench.colSetup': 'Setup',
    'bench.colRate': 'Images per second',
    'bench.colRatio': 'Against TensorFlow.js',
    'bench.howMeasured':
      'Training speed counts the images of the timed batches over their time, the best of three runs (interleaved, as the machine’s other work only slows a run down): for convplay, the engine’s own count over its training time (after it times one sample to size its steps); for TensorFlow.js, after one warm-up batch. Before the first, a short training starts convplay’s helper workers, which then stay for every later training of the page. Latency is the median of 30 requests, measured from the page: one prediction of a test image with every layer’s output (the trace the playground draws).',
    'bench.groupTrain': '{model} model: training, batches of 32',
    'bench.groupLatency': 'Reference model: one drawing’s prediction',
    'bench.model.reference': 'Reference',
    'bench.model.small': 'Small',
    'bench.convplay': 'convplay (Go → WebAssembly)',
    'bench.tfjs': 'TensorFlow.js 4.22, wasm backend',
    'bench.oneWorker': '1 worker',
    'bench.nWorkers': '{n} workers sharing each batch',
    'bench.tfSetup': 'SIMD: {simd}, threads: {threads}',
    'bench.yes': 'yes',
    'bench.no': 'no',
    'bench.latencyConvplay': 'in the worker, with the trace of every layer',
    'bench.latencyTF': 'predict only, no trace',
    'bench.ms': '{ms} ms',
    'bench.groupMemory': 'Reference model: peak WebAssembly memory while training, per worker (the first holds the whole data set)',
    'bench.mib': '{mb} MiB',
    'bench.groupAccuracy': 'Small model: from pressing Train to 85% validation accuracy',
    'bench.accuracySetup': '{workers} worker(s), Adam {lr}, batches of {batch}, all {samples} training images, validated on {val} after each epoch: {acc}% after epoch {epoch}',
    'bench.seconds': '{s} s',
    'bench.facts': 'Cross-origin isolated: {isolated}. Cores the browser reports: {cores}. Engine: {engine}; its matrix products run on {kernel}.',
    'bench.kernel.wasm-simd': 'WebAssembly SIMD (4 floats per instruction)',
    'bench.kernel.go': 'plain Go WebAssembly (no SIMD: this browser did not link the SIMD kernel)',
    'bench.loading': 'Loading the engine and the Fashion-MNIST data…',
    'bench.ready': 'Ready.',
    'bench.running': 'Running: {what}…',
    'bench.done': 'Done in {s} s.',
    'bench.failed': 'The benchmark failed: {error}',
    'bench.noTF': 'TensorFlow.js is missing: run make bench-vendor to copy it into web/vendor/tfjs/.',
  },
  zh: {
    'bench.title': 'convplay 训练有多快？',
    'bench.language': '语言',
    'bench.intro':
      '本页把演示平台的两个模型各训练固定数量的批次：先用 convplay 的 Go 引擎在 Web Worker 里训练，再在同一个浏览器里用 TensorFlow.js 训练，并把两者的速度并排列出。convplay 的矩阵乘法由引擎自己生成并接到自身内存上的一个小型 WebAssembly SIMD 内核完成（Go 自带的 WebAssembly 没有 SIMD）；使用多个 worker 时，每个 worker 计算每一批中自己那一份的梯度。',
    'bench.tfjsNote':
      'TensorFlow.js 4.22 使用它的 WebAssembly 后端（XNNPACK，启用 SIMD；本页请求的线程数与 convplay 的 worker 数相同，实际得到的线程数见“配置”一栏：这个后端只用浏览器报告的逻辑核数的一半，所以本页在它启动时报告两倍于所请求的线程数）。这个后端没有卷积核梯度（Conv2DBackpropFilter）的实现，原样无法训练卷积网络：本页用它自己的 Conv2D 内核补上这一项（把梯度写成转置后的输入与转置后的输出梯度之间的卷积），并让 Conv2DBackpropInput 改走 Conv2D（使用翻转后的卷积核），不再用它那个朴素的循环。这是没有 GPU 时 TensorFlow.js 在这里能达到的最快训练方式。它的核心包也不带梯度函数，所以本页为两个模型用到的六种运算注册了梯度，公式与 TensorFlow.js 自带的相同。',
    'bench.refBatches': '参考模型，批次数',
    'bench.smallBatches': '小模型，批次数',
    'bench.workers': 'Worker 数',
    'bench.run': '开始测速',
    'bench.results': '结果',
    'bench.colSystem': '系统',
    'bench.colSetup': '配置',
    'bench.colRate': '每秒图像数',
    'bench.colRatio': '与 TensorFlow.js 相比',
    'bench.howMeasured':
      '训练速度 = 计时批次中的图像数 ÷ 所用时间，取三次运行（交替进行）中的最好一次，因为机器上的其他工作只会让一次运行变慢：convplay 取引擎自己统计的训练时间（它先测一张样本的耗时来划分步长，这部分不计）；TensorFlow.js 先跑一个预热批次再计时。在第一项之前，先做一次简短训练来启动 convplay 的辅助 worker，此后页面上的每次训练都沿用它们。延迟是在页面上测得的 30 次请求的中位数：对一张测试图像做一次预测，并返回每一层的输出（演示平台绘图用的追踪数据）。',
    'bench.groupTrain': '{model}模型：训练，每批 32 张',
    'bench.groupLatency': '参考模型：一幅手绘图的预测',
    'bench.model.reference': '参考',
    'bench.model.small': '小',
    'bench.convplay': 'convplay（Go → WebAssembly）',
    'bench.tfjs': 'TensorFlow.js 4.22，wasm 后端',
    'bench.oneWorker': '1 个 worker',
    'bench.nWorkers': '{n} 个 worker 分担每一批',
    'bench.tfSetup': 'SIMD：{simd}，{threads} 个线程',
    'bench.yes': '是',
    'bench.no': '否',
    'bench.latencyConvplay': '在 worker 中完成，含每一层的追踪数据',
    'bench.latencyTF': '只做预测，不含追踪数据',
    'bench.ms': '{ms} 毫秒',
    'bench.groupMemory': '参考模型：训练时每个 worker 的 WebAssembly 内存峰值（第一个 worker 保存整个数据集）',
    'bench.mib': '{mb} MiB',
    'bench.groupAccuracy': '小模型：从按下“训练”到验证准确率达到 85%',
    'bench.accuracySetup': '{workers} 个 worker，Adam 学习率 {lr}，每批 {batch} 张，使用全部 {samples} 张训练图像，每轮结束后在 {val} 张验证图像上评估：第 {epoch} 轮后达到 {acc}%',
    'bench.seconds': '{s} 秒',
    'bench.facts': '跨源隔离：{isolated}。浏览器报告的核心数：{cores}。引擎：{engine}；矩阵乘法使用{kernel}。',
    'bench.kernel.wasm-simd': ' WebAssembly SIMD（每条指令算 4 个浮点数）',
    'bench.kernel.go': '普通的 Go WebAssembly（没有 SIMD：这个浏览器没有接上 SIMD 内核）',
    'bench.loading': '正在加载引擎和 Fashion-MNIST 数据……',
    'bench.ready': '准备就绪。',
    'bench.running': '正在运行：{what}……',
    'bench.done': '完成，用时 {s} 秒。',
    'bench.failed': '测速失败：{error}',
    'bench.noTF': '缺少 TensorFlow.js：请运行 make bench-vendor，把它复制到 web/vendor/tfjs/。',
  },
});

const BATCH = 32;
const $ = (sel) => document.querySelector(sel);

// The engine: one worker (the leader) and its protocol client.
const worker = new Worker('worker.js');
const client = createClient(worker, { timeoutMs: 600000 });

let results = [];
let facts = {};

function setStatus(key, vars = {}) {
  const el = $('#bench-status');
  el.dataset.i18n = key;
  el.dataset.i18nVars = JSON.stringify(vars);
  el.classList.toggle('bad', key === 'bench.failed');
  translate(el);
}

/**
 * engineTrain trains a fresh preset model (seed 1) for `batches` batches
 * of 32 on the first training samples, with `workers` workers, and returns
 * the engine's figures: images per second over its training time, the
 * workers it used and the last progress event.
 */
async function engineTrain({ preset, batches, workers, stepSamples, batchSize }) {
  await client.request('buildModel', { preset, seed: 1 });
  let last = null;
  const peakMB = [];
  const offProgress = client.on('progress', (ev) => {
    last = ev;
    (ev.memoryMB || []).forEach((mb, i) => {
      peakMB[i] = Math.max(peakMB[i] || 0, mb);
    });
  });
  const done = new Promise((resolve) => {
    const off = client.on('done', (ev) => {
      off();
      resolve(ev);
    });
  });
  const args = { epochs: 1, batchSize: batchSize || BATCH, subset: batches * (batchSize || BATCH), validation: false, checkpoint: false, seed: 1, workers, optimizer: { name: 'sgd', learning_rate: 0.01 } };
  if (stepSamples !== undefined) args.stepSamples = stepSamples;
  const plan = await client.request('train', args);
  const ev = await done;
  offProgress();
  if (ev.reason !== 'finished') throw new Error(ev.error || ev.reason);
  return { imagesPerSec: last.samplesPerSec, workers: plan.workers, plan, last, peakMB };
}

/**
 * engineTimeToAccuracy presses Train as the page would, on the small model
 * (seed 1) with the whole training split and validation each epoch, and
 * times from the train request to the first epoch event whose validation
 * accuracy reaches `target`; then it stops the training.
 */
async function engineTimeToAccuracy({ workers, target = 0.85, batchSize = 64, learningRate = 0.003, maxEpochs = 5 }) {
  await client.request('buildModel', { preset: 'small', seed: 1 });
  const t0 = performance.now();
  let hit = null;
  let lastEpoch = null;
  const reached = new Promise((resolve) => {
    const offEpoch = client.on('epoch', (ev) => {
      lastEpoch = ev;
      if (!hit && ev.val_accuracy >= target) {
        hit = { seconds: (performance.now() - t0) / 1000, epoch: ev.epoch + 1, valAccuracy: ev.val_accuracy };
        offEpoch();
        resolve();
      }
    });
    const offDone = client.on('done', () => {
      offDone();
      resolve();
    });
  });
  const plan = await client.request('train', {
    epochs: maxEpochs, batchSize, validation: true, checkpoint: false, seed: 1, workers, optimizer: { name: 'adam', learning_rate: learningRate },
  });
  await reached;
  if (hit) await client.request('stop').catch(() => {}); // it may have finished already
  if (!hit) throw new Error(`the small model stayed below ${target} (last epoch: ${JSON.stringify(lastEpoch)})`);
  return { ...hit, workers: plan.workers, samples: plan.samples, validationSamples: plan.validationSamples, batchSize, learningRate };
}

// testPixels returns n standardized samples of a split, with their labels.
async function samples(split, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await client.request('getSample', { split, index: i }));
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** enginePredictMs: the median time of 30 predictions with the trace, from the page. */
async function enginePredictMs(pixels) {
  const times = [];
  for (let i = 0; i < 31; i++) {
    const t0 = performance.now();
    await client.request('predict', { pixels });
    if (i > 0) times.push(performance.now() - t0); // the first one warms up
  }
  return median(times);
}

// ---- TensorFlow.js ----

let tfState = null; // {tf, simd, threads}

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

async function tfInit(threads = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4))) {
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
async function tfTrain(name, batches, data) {
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

// ---- the run and the table ----

/**
 * runAll runs the whole benchmark: for each model, convplay with 1 and N
 * workers, then TensorFlow.js; then the latencies. It returns the rows
 * of the table.
 */
async function runAll({ refBatches = 20, smallBatches = 100, workers = 2, accuracy = true, repeat = 3 } = {}) {
  const t0 = performance.now();
  results = [];
  render();
  const data = await samples('train', 8 * BATCH);
  const test = await client.request('getSample', { split: 'test', index: 0 });
  const counts = workers > 1 ? [1, workers] : [1];
  const plan = [['reference', refBatches], ['small', smallBatches]];
  // convplay first, then TensorFlow.js: once started, TensorFlow.js's
  // backend keeps its thread pool in this page, and with it running convplay
  // measured half its speed. A warm-up, as TensorFlow.js gets one batch:
  // the helper workers boot once per page (they stay for later trainings).
  setStatus('bench.running', { what: 'warm-up' });
  for (const [preset] of plan) await engineTrain({ preset, batches: 2, workers });
  for (const [model, batches] of plan) {
    // Each setup `repeat` times, interleaved, the best kept: the machine's
    // other work only ever slows a run down.
    const rows = counts.map((n) => ({ kind: 'train', model, system: 'convplay', workers: n, imagesPerSec: 0, runs: [], batches, peakMB: [] }));
    results.push(...rows);
    for (let i = 0; i < repeat; i++) {
      for (const row of rows) {
        setStatus('bench.running', { what: `convplay ${model}, ${row.workers} (${i + 1}/${repeat})` });
        const r = await engineTrain({ preset: model, batches, workers: row.workers });
        row.runs.push(r.imagesPerSec);
        row.workers = r.workers;
        if (r.imagesPerSec > row.imagesPerSec) row.imagesPerSec = r.imagesPerSec;
        r.peakMB.forEach((mb, k) => {
          row.peakMB[k] = Math.max(row.peakMB[k] || 0, mb);
        });
        render();
      }
    }
    if (model === 'reference') {
      setStatus('bench.running', { what: 'convplay predict' });
      results.push({ kind: 'latency', model, system: 'convplay', ms: await enginePredictMs(test.pixels) });
    }
  }
  if (accuracy) {
    setStatus('bench.running', { what: 'convplay small → 85%' });
    results.push({ kind: 'accuracy', model: 'small', system: 'convplay', ...(await engineTimeToAccuracy({ workers })) });
    render();
  }
  await tfInit(workers); // the threads are set once, before the backend starts
  for (const [model, batches] of plan) {
    setStatus('bench.running', { what: `TensorFlow.js ${model}` });
    const runs = [];
    let predictMs = null;
    for (let i = 0; i < repeat; i++) {
      const tr = await tfTrain(model, batches, data);
      runs.push(tr.imagesPerSec);
      if (tr.predictMs !== null) predictMs = predictMs === null ? tr.predictMs : Math.min(predictMs, tr.predictMs);
    }
    const { simd, threads } = tfState;
    results.push({ kind: 'train', model, system: 'tfjs', simd, threads, imagesPerSec: Math.max(...runs), runs, batches });
    if (predictMs !== null) results.push({ kind: 'latency', model, system: 'tfjs', simd, threads, ms: predictMs });
    render();
  }
  for (const r of results) {
    if (r.kind !== 'train' || r.system !== 'convplay') continue;
    const tf = results.find((x) => x.kind === 'train' && x.system === 'tfjs' && x.model === r.model);
    r.ratio = r.imagesPerSec / tf.imagesPerSec;
  }
  render();
  setStatus('bench.done', { s: ((performance.now() - t0) / 1000).toFixed(1) });
  return results;
}

function setupText(r) {
  if (r.system === 'tfjs') return t('bench.tfSetup', { simd: t(r.simd ? 'bench.yes' : 'bench.no'), threads: r.threads });
  if (r.kind === 'latency') return t('bench.latencyConvplay');
  return r.workers === 1 ? t('bench.oneWorker') : t('bench.nWorkers', { n: r.workers });
}

function render() {
  const body = $('#results tbody');
  body.textContent = '';
  const row = (cells, cls) => {
    const tr = document.createElement('tr');
    if (cls) tr.className = cls;
    for (const [text, c, tag] of cells) {
      const td = document.createElement(tag || 'td');
      td.textContent = text;
      if (c) td.className = c;
      tr.append(td);
    }
    body.append(tr);
  };
  for (const model of ['reference', 'small']) {
    const rows = results.filter((r) => r.kind === 'train' && r.model === model);
    if (!rows.length) continue;
    const head = document.createElement('th');
    head.colSpan = 4;
    head.textContent = t('bench.groupTrain', { model: t(`bench.model.${model}`) });
    const tr = document.createElement('tr');
    tr.className = 'group';
    tr.append(head);
    body.append(tr);
    for (const r of rows) {
      const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`;
      row([
        [t(r.system === 'tfjs' ? 'bench.tfjs' : 'bench.convplay')],
        [setupText(r)],
        [r.imagesPerSec.toFixed(1), 'num'],
        [ratio, r.ratio === undefined ? 'num' : `num ${r.ratio >= 1 ? 'ratio-good' : 'ratio-bad'}`],
      ]);
    }
  }
  const mem = results.filter((r) => r.kind === 'train' && r.system === 'convplay' && r.model === 'reference' && r.peakMB && r.peakMB.length);
  if (mem.length) {
    const head = document.createElement('th');
    head.colSpan = 4;
    head.textContent = t('bench.groupMemory');
    const tr = document.createElement('tr');
    tr.className = 'group';
    tr.append(head);
    body.append(tr);
    for (const r of mem) {
      row([[t('bench.convplay')], [setupText(r)], [t('bench.mib', { mb: r.peakMB.join(' + ') }), 'num'], ['', 'num']]);
    }
  }
  const acc = results.filter((r) => r.kind === 'accuracy');
  if (acc.length) {
    const head = document.createElement('th');
    head.colSpan = 4;
    head.textContent = t('bench.groupAccuracy');
    const tr = document.createElement('tr');
    tr.className = 'group';
    tr.append(head);
    body.append(tr);
    for (const r of acc) {
      const setup = t('bench.accuracySetup', {
        workers: r.workers, batch: r.batchSize, lr: r.learningRate, samples: r.samples, val: r.validationSamples, epoch: r.epoch, acc: (100 * r.valAccuracy).toFixed(1),
      });
      row([[t('bench.convplay')], [setup], [t('bench.seconds', { s: r.seconds.toFixed(1) }), 'num'], ['', 'num']]);
    }
  }
  const lat = results.filter((r) => r.kind === 'latency');
  if (lat.length) {
    const head = document.createElement('th');
    head.colSpan = 4;
    head.textContent = t('bench.groupLatency');
    const tr = document.createElement('tr');
    tr.className = 'group';
    tr.append(head);
    body.append(tr);
    for (const r of lat) {
      row([
        [t(r.system === 'tfjs' ? 'bench.tfjs' : 'bench.convplay')],
        [r.system === 'tfjs' ? `${t('bench.latencyTF')}; ${setupText(r)}` : setupText(r)],
        [t('bench.ms', { ms: r.ms.toFixed(2) }), 'num'],
        ['', 'num'],
      ]);
    }
  }
}

function renderFacts() {
  if (!facts.engine) return;
  const el = $('#bench-facts');
  el.dataset.i18n = 'bench.facts';
  el.dataset.i18nVars = JSON.stringify({ ...facts, isolated: t(facts.isolated ? 'bench.yes' : 'bench.no'), kernel: t(`bench.kernel.${facts.kernel}`) });
  translate(el);
}

function applyLang(l) {
  setLang(l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  $('#lang').value = l;
  translate(document.body);
  renderFacts();
  render();
}

async function start() {
  const params = new URLSearchParams(location.search);
  applyLang(params.get('lang') === 'zh' || params.get('lang') === 'en' ? params.get('lang') : pickLang(navigator.languages));
  $('#lang').addEventListener('change', (e) => {
    applyLang(e.target.value);
    const p = new URLSearchParams(location.search);
    p.set('lang', e.target.value);
    history.replaceState(null, '', `?${p}`);
  });
  $('#workers').value = String(Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4)));
  setStatus('bench.loading');
  const version = await client.ready;
  facts = { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency || '?', engine: `${version.go}, ${version.platform}`, kernel: version.kernel };
  renderFacts();
  await streamDataset(client, 'fashion');
  setStatus('bench.ready');
  const run = $('#run');
  run.disabled = false;
  run.addEventListener('click', async () => {
    run.disabled = true;
    try {
      await runAll({ refBatches: Number($('#ref-batches').value), smallBatches: Number($('#small-batches').value), workers: Number($('#workers').value) });
    } catch (err) {
      setStatus('bench.failed', { error: err.message || String(err) });
    } finally {
      run.disabled = false;
    }
  });
}

const ready = start();
ready.catch((err) => setStatus('bench.failed', { error: err.message || String(err) }));

// For the browser tests and make bench-browser.
window.convplayBench = { ready, client, worker, engineTrain, engineTimeToAccuracy, enginePredictMs, tfTrain, tfInit, runAll, samples, get results() { return results; } };
