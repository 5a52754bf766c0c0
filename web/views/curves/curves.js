// views/curves/curves.js: the learning curves (#curves-panel): loss and accuracy
// of the training batches (faint: as measured; bold: smoothed) and of the
// validation set after each epoch, with the best checkpoint and early
// stopping's patience counter marked, drawn with uPlot (vendored from npm,
// web/vendor/). Below them, the overfitting lesson.
//
// The numbers come from the engine's training events; data.js keeps
// them in uPlot's columns. Redraws are throttled (at most every
// REDRAW_MS), so a fast run never keeps the main thread busy.

import uPlot from '../../vendor/uPlot.esm.js';
import { createCurves } from './data.js';
import { TEXTS } from './strings.js';

const REDRAW_MS = 250;

/** The overfitting lesson's settings: a tiny training set, many epochs, no early stopping. */
export const OVERFIT = {
  model: 'small',
  continueWeights: false,
  optimizer: 'adam',
  learningRate: 0.003,
  batchSize: 20,
  epochs: 40,
  subset: 200,
  validationSubset: 1000,
  validation: true,
  checkpoint: true,
  early: false,
};

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.innerHTML = `
    <h2 data-i18n="curves.title"></h2>
    <p class="note" data-i18n="curves.intro"></p>
    <p id="curves-empty" class="note" data-i18n="curves.empty"></p>
    <div id="curves" class="curves" data-points="0" data-epochs="0">
      <div class="curves-chart" id="curves-loss" role="img" data-i18n-attr="aria-label:curves.lossAria"></div>
      <div class="curves-chart" id="curves-acc" role="img" data-i18n-attr="aria-label:curves.accAria"></div>
    </div>
    <p id="curves-early" class="note" hidden></p>
    <p id="curves-best" class="note" data-i18n="curves.bestNote" hidden></p>
    <div class="curves-lesson">
      <h3 data-i18n="curves.overfit.title"></h3>
      <p class="note" data-i18n="curves.overfit.text"></p>
      <div class="controls">
        <button type="button" id="curves-overfit" data-i18n="curves.overfit.button"></button>
        <span id="curves-overfit-busy" class="note" data-i18n="curves.overfit.busy" hidden></span>
      </div>
    </div>`;
  const $ = (id) => section.querySelector(`#${id}`);
  const box = $('curves');
  let curves = null; // the run's columns (data.js)
  let run = null; // {args, reply}
  let charts = []; // [loss uPlot, accuracy uPlot]
  let timer = 0;

  function css(name, fallback) {
    return getComputedStyle(section).getPropertyValue(name).trim() || fallback;
  }

  function chartWidth() {
    const w = box.clientWidth || 600;
    return w >= 720 ? Math.floor((w - 16) / 2) : w;
  }

  /** marks draws the patience counter over the validation points and a line where training stopped. */
  function marks(u) {
    if (!curves) return;
    const c = u.ctx;
    const muted = css('--muted', '#5f6368');
    const dpr = devicePixelRatio || 1;
    c.save();
    c.font = `${11 * dpr}px system-ui, sans-serif`;
    c.textAlign = 'center';
    c.fillStyle = muted;
    const valCol = u.data[3];
    for (const e of curves.epochs) {
      if (!e.wait) continue;
      const i = u.data[0].indexOf(e.epoch + 1);
      if (i < 0 || valCol[i] === null) continue;
      const x = u.valToPos(e.epoch + 1, 'x', true);
      const y = u.valToPos(valCol[i], 'y', true);
      c.fillText(ctx.t('curves.wait', { wait: e.wait }), x, y - 10 * dpr);
    }
    const st = curves.stopped;
    if (st && st.reason !== 'finished' && st.x > 0) {
      const x = u.valToPos(st.x, 'x', true);
      c.strokeStyle = st.reason === 'diverged' ? css('--bad', '#b3261e') : muted;
      c.setLineDash([4 * dpr, 4 * dpr]);
      c.lineWidth = dpr;
      c.beginPath();
      c.moveTo(x, u.bbox.top);
      c.lineTo(x, u.bbox.top + u.bbox.height);
      c.stroke();
      c.textAlign = 'right';
      c.fillStyle = c.strokeStyle;
      const key = `curves.stop.${st.reason}`;
      c.fillText(ctx.t(key in TEXTS.en ? key : 'curves.stop.stopped'), x - 4 * dpr, u.bbox.top + u.bbox.height - 6 * dpr);
    }
    c.restore();
  }

  function makeChart(kind, target, data) {
    const accent = css('--accent', '#2f6fde');
    const val = '#e07b00';
    const good = css('--ok', '#1e7b3c');
    const fg = css('--muted', '#5f6368');
    const grid = css('--line', '#e3e3e0');
    const epochs = run ? run.args.epochs : 1;
    const fmt = kind === 'loss' ? (v) => v.toFixed(3) : (v) => `${(100 * v).toFixed(1)}%`;
    const value = (u, v) => (v === null || v === undefined ? '–' : fmt(v));
    const series = [
      { label: ctx.t('curves.epoch'), value: (u, v) => (v === null ? '–' : v.toFixed(2)) },
      { label: ctx.t('curves.train'), stroke: accent + '55', width: 1, spanGaps: true, points: { show: false }, value },
      { label: ctx.t('curves.trainSmooth'), stroke: accent, width: 2, spanGaps: true, points: { show: false }, value },
      { label: ctx.t('curves.val'), stroke: val, width: 2, spanGaps: true, points: { show: true, size: 7, fill: val, stroke: val }, value },
    ];
    if (kind === 'loss') {
      series.push({ label: ctx.t('curves.best'), stroke: good, width: 0, paths: () => null, points: { show: true, size: 16, width: 2.5, stroke: good, fill: 'transparent' }, value });
    }
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    return new uPlot(
      {
        width: chartWidth(),
        height: 240,
        title: ctx.t(kind === 'loss' ? 'curves.loss' : 'curves.accuracy'),
        scales: {
          x: { time: false, range: (u, min, max) => [0, Math.max(epochs, max || 0)] },
          y: kind === 'loss' ? { range: (u, min, max) => [0, Math.max(0.1, max || 0) * 1.05] } : { range: [0, 1] },
        },
        axes: [
          { ...axis, label: ctx.t('curves.epoch') },
          { ...axis, values: (u, vals) => vals.map((v) => (kind === 'loss' ? String(Number(v.toFixed(2))) : `${Math.round(100 * v)}%`)) },
        ],
        series,
        cursor: { drag: { x: false, y: false } },
        legend: { live: false },
        hooks: kind === 'loss' ? { draw: [marks] } : {},
      },
      data,
      target,
    );
  }

  function build() {
    for (const c of charts) c.destroy();
    const d = curves ? curves.data() : { loss: [[], [], [], [], []], acc: [[], [], [], []] };
    charts = [makeChart('loss', $('curves-loss'), d.loss), makeChart('acc', $('curves-acc'), d.acc)];
  }

  let slowest = 0; // the longest redraw so far, ms (for the tests' figures)
  function redraw() {
    timer = 0;
    if (!curves) return;
    const t0 = performance.now();
    const d = curves.data();
    charts[0].setData(d.loss);
    charts[1].setData(d.acc);
    box.dataset.points = String(curves.cols.x.length);
    box.dataset.epochs = String(curves.epochs.length);
    showEarly();
    slowest = Math.max(slowest, performance.now() - t0);
  }

  function scheduleRedraw(now) {
    if (now) {
      clearTimeout(timer);
      redraw();
      return;
    }
    if (!timer) timer = setTimeout(redraw, REDRAW_MS);
  }

  const setText = ctx.setText;

  /** showEarly writes the early-stopping state and the best checkpoint under the charts, and on #curves for tests. */
  function showEarly() {
    const best = curves.bestEpoch();
    $('curves-best').hidden = best === null;
    if (best !== null) box.dataset.bestEpoch = String(best + 1);
    else delete box.dataset.bestEpoch;
    const es = run && run.args.earlyStopping;
    const last = curves.epochs[curves.epochs.length - 1];
    const note = $('curves-early');
    if (!es || !last || last.wait === null) {
      note.hidden = true;
      return;
    }
    box.dataset.wait = String(last.wait);
    note.hidden = false;
    const st = curves.stopped;
    if (st && st.reason === 'early') {
      box.dataset.stoppedEpoch = String(st.epoch + 1);
      setText(note, 'curves.earlyStopped', { epoch: st.epoch + 1, patience: es.patience });
      return;
    }
    const bestLoss = curves.epochs.find((e) => e.epoch === last.bestEpoch);
    setText(note, 'curves.early', {
      best: bestLoss && bestLoss.val_loss !== undefined ? ctx.fmt.num(bestLoss.val_loss, 4) : '–',
      bestEpoch: last.bestEpoch + 1,
      wait: last.wait,
      patience: es.patience,
      minDelta: es.min_delta,
    });
  }

  ctx.on('trainstart', ({ args, reply }) => {
    run = { args, reply };
    curves = createCurves({ samples: reply.samples });
    for (const k of ['bestEpoch', 'wait', 'stopped', 'stoppedEpoch']) delete box.dataset[k];
    $('curves-empty').hidden = true;
    $('curves-early').hidden = true;
    build();
    redraw();
  });
  ctx.on('progress', (p) => {
    if (curves && curves.progress(p)) scheduleRedraw(false);
  });
  ctx.on('epoch', (ev) => {
    if (!curves) return;
    curves.epoch(ev);
    scheduleRedraw(true);
  });
  ctx.on('done', (ev) => {
    if (!curves) return;
    curves.done(ev);
    box.dataset.stopped = ev.reason;
    scheduleRedraw(true);
    charts[0].redraw(false, false);
  });
  ctx.on('lang', build);
  ctx.on('training', (on) => {
    $('curves-overfit').disabled = Boolean(on);
  });

  $('curves-overfit').addEventListener('click', () => {
    if (ctx.state.training) {
      $('curves-overfit-busy').hidden = false;
      return;
    }
    $('curves-overfit-busy').hidden = true;
    ctx.emit('trainsetup', { settings: { ...OVERFIT, seed: 1 }, start: true });
  });

  new ResizeObserver(() => {
    const w = chartWidth();
    for (const c of charts) if (Math.abs(c.width - w) > 2) c.setSize({ width: w, height: 240 });
  }).observe(box);

  window.convplay.views.curves = {
    data: () => (curves ? { cols: curves.cols, epochs: curves.epochs, stopped: curves.stopped } : null),
    slowestRedrawMs: () => slowest,
  };

  ctx.translate(section);
  build();
}
