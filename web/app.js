// app.js: the page's composition root. It wires the header (language,
// data set, engine status) to the core (core.js: the worker, the model, the
// data, the current input) and mounts each view (views/<panel>/<panel>.js) into its
// <section> of index.html, the first prediction's first (mount.js). Views talk to the engine and to each other only
// through the core's context.

import { createCore } from './core.js';
import { makeWorker } from './boot.js';
import { createURLState } from './urlstate.js';
import { installTouchTips } from './touchtip.js';
import { term } from './glossary.js';
import { trackNav } from './nav.js';
import { startOffline } from './offline.js';
import { mountViews, viewModule, viewStyle, VIEWS, FIRST } from './mount.js';
import { strings, t, translate, pickLang, setLang, LANGS, keys, has, textIn } from './i18n.js';

const LANG_KEY = 'convplay.lang';

strings({
  en: {
    'app.title': 'convplay',
    'app.tagline': 'Draw a clothing item and watch a convolutional neural network look at it: every layer, every number, in your browser.',
    'app.skip': 'Skip to the lessons',
    'app.dataset': 'Data set',
    'app.fashion': 'Fashion-MNIST (clothing)',
    'app.digits': 'MNIST (digits)',
    'app.language': 'Language',
    'app.benchLabel': 'Draw and classify',
    'app.modelSource': 'Model: {label}.',
    'app.viewFailed': 'This part of the page failed to start: {error}',
    'status.booting': 'Starting the engine…',
    'status.restarting': 'Restarting the engine ({error})…',
    'status.ready': 'Engine ready',
    'status.loadingData': 'Engine ready · loading {data}: {loaded} of {total} files',
    'status.crashed': 'The engine stopped: {error}',
    'status.restart': 'Restart the engine',
    'status.error': 'Engine ready, but: {error}',
    'status.offlineMissing': 'Engine ready · this data set is not saved on this device: it loads when the network is back',
    'status.recovered': 'Engine ready again. It had stopped: {error}. The last good model is back (below); go on where you were.',
    'app.workers.single': 'This page is not cross-origin isolated (its server sends no COOP/COEP headers), so training runs in one Web Worker, whatever this number says. Serve it with make serve, or from a host that sends those headers, to share batches between several.',
    'app.workers.used': 'Web Workers this training uses: {n}.',
    'app.data.rounded': 'To download in half the bytes, the training and validation images are rounded to multiples of {step} grey levels (each pixel at most {off} of 255 off, which the eye does not see); the test images are exact.',
    'nav.title': 'Lessons',
    'nav.network': 'Layers',
    'nav.shapes': 'Shapes and parameters',
    'nav.conv': 'Convolution',
    'nav.pool': 'Pooling',
    'nav.dense': 'Dense and softmax',
    'nav.dvc': 'Why convolution',
    'nav.reg': 'One value or a vector',
    'nav.fcn': 'Growing maps back',
    'nav.seg': 'Every pixel a class',
    'nav.train': 'Train',
    'nav.eval': 'Evaluate',
    'nav.why': 'Why did it say that?',
    'nav.keep': 'Keep the model',
    'footer.engine': 'Engine:',
    'footer.bench': 'How fast is it? Convplay against TensorFlow.js',
  },
  zh: {
    'app.title': 'convplay',
    'app.tagline': '画一件衣服，看卷积神经网络怎样“看”它：每一层、每一个数字，都在你的浏览器里算出来。',
    'app.skip': '跳到课程内容',
    'app.dataset': '数据集',
    'app.fashion': 'Fashion-MNIST（服饰）',
    'app.digits': 'MNIST（手写数字）',
    'app.language': '语言',
    'app.benchLabel': '绘制与分类',
    'app.modelSource': '模型：{label}。',
    'app.viewFailed': '页面的这一部分没能启动：{error}',
    'status.booting': '正在启动引擎…',
    'status.restarting': '正在重启引擎（{error}）…',
    'status.ready': '引擎就绪',
    'status.loadingData': '引擎就绪 · 正在加载 {data}：{loaded} / {total} 个文件',
    'status.crashed': '引擎停止了：{error}',
    'status.restart': '重启引擎',
    'status.error': '引擎就绪，但出现问题：{error}',
    'status.offlineMissing': '引擎就绪 · 这个数据集没有保存在这台设备上：联网后才能加载',
    'status.recovered': '引擎已重新就绪。它之前停止了：{error}。已恢复最后一个可用的模型（见下方），可以接着学。',
    'app.workers.single': '本页没有跨源隔离（服务器没有发送 COOP/COEP 响应头），所以无论这里填多少，训练都只在一个 Web Worker 里进行。用 make serve 或能发送这些响应头的服务器提供本页，才能让几个 Worker 分担每一批。',
    'app.workers.used': '本次训练使用的 Web Worker 数：{n}。',
    'app.data.rounded': '为了让下载量减半，训练集和验证集的图像被取整到 {step} 个灰度级的倍数（每个像素最多相差 {off}/255，肉眼看不出）；测试图像保持原样。',
    'nav.title': '课程',
    'nav.network': '各层',
    'nav.shapes': '形状与参数',
    'nav.conv': '卷积',
    'nav.pool': '池化',
    'nav.dense': '全连接与 softmax',
    'nav.dvc': '为什么用卷积',
    'nav.reg': '一个数还是一个向量',
    'nav.fcn': '把特征图放大回去',
    'nav.seg': '给每个像素分类',
    'nav.train': '训练',
    'nav.eval': '评估',
    'nav.why': '它为什么这样回答',
    'nav.keep': '保存模型',
    'footer.engine': '引擎：',
    'footer.bench': '有多快？convplay 与 TensorFlow.js 的对比',
  },
});

const $ = (id) => document.getElementById(id);
const url = createURLState();

function firstLang() {
  const fromURL = url.get('lang');
  if (LANGS.includes(fromURL)) return fromURL;
  const stored = localStorage.getItem(LANG_KEY);
  if (LANGS.includes(stored)) return stored;
  return pickLang(navigator.languages || [navigator.language]);
}

performance.mark('convplay:app'); // the start-up timeline (internal/browsertest/startup_test.go logs it)
setLang(firstLang());
const ctx = createCore({ makeWorker, url }); // boot.js handed over to a newer build, if one waited, and started the engine's download and its first worker
ctx.state.lang = firstLang();
window.convplay = {
  ctx,
  state: ctx.state,
  views: {},
  get client() {
    return ctx.client;
  },
  // For the language test: the keys without a Chinese text.
  untranslated: () => keys('en').filter((k) => !has(k, 'zh')),
  // and the keys whose two texts are the same on purpose (a symbol, a size).
  sameInBoth: () => keys('en').filter((k) => textIn('en', k) === textIn('zh', k)),
};

/** showLang marks the document's language and the switch. */
function showLang() {
  document.documentElement.lang = ctx.state.lang === 'zh' ? 'zh-Hans' : 'en';
  $('lang').value = ctx.state.lang;
}

function showStatus() {
  const s = ctx.state;
  const status = $('status');
  status.dataset.state = s.engine;
  document.body.dataset.engine = s.engine;
  $('restart').hidden = s.engine !== 'crashed';
  const text = $('status-text');
  const d = s.dataset;
  let key = 'status.ready';
  let vars = {};
  const crash = ctx.crashText() || s.error;
  if (s.engine === 'booting') [key, vars] = s.restarts ? ['status.restarting', { error: crash }] : ['status.booting', {}];
  else if (s.engine === 'crashed') [key, vars] = ['status.crashed', { error: crash }];
  else if (d.error && d.offline) key = 'status.offlineMissing';
  else if (d.error) [key, vars] = ['status.error', { error: d.error }];
  else if (!d.complete && d.total) [key, vars] = ['status.loadingData', { data: d.name, loaded: d.loaded, total: d.total }];
  else if (s.crash && s.modelSource) [key, vars] = ['status.recovered', { error: crash }];
  ctx.setText(text, key, vars);
  status.toggleAttribute('data-loading', key === 'status.loadingData'); // one line: the page below stays put (style.css)
  const v = s.version;
  $('engine-version').textContent = v ? `convplay ${v.version} · ${v.go} · ${v.platform}` : '…';
  $('dataset').value = d.name || 'fashion';
  $('dataset').disabled = s.training || s.engine !== 'ready';
}

function showModelSource() {
  const el = $('model-source');
  const src = ctx.state.modelSource;
  el.textContent = src ? t('app.modelSource', { label: ctx.sourceText(src) }) : '';
}

/**
 * showWorkers tells, under the training panel's Web Workers setting, how
 * many workers training really uses: one without cross-origin isolation
 * (no SharedArrayBuffer for the helpers), whatever the setting says, and
 * the count of the running (or last) training. The train view owns the
 * setting; this note sits after its hint, or at the panel's end.
 */
let workersUsed = null; // the last training's workers (its train reply)
function showWorkers() {
  const panel = $('train-panel');
  if (!panel) return;
  let note = $('train-workers-note');
  if (!note) {
    note = document.createElement('p');
    note.id = 'train-workers-note';
    note.className = 'note';
    const hint = $('train-workers-hint');
    if (hint && panel.contains(hint)) hint.after(note);
    else panel.append(note);
  }
  note.dataset.isolated = String(Boolean(globalThis.crossOriginIsolated));
  note.dataset.workers = workersUsed === null ? '' : String(workersUsed);
  note.textContent = '';
  const lines = [];
  if (!globalThis.crossOriginIsolated) lines.push(['app.workers.single', {}]);
  if (workersUsed !== null) lines.push(['app.workers.used', { n: workersUsed }]);
  note.hidden = lines.length === 0;
  for (const [key, vars] of lines) {
    const span = document.createElement('span');
    ctx.setText(span, key, vars);
    note.append(span, ' ');
  }
}

function showCredit() {
  const info = ctx.state.dataset.info;
  $('data-credit').textContent = info ? term(info.title, ctx.state.lang) : '';
  // packdata -round: say so, so that nobody takes the pixels for the source's
  const step = (info && info.pixelSteps && info.pixelSteps.train) || 1;
  const rounded = $('data-rounded');
  rounded.hidden = step === 1;
  if (step === 1) rounded.textContent = '';
  else ctx.setText(rounded, 'app.data.rounded', { step, off: Math.floor(step / 2) });
}

/** markOnce marks the first time name happens on the page's performance timeline. */
function markOnce(name, when) {
  const off = ctx.on(name.split(':')[0], (x) => {
    if (!when(x)) return;
    performance.mark(`convplay:${name}`);
    off();
  });
}
markOnce('engine:ready', (s) => s.engine === 'ready');
markOnce('model:first', () => true);
markOnce('model:reference', () => ctx.state.modelSource?.preset === 'reference'); // replaced the small one
markOnce('dataset:info', (d) => Boolean(d.info));
markOnce('dataset:test', (d) => Boolean(d.available && d.available.test));
markOnce('input:first', (x) => Boolean(x));
markOnce('prediction:first', (p) => Boolean(p));

ctx.on('engine', showStatus);
ctx.on('dataset', () => {
  showStatus();
  showCredit();
});
ctx.on('training', showStatus);
ctx.on('model', () => {
  showModelSource();
  showStatus(); // drops the previous model's predict error; the new model's own would come after
});
ctx.on('trainstart', ({ reply }) => {
  workersUsed = reply && reply.workers;
  showWorkers();
});
ctx.on('lang', () => {
  showLang();
  showStatus();
  showModelSource();
  showCredit();
});
ctx.on('error', ({ message }) => {
  ctx.state.error = message;
  ctx.setText($('status-text'), 'status.error', { error: message });
});

$('lang').addEventListener('change', (e) => {
  const l = e.target.value;
  localStorage.setItem(LANG_KEY, l);
  url.set('lang', l);
  ctx.setLang(l);
});
$('dataset').addEventListener('change', (e) => {
  ctx.setDataset(e.target.value).catch((err) => ctx.emit('error', { where: 'dataset', message: err.message }));
});
$('restart').addEventListener('click', () => ctx.restart());

/**
 * lateStyles links the stylesheets of the views that mount late and
 * resolves once each has loaded or failed (or after 10 s: a stylesheet
 * that never answers must not keep the lessons away), so that they mount
 * styled.
 */
function lateStyles() {
  const links = VIEWS.filter(([, name]) => !FIRST.includes(name)).map(([, name]) => new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = viewStyle(name);
    link.onload = link.onerror = resolve;
    document.head.append(link);
  }));
  return Promise.race([Promise.all(links), new Promise((resolve) => setTimeout(resolve, 10000))]);
}

/** mountView mounts a loaded view into its section (or says there why it failed), then lets it catch up. */
function mountView(id, name, { module, error }) {
  const section = $(id);
  try {
    if (error) throw error;
    const { ctx: viewCtx, catchUp } = ctx.viewContext();
    module.mount(viewCtx, section);
    catchUp();
    translate(section);
    performance.mark(`convplay:view:${name}`);
  } catch (err) {
    console.error(`convplay: view ${name} failed:`, err);
    section.textContent = t('app.viewFailed', { error: err.message });
    section.classList.add('bad');
  }
}

showLang();
translate(document);
installTouchTips(); // a tap shows the values a mouse's hover shows
// The engine boots while the views mount (its download and compile take the
// longest); what follows its ready waits only for the views the first
// prediction shows (core.js, start); the others mount right after.
const views = mountViews({ load: (name) => import(viewModule(name)), mountOne: mountView, lateAfter: ctx.firstShown.then(lateStyles) });
views.first.then(() => performance.mark('convplay:views:first'));
ctx.start(url.get('data'), views.first);
ctx.client.ready.then(() => performance.mark('convplay:engine:booted'), () => {}); // the worker's own ready, before the gate
window.convplay.offline = startOffline(ctx, $('offline-note'), { kept: $('offline-kept') }); // sw.js: instant second visits, offline use
await views.all;
performance.mark('convplay:views');
document.body.dataset.views = 'mounted'; // browsertest's WaitEngine waits for it too
showWorkers();
trackNav(document.querySelector('.lessons-nav'));
