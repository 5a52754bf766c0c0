// views/train/train.js: the training panel (#train-panel): the model to train,
// the optimizer and its knobs, the callbacks, the controls (start, pause /
// resume, one batch, stop, reset) and the progress of the run.
// Over 400 lines: one run's state (settings, controls, progress, the data
// in use) is shared by all of it; its DOM-free parts are in format.js.
//
// It talks to the engine only through ctx.request and the training events
// (progress, epoch, done) as protocol.js describes them, so it works the
// same however the worker trains. Every number it shows comes from those
// events. The curves (views/curves/curves.js) listen to the same events; this view
// tells them a run began with the 'trainstart' event ({args, run}), and
// takes lessons' settings from 'trainsetup' ({settings, start}). The
// architecture editor (views/arch/arch.js) reports the student's spec with the
// 'arch' event ({spec, error, totalParams}).
//
// About 440 lines: one mount function holds the panel's state and its
// handlers; the markup (template.js), the texts (strings.js) and the
// DOM-free rules (format.js) are already out of it.

import { TEXTS } from './strings.js';
import { template } from './template.js';
import { BOUNDS, DEFAULT_RATES, parseSetting, trainArgs, formatDuration, formatRate, fraction, DEFAULTS, dataWait } from './format.js';

/** The optimizers as Keras names them (the same in every language). */
const OPTIMIZER_NAMES = { sgd: 'SGD', adam: 'Adam', rmsprop: 'RMSprop' };

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.innerHTML = template();
  const $ = (id) => section.querySelector(`#${id}`);
  const el = {
    form: $('train-form'),
    start: $('train-start'),
    pause: $('train-pause'),
    step: $('train-step'),
    stop: $('train-stop'),
    reset: $('train-reset'),
    status: $('train-status'),
    progress: $('train-progress'),
    error: $('train-error'),
    warning: $('train-warning'),
    started: $('train-started'),
    data: $('train-data'),
    log: $('train-log'),
    result: $('train-result'),
  };

  let settings = ctx.url.read('train') || { ...DEFAULTS };
  let invalid = new Map(); // setting -> message, for inputs that do not parse
  let arch = null; // the editor's last report: {spec, error, totalParams}
  // run: the current training run, or null:
  // {state: 'starting'|'running'|'paused', args, settings, reply, last: progress event, epochs: [...]}
  let run = null;
  let busy = false; // a control's request is in flight
  let waiting = null; // {paused}: Start was pressed while the data loads; the run starts when dataWait allows

  /** setText shows key's text in el, re-translated when the language switches. */
  const setText = ctx.setText;

  function showError(key, vars) {
    if (!key) {
      el.error.hidden = true;
      el.error.textContent = '';
      delete el.error.dataset.i18n;
      return;
    }
    el.error.hidden = false;
    setText(el.error, key, vars);
  }

  // --- the settings form ---

  function writeForm() {
    for (const input of el.form.querySelectorAll('[data-setting]')) {
      const v = settings[input.dataset.setting];
      if (input.type === 'checkbox') input.checked = v;
      else input.value = String(v);
    }
    showKnobs();
  }

  /** showKnobs hides the knobs that do not apply and disables the form during training. */
  function showKnobs() {
    const knob = (name) => el.form.querySelector(`[data-knob="${name}"]`);
    knob('momentum').hidden = settings.optimizer !== 'sgd';
    for (const name of ['patience', 'minDelta', 'restoreBest']) knob(name).hidden = !settings.early;
    knob('checkpoint').hidden = !settings.validation;
    knob('validationSubset').hidden = !settings.validation;
    const counts = ctx.state.dataset.info && ctx.state.dataset.info.counts;
    for (const [name, id] of [['subset', 'train-subset-hint'], ['validationSubset', 'train-val-subset-hint']]) {
      const total = counts ? ctx.fmt.count(name === 'subset' ? counts.train : counts.validation) : '…';
      $(id).dataset.i18nVars = JSON.stringify({ total });
      $(id).textContent = ctx.t($(id).dataset.i18n, { total });
    }
    el.form.querySelector('fieldset').disabled = Boolean(run);
    el.form.querySelector('fieldset.callbacks').disabled = Boolean(run);
    el.warning.hidden = !(settings.model === 'reference' && !settings.continueWeights && (settings.subset === 0 || settings.subset > 5000));
    if (!el.warning.hidden) setText(el.warning, 'train.reference.warning');
  }

  function readInput(input) {
    const name = input.dataset.setting;
    if (input.type === 'checkbox') settings[name] = input.checked;
    else if (input.tagName === 'SELECT') {
      if (name === 'optimizer' && settings.optimizer !== input.value && settings.learningRate === DEFAULT_RATES[settings.optimizer]) {
        settings.learningRate = DEFAULT_RATES[input.value]; // Keras's default for the new optimizer
        $('train-lr').value = String(settings.learningRate);
      }
      settings[name] = input.value;
    } else {
      try {
        settings[name] = parseSetting(name, input.value);
        invalid.delete(name);
        input.removeAttribute('aria-invalid');
      } catch {
        const [lo, hi, whole] = BOUNDS[name];
        invalid.set(name, { key: whole ? 'train.range.whole' : 'train.range.number', lo, hi, label: input.labels[0] });
        input.setAttribute('aria-invalid', 'true');
      }
    }
    if (invalid.size === 0) ctx.url.write('train', settings);
    showKnobs();
    showControls();
  }

  el.form.addEventListener('input', (e) => {
    if (e.target.dataset.setting) readInput(e.target);
  });
  el.form.addEventListener('change', (e) => {
    if (e.target.dataset.setting) readInput(e.target);
  });
  el.form.addEventListener('submit', (e) => e.preventDefault());

  /** problem is why training cannot start now, as [key, vars], or null. */
  function problem() {
    if (invalid.size) {
      const [, p] = [...invalid.entries()][0];
      return ['train.bad', { field: p.label ? p.label.textContent : '', why: ctx.t(p.key, { lo: p.lo, hi: p.hi }) }];
    }
    if (settings.model === 'custom' && !settings.continueWeights) {
      if (!arch) return ['train.noArch', {}];
      if (arch.error) return ['train.badArch', { why: arch.explanation || arch.error.message }];
    }
    return null;
  }

  // --- the controls ---

  function showControls() {
    const st = run ? run.state : 'idle';
    const ready = ctx.state.engine === 'ready';
    el.start.disabled = Boolean(run) || Boolean(waiting) || !ready || busy;
    el.pause.disabled = !run || st === 'starting' || busy;
    setText(el.pause, st === 'paused' ? 'train.resume' : 'train.pause');
    el.pause.setAttribute('aria-pressed', String(st === 'paused'));
    el.step.disabled = (st !== 'paused' && st !== 'idle') || !ready || busy; // idle: start paused, then step
    el.stop.disabled = (!run && !waiting) || st === 'starting' || busy;
    el.reset.disabled = Boolean(run) || !ready || busy;
    el.status.dataset.state = st;
    // After a run, the status keeps its last progress line.
    if (waiting && !run) {
      const w = dataWait(ctx.state.dataset, settings);
      if (w) {
        el.status.dataset.state = 'waiting';
        setText(el.status, w.key, w.vars);
      }
    } else if (run ? !run.last : !el.status.dataset.shown) setText(el.status, `train.state.${st}`);
    if (!run) {
      const p = problem();
      if (p && invalid.size) showError(...p);
      else if (el.error.dataset.i18n === 'train.bad') showError(null);
    }
  }

  async function control(type) {
    busy = true;
    showControls();
    try {
      const pos = await ctx.request(type);
      if (run && !pos.done) {
        run.state = pos.paused ? 'paused' : 'running';
        // The reply's position is exact; the last progress event may be older.
        if (run.last) run.last = { ...run.last, epoch: pos.epoch, batch: pos.batch, total: pos.total };
        showStatus();
      }
    } catch (err) {
      if (run) showError('train.done.error', { error: err.message });
    } finally {
      busy = false;
      showControls();
    }
  }

  el.pause.addEventListener('click', () => control(run && run.state === 'paused' ? 'resume' : 'pause'));
  el.step.addEventListener('click', async () => {
    if (!run) {
      await start({ paused: true });
      if (!run || run.state !== 'paused') return;
    }
    control('step');
  });
  el.stop.addEventListener('click', () => {
    if (waiting && !run) {
      waiting = null; // the run never began: nothing to tell the engine
      delete el.status.dataset.shown;
      showControls();
      return;
    }
    control('stop');
  });
  el.reset.addEventListener('click', async () => {
    if (run) return;
    busy = true;
    showControls();
    try {
      await ctx.resetModel();
      showError(null);
    } catch (err) {
      showError('train.done.error', { error: err.message });
    } finally {
      busy = false;
      showControls();
    }
  });
  el.start.addEventListener('click', () => start());

  /** source is a model source whose label the core re-translates: {kind, labelKey, labelVars, label}. */
  function source(kind, labelKey, labelVars) {
    return { kind, labelKey, labelVars, label: ctx.t(labelKey, labelVars) };
  }

  /** start begins a run with the settings; paused: true starts it paused, for stepping. */
  async function start({ paused = false } = {}) {
    if (run || ctx.state.training) return;
    const p = problem();
    if (p) {
      showError(...p);
      return;
    }
    showError(null);
    // One press is enough: while the data loads, say what the run waits
    // for and start it when the dataset event brings enough (see the
    // dataset listener below).
    if (dataWait(ctx.state.dataset, settings)) {
      waiting = { paused };
      showControls();
      return;
    }
    waiting = null;
    el.result.hidden = true;
    el.log.textContent = '';
    delete el.status.dataset.shown;
    el.progress.value = 0;
    el.data.hidden = true;
    const args = trainArgs(settings);
    run = { state: 'starting', args, settings: { ...settings }, last: null, epochs: [] };
    ctx.emit('training', true); // other views refuse to replace the model or the data from now on
    showKnobs();
    showControls();
    try {
      if (!settings.continueWeights) {
        const req = settings.model === 'custom' ? { spec: arch.spec, seed: settings.seed } : { preset: settings.model, seed: settings.seed };
        const model = await ctx.request('buildModel', req);
        const src = source(settings.model === 'custom' ? 'spec' : 'preset', `train.fresh.${settings.model}`, { seed: settings.seed });
        ctx.setModel(model, { ...src, preset: settings.model });
      }
      run.reply = await ctx.request('train', paused ? { ...args, paused } : args);
      if (!run) return; // ended already (done came first)
      if (run.state === 'starting') run.state = paused ? 'paused' : 'running';
      el.started.hidden = false;
      setText(el.started, 'train.started', {
        samples: ctx.fmt.count(run.reply.samples),
        batches: ctx.fmt.count(run.reply.batches),
        batchSize: args.batchSize,
        validation: run.reply.validationSamples ? ctx.fmt.count(run.reply.validationSamples) : ctx.t('train.noValidation'),
      });
      showData(run.reply.samples, run.reply.samplesAll);
      ctx.emit('trainstart', { args, reply: run.reply, settings: run.settings });
    } catch (err) {
      run = null;
      ctx.emit('training', false);
      showError('train.done.error', { error: err.message });
    }
    showKnobs();
    showControls();
  }

  // --- progress, drawn at most once per animation frame ---

  let frame = 0;
  function scheduleStatus() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      showStatus();
    });
  }

  function showStatus() {
    if (!run || !run.last) return;
    const p = run.last;
    el.status.dataset.epoch = String(p.epoch + 1);
    el.status.dataset.batch = String(p.batch + 1);
    el.status.dataset.total = String(p.total);
    el.status.dataset.loss = String(p.loss);
    el.status.dataset.shown = 'true';
    el.progress.value = fraction(p);
    setText(el.status, run.state === 'paused' ? 'train.statusPaused' : 'train.status', {
      epoch: p.epoch + 1,
      epochs: p.epochs,
      batch: p.batch + 1,
      batches: p.batches,
      loss: ctx.fmt.num(p.loss, 4),
      accuracy: ctx.fmt.pct(p.accuracy),
      rate: formatRate(p.samplesPerSec),
      eta: formatDuration(p.etaSec),
    });
  }

  /**
   * showData says how many training images the run uses while the data
   * set still arrives (the engine adds them to the run as they come), and
   * once, that they all have.
   */
  function showData(n, all) {
    if (n === undefined || all === undefined) return;
    const was = el.data.dataset.samples;
    el.data.dataset.samples = String(n);
    el.data.dataset.samplesAll = String(all);
    if (n < all) {
      el.data.hidden = false;
      setText(el.data, 'train.arriving', { n: ctx.fmt.count(n), all: ctx.fmt.count(all) });
    } else if (!el.data.hidden && was !== String(n)) {
      setText(el.data, 'train.arrived', { all: ctx.fmt.count(all) });
    }
  }

  ctx.on('progress', (p) => {
    if (!run) return;
    showData(p.samples, p.samplesAll);
    run.last = p;
    scheduleStatus();
  });

  ctx.on('epoch', (ev) => {
    if (!run) return;
    run.epochs.push(ev);
    const li = document.createElement('li');
    const parts = [['train.epochLine', { epoch: ev.epoch + 1, loss: ctx.fmt.num(ev.loss, 4), accuracy: ctx.fmt.pct(ev.accuracy) }]];
    if (ev.val_loss !== undefined && ev.val_loss !== null) {
      parts.push(['train.epochVal', { val_loss: ctx.fmt.num(ev.val_loss, 4), val_accuracy: ctx.fmt.pct(ev.val_accuracy) }]);
    }
    if (ev.checkpoint) parts.push(['train.epochSaved', {}]);
    if (ev.earlyStopping) parts.push(['train.epochWait', { wait: ev.earlyStopping.wait, patience: run.args.earlyStopping.patience }]);
    for (const [key, vars] of parts) {
      const span = document.createElement('span');
      setText(span, key, vars);
      li.append(span);
    }
    li.dataset.epoch = String(ev.epoch + 1);
    if (ev.val_accuracy !== undefined) li.dataset.valAccuracy = String(ev.val_accuracy);
    el.log.append(li);
  });

  ctx.on('done', (ev) => {
    if (!run) return;
    const ended = run;
    run = null;
    if (frame) {
      cancelAnimationFrame(frame);
      frame = 0;
    }
    if (ended.last) showStatusOf(ended);
    el.status.dataset.state = 'idle';
    el.status.dataset.reason = ev.reason;
    const epochs = ended.epochs.length;
    const lines = [];
    if (ev.reason === 'diverged') lines.push(['train.done.diverged', {}]);
    else if (ev.reason === 'error') lines.push(['train.done.error', { error: ev.error }]);
    else lines.push([`train.done.${ev.reason}`, { epochs }]);
    if (ev.reason === 'early' && ev.restored) {
      const es = ended.epochs.length && ended.epochs[ended.epochs.length - 1].earlyStopping;
      lines.push(['train.done.restored', { best: es ? es.bestEpoch + 1 : '?' }]);
    }
    el.result.hidden = false;
    el.result.classList.toggle('bad', ev.reason === 'diverged' || ev.reason === 'error' || Boolean(ev.chance));
    el.result.dataset.chance = String(Boolean(ev.chance));
    el.result.textContent = '';
    el.result.dataset.reason = ev.reason;
    if (ev.chance) {
      // The engine judged the run no better than chance and went back to the
      // weights from before training: the model and its label stay.
      lines.push(['train.done.chance', { verdict: ev.verdict || '' }]);
    } else if (ev.reason !== 'error' && ctx.state.engine === 'ready') {
      if (ev.reason !== 'diverged') lines.push(['train.done.model', {}]);
      const o = ended.settings;
      const vars = {
        epochs,
        samples: ended.reply ? ctx.fmt.count(ended.reply.samples) : '?',
        optimizer: OPTIMIZER_NAMES[o.optimizer],
        lr: o.learningRate,
      };
      const key = ev.reason === 'diverged' ? 'train.diverged' : o.continueWeights ? 'train.trained.continued' : `train.trained.${o.model}`;
      ctx.setModel(ctx.state.model, source('trained', key, vars));
    }
    for (const [key, vars] of lines) {
      const span = document.createElement('span');
      setText(span, key, vars);
      el.result.append(span, ' ');
    }
    showKnobs();
    showControls();
  });

  function showStatusOf(r) {
    run = r;
    showStatus();
    run = null;
  }

  ctx.on('arch', (a) => {
    arch = a;
    if (!run && el.error.dataset.i18n && el.error.dataset.i18n.startsWith('train.badArch')) showError(null);
  });
  ctx.on('trainsetup', ({ settings: s, start: go }) => {
    if (run) return;
    settings = { ...settings, ...s };
    invalid = new Map();
    writeForm();
    ctx.url.write('train', settings);
    if (go) start();
  });
  ctx.on('engine', showControls);
  ctx.on('dataset', () => {
    showKnobs();
    if (waiting && !run && !dataWait(ctx.state.dataset, settings)) {
      const { paused } = waiting;
      waiting = null;
      start({ paused });
      return;
    }
    showControls();
  });
  ctx.on('lang', () => {
    showKnobs();
    showControls();
  });

  window.convplay.views.train = {
    settings: () => ({ ...settings }),
    set(s) {
      settings = { ...settings, ...s };
      invalid = new Map();
      writeForm();
    },
    start,
  };

  writeForm();
  ctx.translate(section);
  showControls();
}

