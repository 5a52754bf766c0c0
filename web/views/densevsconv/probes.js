// probes.js: the lesson's two looks into the side models on the student's
// drawing (densevsconv.js mounts them): (c) the drawing shifted a few pixels
// (the CNN's map moves with it, the dense layer's units change without
// order) and (d) what one unit of each looks at (a dense unit's weights
// over the whole image, a filter's 3x3 window), with each network's guess
// on the drawing and on its shifted copy. Every value is the engine's
// (sideTrace, sideUnit), from the pair densevsconv.js points them at (the
// one trained here or one trained ahead, weights.js).

import { nth } from '../shared/count.js';
import { maxAbs } from '../shared/paint.js';
import { MODELS } from './plan.js';
import { mostActive, paintGrey, paintChannel, paintDiverging } from './maps.js';

/** topClass is the index and score of a network's largest output (its last layer in a trace). */
export function topClass(trace) {
  const out = trace[trace.length - 1].output;
  let k = 0;
  for (let i = 1; i < out.length; i++) if (out[i] > out[k]) k = i;
  return { k, p: out[k] };
}

/**
 * probes wires (c) and (d) to the section's controls ($ finds them) and
 * returns their refreshers. lesson gives the side models' names by kind
 * (names), which networks they are ({source, n}: shows), their descriptions (info), the promise that they are ready
 * (built), the test hook, fail (shows an error) and unitShown (the unit
 * asked for, from 1).
 */
export function probes(ctx, $, lesson) {
  const n = (x) => ctx.fmt.count(x);
  const { hook, fail, unitShown } = lesson;

  // (c) The shift.
  let guesses = null; // each network's top class before and after the shift
  function renderGuess() {
    const el = $('.dvc-guess');
    if (!guesses) {
      el.textContent = '';
      return;
    }
    const pct = (p) => `${(100 * p).toFixed(1)}%`;
    const sep = ctx.state.lang === 'zh' ? '' : ' ';
    el.textContent = guesses.map((g) => ctx.t('dvc.guess', { model: ctx.t(`dvc.${g.kind}`),
      cls: ctx.className(g.before.k), p: pct(g.before.p), cls2: ctx.className(g.after.k), p2: pct(g.after.p) })).join(sep);
  }

  let shiftBusy = false;
  let shiftAgain = false;
  async function refreshShift() {
    const pred = ctx.state.prediction;
    $('.dvc-shift-empty').hidden = Boolean(pred);
    $('.dvc-shift').hidden = !pred;
    $('.dvc-guess').hidden = !pred;
    $('.dvc-dx-out').textContent = $('.dvc-dx').value;
    $('.dvc-dy-out').textContent = $('.dvc-dy').value;
    if (!pred || !lesson.built) return;
    if (shiftBusy) {
      shiftAgain = true;
      return;
    }
    shiftBusy = true;
    try {
      await lesson.built;
      const dx = Number($('.dvc-dx').value);
      const dy = Number($('.dvc-dy').value);
      const { names, shows } = lesson;
      const [d, c] = await Promise.all(MODELS.map((m) => ctx.request('sideTrace', { name: names[m.kind], pixels: pred.input.pixels.slice(), dx, dy })));
      const [h, w] = lesson.info.cnn.input;
      paintGrey($('.dvc-in'), pred.input.pixels, h, w);
      paintGrey($('.dvc-in2'), c.shifted, h, w);
      const cm = c.trace[0];
      const f = mostActive(cm.output, cm.shape);
      const lim = maxAbs(cm.output);
      paintChannel($('.dvc-cmap'), cm.output, cm.shape, f, 0, lim);
      paintChannel($('.dvc-cmap2'), c.shiftedTrace[0].output, cm.shape, f, 0, lim);
      ctx.setText($('.dvc-cmap-cap'), 'dvc.shiftConv', { layer: cm.name, f: nth(f), dx, dy });
      const dv = d.trace[1];
      const vl = Math.max(maxAbs(dv.output), maxAbs(d.shiftedTrace[1].output));
      const rows = 8;
      paintChannel($('.dvc-dvec'), dv.output, [rows, dv.output.length / rows, 1], 0, 0, vl);
      paintChannel($('.dvc-dvec2'), d.shiftedTrace[1].output, [rows, dv.output.length / rows, 1], 0, 0, vl);
      ctx.setText($('.dvc-dvec-cap'), 'dvc.shiftDense', { layer: dv.name, units: n(dv.output.length), rows, cols: dv.output.length / rows });
      guesses = MODELS.map((m, i) => ({ kind: m.kind, before: topClass([d, c][i].trace), after: topClass([d, c][i].shiftedTrace) }));
      renderGuess();
      hook.shifts++;
      hook.lastShift = { dx, dy, conv: c, dense: d, filter: f, names, shows, guesses };
    } catch (err) {
      fail(err);
    } finally {
      shiftBusy = false;
    }
    if (shiftAgain) {
      shiftAgain = false;
      refreshShift();
    }
  }

  // (d) What one unit looks at.
  let unitAsked = 0; // the latest refresh: an older one (another pair, another unit) draws nothing
  async function refreshUnits() {
    if (!lesson.built) return;
    const ask = ++unitAsked;
    try {
      await lesson.built;
      const u = unitShown() - 1; // shown from 1 (count.js)
      const { names, shows } = lesson;
      const [d, c] = await Promise.all([
        ctx.request('sideUnit', { name: names.dense, layer: 1, unit: u }),
        ctx.request('sideUnit', { name: names.cnn, layer: 0, unit: u }),
      ]);
      if (ask !== unitAsked) return;
      const [h, w] = d.shape;
      paintDiverging($('.dvc-uw'), d.weights, h, w);
      // The conv unit's 3x3 kernel, drawn where it sits on a 28x28 image: every other pixel has no weight.
      const k = c.shape[0];
      const full = new Float32Array(h * w).fill(NaN);
      const top = Math.floor((h - k) / 2);
      const left = Math.floor((w - k) / 2);
      for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) full[(top + y) * w + left + x] = c.weights[(y * k + x) * c.shape[2]];
      paintDiverging($('.dvc-ck'), full, h, w);
      ctx.setText($('.dvc-uw-cap'), 'dvc.unitDense', { unit: nth(u), layer: d.name, n: n(d.weights.length), h, w });
      ctx.setText($('.dvc-ck-cap'), 'dvc.unitConv', { unit: nth(u), layer: c.name, n: n(c.weights.length), k, positions: n(lesson.info.cnn.layers[0].area) });
      hook.unit = { dense: d, conv: c, names, shows };
      hook.shown++;
    } catch (err) {
      if (ask === unitAsked) fail(err);
    }
  }

  return { refreshShift, refreshUnits, renderGuess };
}
