// core.js: the page's shared state and the context every view gets.
// (About 580 lines on purpose: the one state object and the worker's whole
// life, boot, crash and silence recovery, restore, the first model's
// start (the small one, then the reference one) and the events a view
// mounted late catches up on sit in one place, as
// CONVENTIONS asks of the composition root; the views hold the rest.)
//
// The core owns the worker (booting it, restarting it after a crash, which
// protocol.js notices, a silent death included, and giving the new one the
// last good model and the data back), the model shown (the pretrained one
// of the data set at start; after a training that failed, the last good
// model again), the data set streamed into the worker, and the current
// input with its prediction. Views (web/views/)
// read ctx.state, call ctx.request and the ctx.set* methods, and listen to
// ctx.on events; the contract is written out in README's "The page" part
// and at each method below. Every number about the network comes from the
// engine; the core only passes it along.

import { createClient, CRASH } from './client.js';
import { streamDataset } from './dataload.js';
import { parseExample } from './example.js';
import { createPrefetch } from './prefetch.js';
import { URL_KEYS } from './urlkeys.js';
import { count, pct } from './format.js';
import { strings, t, translate, getLang, setLang } from './i18n.js';

/** Automatic restarts after a crash, before the page asks the user instead. */
const MAX_RESTARTS = 3;

/** The pretrained models (pretrained/, copied to web/pretrained/ by make), best first, by data set. */
export const PRETRAINED = {
  fashion: ['reference', 'small'],
  digits: ['small'],
};

/** The requests that replace or change the engine's model. */
const MODEL_OPS = new Set(['buildModel', 'loadWeights', 'loadKeras', 'train']);

/**
 * The events that tell a state, which holds until the next one, in the
 * order a view catches up on them when it mounts late (viewContext): the
 * core's own, then what views tell each other (the pad's last drawing, the
 * architecture being edited, the regression head). The other events
 * (progress, epoch, done, error, ...) are moments, not states. No 'lang':
 * a view mounting reads the current language (i18n.js) as it builds.
 */
const STATE_EVENTS = ['engine', 'training', 'dataset', 'model', 'drawing', 'input', 'prediction', 'arch', 'regressHead'];

/** How long after the engine's ready the first prediction's path has the engine to itself at most. */
const FIRST_PATH_MS = 5000;

/** How often training's progress refreshes the weights the views show. */
const WEIGHTS_EVERY_MS = 1000;

strings({
  en: {
    'core.source.pretrained.reference': 'the pretrained reference model for {data}',
    'core.source.pretrained.small': 'the pretrained small model for {data}',
    'core.source.interim': 'the pretrained small model for {data}, while the reference model loads',
    'core.source.noReference': 'the pretrained small model for {data} (the reference model did not load: {error})',
    'core.source.restored': 'restored after the engine restarted: {from}',
    'core.source.checkpoint': 'the training checkpoint of epoch {epoch}',
    'core.source.afterError': 'restored after the training failed: {from}',
    'core.crash.silent': 'its worker stopped without a word (closed, or killed for want of memory)',
    'core.error.helper': 'helper worker {n} of {of} stopped (closed, killed for want of memory, or its engine failed)',
  },
  zh: {
    'core.source.pretrained.reference': '{data} 上预训练好的参考模型',
    'core.source.pretrained.small': '{data} 上预训练好的小模型',
    'core.source.interim': '{data} 上预训练好的小模型（参考模型还在加载）',
    'core.source.noReference': '{data} 上预训练好的小模型（参考模型没有加载成功：{error}）',
    'core.source.restored': '引擎重启后已恢复：{from}',
    'core.source.checkpoint': '训练中第 {epoch} 轮保存的检查点',
    'core.source.afterError': '训练失败后已恢复：{from}',
    'core.crash.silent': '它的 worker 一声不响地停止了（被关闭，或因内存不足被终止）',
    'core.error.helper': '辅助 worker（第 {n} 个，共 {of} 个）停止了（被关闭、因内存不足被终止，或其引擎出错）',
  },
});

/**
 * createCore makes the context. deps are the browser's pieces, replaceable
 * in tests: makeWorker() returns a new Worker, fetch, url (urlstate.js),
 * clientOptions (createClient's, e.g. its timers), timers (the core's own setTimeout).
 */
export function createCore({ makeWorker, fetch = globalThis.fetch.bind(globalThis), url, clientOptions = {}, timers = globalThis }) {
  const listeners = new Map();
  const state = {
    engine: 'booting',
    version: null,
    error: null,
    crash: null, // the last crash, {kind, reason} (protocol.js), until the next training or restart
    restarts: 0,
    model: null,
    modelSource: null,
    modelPending: null, // the pretrained preset on its way to replace the small one shown meanwhile, or null
    dataset: { name: null, info: null, available: null, complete: false, error: null, offline: false, loaded: 0, total: 0 },
    input: null,
    prediction: null,
    training: false,
    lang: getLang(),
  };
  let client = null;
  let worker = null; // the live Worker
  let kept = null; // {bytes, source}: the current model as .cpw, to restore after a crash (null: pretrained)
  let predicting = false; // a predict request is in flight
  let again = false; // the input changed meanwhile: predict once more when it returns
  let lastWeights = 0;
  let datasetRun = 0; // increases with every data-set switch, so an old stream's progress is dropped
  let modelRun = 0; // increases with every model set or request that changes it, so a pretrained model arriving late replaces nothing newer
  let pendingRun = -1; // the modelRun whose upgrade state.modelPending waits for
  let exampleAsked = null; // {name, client, promise}: the data set's example being standardized (askExample)
  const { prefetch, take } = createPrefetch(fetch); // downloads started before the engine was ready
  const lastState = new Map(); // event name (STATE_EVENTS) -> its last payload
  let firstDone; // resolves firstShown
  const firstShown = new Promise((resolve) => (firstDone = resolve));

  const ctx = {
    state,
    url,
    t,
    strings,
    translate,
    fmt: {
      count,
      pct: (x) => `${(100 * x).toFixed(1)}%`,
      pct2: pct,
      num: (x, digits = 3) => Number(x).toFixed(digits),
    },

    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
      return () => listeners.get(name).delete(fn);
    },

    emit(name, payload) {
      if (STATE_EVENTS.includes(name)) lastState.set(name, payload);
      if (endsFirstPath(name, payload)) firstDone();
      for (const fn of [...(listeners.get(name) || [])]) {
        try {
          fn(payload);
        } catch (err) {
          console.error(`convplay: a ${name} listener failed:`, err);
        }
      }
    },

    /**
     * viewContext is the context for a view that mounts now, perhaps after
     * the engine, the model and the first prediction came: {ctx, catchUp}.
     * ctx is this context, remembering the listeners the view adds;
     * catchUp(), called once the view has mounted, gives each of them the
     * last payload of its event when that event tells a state
     * (STATE_EVENTS, in that order), so the view shows the current model,
     * data set, input and prediction as if it had been there from the start.
     */
    viewContext() {
      const added = [];
      const view = Object.create(ctx, {
        on: {
          value(name, fn) {
            added.push([name, fn]);
            return ctx.on(name, fn);
          },
        },
      });
      function catchUp() {
        for (const name of STATE_EVENTS) {
          if (!lastState.has(name)) continue;
          for (const [n, fn] of added) {
            if (n !== name || !listeners.get(name).has(fn)) continue;
            try {
              fn(lastState.get(name));
            } catch (err) {
              console.error(`convplay: a ${name} listener failed catching up:`, err);
            }
          }
        }
      }
      return { ctx: view, catchUp };
    },

    /** request sends a request to the live worker (see protocol.js). */
    request(type, args, opts) {
      if (!client) return Promise.reject(new Error(t('core.noEngine')));
      // A view changing the engine's model: a pretrained model still on its way must not replace it.
      if (MODEL_OPS.has(type)) modelRun++;
      return client.request(type, args, opts);
    },

    /**
     * setText shows key's text in el and remembers key and vars on it
     * (data-i18n, data-i18n-vars), so a language switch re-translates it.
     */
    setText(el, key, vars = {}) {
      el.dataset.i18n = key;
      el.dataset.i18nVars = JSON.stringify(vars);
      el.textContent = t(key, vars);
    },

    /** className is class k's name in the current language, from the data set's manifest. */
    className(k) {
      const c = state.dataset.info && state.dataset.info.classes[k];
      if (!c) return `#${k}`;
      return (state.lang === 'zh' && c.zh) || c.en;
    },

    /** setInput makes input the current one and predicts it (the newest only). */
    setInput(input) {
      state.input = input;
      ctx.emit('input', input);
      if (input) ctx.refresh();
      else {
        state.prediction = null;
        ctx.emit('prediction', null);
      }
    },

    /** refresh predicts the current input again, with its trace. */
    refresh() {
      if (!state.input || !state.model || state.engine !== 'ready') return;
      if (predicting) {
        again = true;
        return;
      }
      predict();
    },

    /**
     * sourceText says where a model came from, in the current language:
     * source.labelKey (with labelVars) when given, else source.label.
     */
    sourceText(source) {
      if (!source) return '';
      return source.labelKey ? t(source.labelKey, source.labelVars) : source.label || '';
    },

    /** setModel records a model the engine now has (a view loaded or built it). */
    setModel(model, source) {
      modelRun++;
      state.model = model;
      state.modelSource = source;
      ctx.emit('model', model);
      ctx.refresh();
      if (source.kind !== 'pretrained') keepCurrent(source);
      else kept = null;
    },

    /**
     * resetModel loads the data set's pretrained model (the URL's model=, or
     * the best one). A bigger one (the reference model, 0.87 MB of float16) comes after
     * the data set's smallest (11 KB), shown meanwhile and labelled so: it
     * resolves once that one is in place, and the bigger one replaces it
     * when it has arrived and the first prediction is on screen, unless the
     * student set another model, started training or switched the data set
     * meanwhile.
     */
    async resetModel() {
      const name = state.dataset.name;
      const models = PRETRAINED[name];
      const wanted = url.get('model');
      const preset = models.includes(wanted) ? wanted : models[0];
      const interim = models[models.length - 1];
      // A link that names a layer or filter (layer=, conv=, ...) was made on the preset: the
      // small model, whose layers differ, would reset those views before the preset arrived.
      const linkNamesLayers = URL_KEYS.some((k) => k.ofModel && url.get(k.name) !== null);
      if (interim === preset || linkNamesLayers) {
        state.modelPending = null;
        pendingRun = -1;
        await showPretrained(name, preset, await modelBytes(name, preset));
        return;
      }
      state.modelPending = preset;
      try {
        await showPretrained(name, interim, await modelBytes(name, interim), 'core.source.interim');
      } catch (err) {
        state.modelPending = null;
        throw err;
      }
      const run = modelRun;
      const stillWanted = () => run === modelRun && !state.training && state.dataset.name === name;
      // The bigger model waits for the first prediction (firstShown): on a
      // second visit it comes from the service worker at once, and its load
      // in the engine would hold the first prediction up (BENCHMARKS.md).
      Promise.all([modelBytes(name, preset), firstShown])
        .then(([bytes]) => (stillWanted() ? showPretrained(name, preset, bytes) : null))
        .catch((err) => {
          // The small model stays (a failed loadWeights keeps the model), and says why.
          const src = state.modelSource;
          if (src && src.labelKey === 'core.source.interim') {
            ctx.setModel(state.model, { ...src, labelKey: 'core.source.noReference', labelVars: { ...src.labelVars, error: err.message } });
          }
          reportError('model', err);
        })
        .finally(() => {
          if (run === pendingRun) state.modelPending = null;
        });
      pendingRun = run;
    },

    /**
     * example resolves to the data set's example image shipped with the page
     * ({index, label, image}; example.js) with its pixels standardized by
     * the engine, for the first prediction before the test images arrive.
     * The engine is asked right behind the data set's manifest (loadData),
     * so the answer waits for no turn of the page's busy main thread.
     */
    async example() {
      const name = state.dataset.name;
      if (!exampleAsked || exampleAsked.name !== name || exampleAsked.client !== client) askExample(name);
      const e = await exampleAsked.promise;
      return { ...e, image: e.image.slice(), pixels: e.pixels.slice() };
    },

    /** setDataset switches the data set: its pretrained model, its data streamed into the worker. */
    async setDataset(name) {
      if (!PRETRAINED[name]) throw new Error(`unknown data set ${JSON.stringify(name)}`);
      if (state.training) throw new Error(t('core.busyTraining'));
      url.set('data', name === 'fashion' ? null : name);
      state.dataset = { name, info: null, available: null, complete: false, error: null, offline: false, loaded: 0, total: 0 };
      ctx.setInput(null);
      ctx.emit('dataset', state.dataset);
      await Promise.all([ctx.resetModel(), loadData(name)]);
    },

    /** setLang switches the language of the whole page. */
    setLang(l) {
      setLang(l);
      state.lang = l;
      translate(document);
      ctx.emit('lang', l);
    },

    /** restart replaces a crashed (or healthy) worker by a fresh one. */
    restart() {
      if (worker) worker.terminate();
      state.restarts = 0;
      state.crash = null;
      boot(true);
    },

    /** crashText says, in the current language, why the engine last stopped ('' if it did not). */
    crashText() {
      const c = state.crash;
      if (!c) return '';
      return c.kind === 'silent' ? t('core.crash.silent') : c.reason;
    },

    /** errorText says an engine error in the current language where the core knows it, else as it came. */
    errorText(message) {
      const m = /helper worker (\d+) of (\d+) (stopped|did not answer)/.exec(String(message));
      return m ? t('core.error.helper', { n: m[1], of: m[2] }) : String(message);
    },

    get client() {
      return client;
    },
  };

  strings({
    en: { 'core.noEngine': 'The engine is not running.', 'core.busyTraining': 'Training is running: stop it first.' },
    zh: { 'core.noEngine': '引擎没有运行。', 'core.busyTraining': '正在训练：请先停止。' },
  });

  /**
   * endsFirstPath tells whether event name ends the first prediction's
   * path: the prediction is there, or the path stopped (the engine crashed,
   * a request failed, the data set cannot load, so no example).
   */
  function endsFirstPath(name, payload) {
    if (name === 'prediction') return Boolean(payload);
    if (name === 'engine') return payload.engine === 'crashed';
    if (name === 'dataset') return Boolean(payload.error);
    return name === 'error';
  }

  /**
   * firstShown resolves when the first prediction is on screen, or its
   * path stopped (endsFirstPath), or FIRST_PATH_MS after the engine's
   * first ready, whichever comes first.
   */
  ctx.firstShown = firstShown;

  /**
   * reportError tells the views a request failed; not when the engine
   * crashed meanwhile (the request failed with it), which the crash itself
   * reports.
   */
  function reportError(where, err) {
    if (state.engine !== 'ready') return;
    state.error = err.message;
    ctx.emit('error', { where, message: err.message });
  }

  /** modelBytes downloads a pretrained model's .cpw file. */
  async function modelBytes(name, preset) {
    const file = `pretrained/${preset}-${name}.cpw`;
    const res = await take(file);
    if (!res.ok) throw new Error(`${file}: ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * askExample asks the engine to standardize data set name's example
   * (ctx.example), once the manifest is on its way to it (the engine
   * answers in order).
   */
  function askExample(name) {
    const c = client;
    const promise = (async () => {
      const file = `examples/${name}.json`;
      const res = await take(file);
      if (!res.ok) throw new Error(`${file}: ${res.status} ${res.statusText}`);
      const e = parseExample(await res.text());
      const { pixels } = await c.request('standardize', { image: e.image }); // posted as a copy
      return { ...e, pixels };
    })();
    promise.catch(() => {}); // ctx.example's caller sees it
    exampleAsked = { name, client: c, promise };
  }

  /** showPretrained gives the engine a pretrained model and shows it. */
  async function showPretrained(name, preset, bytes, labelKey = `core.source.pretrained.${preset}`) {
    const model = await ctx.request('loadWeights', { bytes, build: true }, { transfer: [bytes.buffer] });
    ctx.setModel(model, { kind: 'pretrained', preset, labelKey, labelVars: { model: preset, data: datasetTitle(name) } });
  }

  function datasetTitle(name) {
    return name === 'digits' ? 'MNIST' : 'Fashion-MNIST';
  }

  async function predict() {
    predicting = true;
    try {
      do {
        again = false;
        const input = state.input;
        if (!input) break;
        const pixels = input.pixels.slice();
        const r = await client.request('predict', { pixels }, { transfer: [pixels.buffer] });
        if (state.input === input && !again) {
          state.prediction = { probs: r.probs, trace: r.trace, input };
          ctx.emit('prediction', state.prediction);
        }
      } while (again && state.input);
    } catch (err) {
      reportError('predict', err);
    } finally {
      predicting = false;
    }
  }

  /** keepCurrent keeps the engine's model as .cpw bytes, to restore it after a crash. */
  async function keepCurrent(source) {
    try {
      const r = await ctx.request('exportWeights', { format: 'cpw' });
      kept = { bytes: r.bytes, source };
    } catch (err) {
      // The worker refuses during training; the epoch events keep checkpoints then.
    }
  }

  async function loadData(name) {
    const run = ++datasetRun;
    const d = state.dataset;
    try {
      const info = await streamDataset(client, name, {
        fetch: take,
        onManifestSent: () => askExample(name),
        onInfo: (info) => {
          if (run !== datasetRun) return;
          Object.assign(d, { info, total: info.files.length });
          ctx.emit('dataset', d);
        },
        onProgress: (p) => {
          if (run !== datasetRun) return;
          Object.assign(d, { loaded: p.loaded, total: p.total, available: p.available, complete: p.complete });
          ctx.emit('dataset', d);
        },
      });
      if (run !== datasetRun) return;
      Object.assign(d, { info, complete: true, loaded: info.files.length, total: info.files.length });
    } catch (err) {
      if (run !== datasetRun) return;
      d.error = err.message;
      d.offline = err.offline === true; // not saved on this device, and no network
    }
    ctx.emit('dataset', d);
  }

  function onTrainingEvent(ev) {
    if (ev.event === 'epoch' && ev.checkpoint) kept = { bytes: ev.checkpoint.slice(), source: { kind: 'trained', labelKey: 'core.source.checkpoint', labelVars: { epoch: ev.epoch + 1 } } };
    if (ev.event === 'done' && ev.reason === 'error') ev = { ...ev, error: ctx.errorText(ev.error) };
    ctx.emit(ev.event, ev);
    const now = Date.now();
    if (ev.event === 'epoch' || ev.event === 'done' || (ev.event === 'progress' && now - lastWeights >= WEIGHTS_EVERY_MS)) {
      lastWeights = now;
      ctx.emit('weights', {});
      ctx.refresh();
    }
    if (ev.event === 'done') {
      state.training = false;
      ctx.emit('training', false);
      // A failed training (a helper died, say) left the engine's weights
      // mid-step: the last good model replaces them.
      if (ev.reason === 'error') {
        restoreModel('core.source.afterError').catch((err) => reportError('restore', err));
      }
    }
  }

  ctx.on('training', (on) => {
    state.training = Boolean(on);
    if (on && state.crash) {
      state.crash = null; // the student went on: the crash is old news
      ctx.emit('engine', state);
    }
  });

  /**
   * restoreModel gives the engine the last good model: the one kept (the
   * model set last, or training's latest checkpoint), labelled with
   * labelKey, or else the data set's pretrained one.
   */
  async function restoreModel(labelKey) {
    if (!kept) {
      await ctx.resetModel();
      return;
    }
    const { source } = kept;
    const from = source.kind === 'restored' && source.labelVars ? source.labelVars.from : ctx.sourceText(source);
    const bytes = kept.bytes.slice();
    const model = await client.request('loadWeights', { bytes, build: true }, { transfer: [bytes.buffer] });
    ctx.setModel(model, { kind: 'restored', labelKey, labelVars: { from } });
  }

  /** restore gives a restarted engine the last good model and the data set it had. */
  async function restore() {
    await restoreModel('core.source.restored');
    await loadData(state.dataset.name);
  }

  let gate = Promise.resolve(); // the first boot's readiness waits for it too (see ctx.start)

  function boot(restarting) {
    const w = makeWorker();
    worker = w;
    client = createClient(w, clientOptions);
    state.engine = 'booting';
    ctx.emit('engine', state);
    for (const name of ['progress', 'epoch', 'done']) client.on(name, onTrainingEvent);
    client.on(CRASH, ({ reason, kind }) => {
      w.terminate();
      if (worker !== w) return; // an old worker, replaced by restart()
      state.engine = 'crashed';
      state.crash = { reason, kind };
      state.error = ctx.crashText();
      predicting = false;
      // The data went with the worker: the new one streams them in again.
      Object.assign(state.dataset, { available: null, complete: false, loaded: 0 });
      ctx.emit('dataset', state.dataset);
      if (state.training) {
        state.training = false;
        ctx.emit('training', false);
        ctx.emit('done', { event: 'done', reason: 'error', error: ctx.crashText() });
      }
      ctx.emit('engine', state);
      if (state.restarts < MAX_RESTARTS) {
        state.restarts++;
        boot(true);
      }
    });
    Promise.all([client.ready, restarting ? null : gate]).then(
      async ([version]) => {
        if (!restarting) timers.setTimeout(firstDone, FIRST_PATH_MS);
        state.engine = 'ready';
        state.version = version;
        ctx.emit('engine', state);
        try {
          if (restarting) await restore();
          else await ctx.setDataset(state.dataset.name);
        } catch (err) {
          reportError('start', err);
        }
      },
      () => {}, // reported by the crash handler
    );
  }

  /**
   * start boots the first worker with the data set name (from the URL).
   * after (a promise) holds back what follows the engine's ready (the
   * model, the data) until it resolves: the page starts the worker first,
   * so the engine downloads and compiles while the views mount, and
   * passes the mounting of the views the first prediction shows as after
   * (mount.js); views mounting later catch up (viewContext).
   */
  ctx.start = (name, after = null) => {
    state.dataset.name = PRETRAINED[name] ? name : 'fashion';
    if (after) gate = after;
    boot(false);
    // What the first prediction needs besides the engine downloads while the
    // engine does: the smallest model, the data set's manifest and example.
    const models = PRETRAINED[state.dataset.name];
    prefetch(`pretrained/${models[models.length - 1]}-${state.dataset.name}.cpw`);
    prefetch(`data/${state.dataset.name}/manifest.json`);
    prefetch(`examples/${state.dataset.name}.json`);
  };

  return ctx;
}
