// experiment.js: the shift experiment of the pooling lesson
// (views/pooling/pooling.js): move the current input by 1 or 2 pixels and show how
// much every layer's output changed, the engine's shiftCompare result: the
// input before and after the move, a table of the changes with bars, each
// pooling layer's change before and after it, and the prediction before
// and after. shift.js holds its DOM-free parts.

import { poolPairs } from './shift.js';
import { range } from '../shared/paint.js';
import { paintCells } from '../shared/cells.js';
import { argmax } from '../shared/argmax.js';

/**
 * createShiftExperiment runs the .pl-shift controls and the .pl-shift-out
 * box inside section; setText(el, key, vars) is the view's translated text
 * setter. It returns {shiftBy(dx, dy), again() (the last shift on the
 * current input), clear(), render() (after a language switch), current()
 * the last shiftCompare result or null}.
 */
export function createShiftExperiment(ctx, section, setText) {
  const $ = (sel) => section.querySelector(sel);
  const ui = {
    error: $('.pl-error'), amount: $('.pl-amount'), shiftOut: $('.pl-shift-out'), orig: $('.pl-orig'), moved: $('.pl-moved'),
    shifted: $('.pl-shifted'), changes: $('.pl-changes tbody'), pairs: $('.pl-pairs'), pred: $('.pl-pred'),
  };
  const pct = (x) => ctx.fmt.pct(x);
  let shift = null; // the last shiftCompare result

  async function shiftBy(dx, dy) {
    const pred = ctx.state.prediction;
    if (!pred || ctx.state.engine !== 'ready') return;
    try {
      const pixels = pred.input.pixels.slice();
      const r = await ctx.request('shiftCompare', { pixels, dx, dy }, { transfer: [pixels.buffer] });
      if (ctx.state.prediction !== pred) return;
      shift = r;
      renderShift();
    } catch (err) {
      ui.error.hidden = false;
      setText(ui.error, 'pooling.error', { error: err.message });
    }
  }

  function renderShift() {
    const r = shift;
    ui.shiftOut.hidden = false;
    setText(ui.shifted, 'pooling.shifted', { dx: r.dx, dy: r.dy });
    const input = ctx.state.prediction && ctx.state.prediction.input.pixels;
    if (input && input.length === r.shifted.length) {
      const side = Math.round(Math.sqrt(input.length));
      const { lo, hi } = range(input);
      paintCells(ui.orig, input, side, side, lo, hi, 4);
      paintCells(ui.moved, r.shifted, side, side, lo, hi, 4);
    }
    const top = Math.max(...r.layers.map((l) => (Number.isFinite(l.change) ? l.change : 0)), 1e-9);
    ui.changes.replaceChildren(...r.layers.map((l, i) => {
      const tr = document.createElement('tr');
      if (l.type === 'MaxPooling2D') tr.className = 'pool';
      else if (r.layers[i + 1] && r.layers[i + 1].type === 'MaxPooling2D') tr.className = 'before-pool';
      const name = document.createElement('td');
      name.textContent = l.name;
      name.title = l.type;
      const shape = document.createElement('td');
      shape.textContent = l.shape.join('×');
      const change = document.createElement('td');
      change.className = 'pl-change';
      change.dataset.value = String(l.change);
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${(4 * Math.min(1, (Number.isFinite(l.change) ? l.change : top) / top)).toFixed(2)}rem`;
      const label = document.createElement('span');
      label.textContent = pct(l.change);
      change.append(bar, label);
      tr.append(name, shape, change);
      return tr;
    }));
    ui.pairs.replaceChildren(...poolPairs(r.layers).map(({ before, after }) => {
      const li = document.createElement('li');
      li.textContent = `${ctx.t('pooling.pair', { pool: after.name, before: pct(before.change), after: pct(after.change) })} ${ctx.t(after.change < before.change ? 'pooling.pairLess' : 'pooling.pairMore')}`;
      return li;
    }));
    const a = argmax(r.probsBefore);
    const b = argmax(r.probsAfter);
    ui.pred.textContent = ctx.t('pooling.prediction', { a: ctx.className(a), pa: pct(r.probsBefore[a]), b: ctx.className(b), pb: pct(r.probsAfter[b]) });
  }

  function showAmounts() {
    for (const o of ui.amount.options) o.textContent = ctx.t('pooling.px', { n: o.value });
  }

  $('.pl-shift').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-dir]');
    if (!b) return;
    const [dx, dy] = b.dataset.dir.split(',').map(Number);
    const n = Number(ui.amount.value);
    shiftBy(dx * n, dy * n);
  });
  showAmounts();

  return {
    shiftBy,
    again() {
      if (shift) shiftBy(shift.dx, shift.dy);
    },
    clear() {
      shift = null;
      ui.shiftOut.hidden = true;
    },
    render() {
      showAmounts();
      if (shift) renderShift();
    },
    current: () => shift,
  };
}
