// views/prediction/prediction.js: the network's answer for the current input: the ten
// class probabilities (predict's probs, from the engine) as bars with the
// class names, the top class standing out, and for a test image its true
// class with a right/wrong mark. Stable hooks for tests: ol#prediction with
// data-top, its items with data-class and data-prob.

import { bars, verdict } from './bars.js';
import { argmax } from '../shared/argmax.js';
import { TEXTS } from './strings.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.innerHTML = `
    <h2 data-i18n="prediction.title"></h2>
    <p class="prediction-top" aria-live="polite"></p>
    <p class="prediction-truth"></p>
    <ol id="prediction" data-i18n-attr="aria-label:prediction.label"></ol>
    <p class="note prediction-note"></p>`;
  const list = section.querySelector('#prediction');
  const top = section.querySelector('.prediction-top');
  const truth = section.querySelector('.prediction-truth');
  const note = section.querySelector('.prediction-note');

  function text(el, key, vars = {}) {
    if (!key) {
      el.textContent = '';
      delete el.dataset.i18n;
      delete el.dataset.i18nVars;
      return;
    }
    el.dataset.i18n = key;
    el.dataset.i18nVars = JSON.stringify(vars);
    ctx.translate(el);
  }

  function render() {
    const p = ctx.state.prediction;
    if (!p) {
      list.innerHTML = '';
      delete list.dataset.top;
      text(top, null);
      text(truth, null);
      text(note, 'prediction.waiting');
      section.dataset.state = 'empty';
      return;
    }
    const items = bars(p.probs);
    const k = argmax(p.probs);
    list.dataset.top = String(k);
    list.innerHTML = items.map((b) => `
      <li data-class="${b.k}" data-prob="${b.text}"${b.top ? ' class="top"' : ''}>
        <span class="prediction-name"></span>
        <span class="prediction-bar" aria-hidden="true"><span></span></span>
        <span class="prediction-pct"></span>
      </li>`).join('');
    for (const li of list.children) {
      const b = items[Number(li.dataset.class)];
      const name = ctx.className(b.k);
      li.querySelector('.prediction-name').textContent = name;
      li.querySelector('.prediction-bar span').style.width = `${b.width}%`; // CSSOM: the page's CSP allows no style attributes
      li.querySelector('.prediction-pct').textContent = ctx.fmt.pct(b.p);
      li.setAttribute('aria-label', ctx.t('prediction.item', { name, pct: ctx.fmt.pct(b.p) }));
    }
    text(top, 'prediction.top', { name: ctx.className(k), pct: ctx.fmt.pct(p.probs[k]) });
    const input = p.input || {};
    const v = verdict(k, input.label);
    section.dataset.state = v || 'drawing';
    if (v) {
      truth.innerHTML = '<span class="prediction-truth-name"></span> <span class="prediction-mark"></span>';
      text(truth.firstElementChild, 'prediction.truth', { name: ctx.className(input.label) });
      text(truth.lastElementChild, v === 'right' ? 'prediction.right' : 'prediction.wrong');
      truth.dataset.verdict = v;
    } else {
      text(truth, null);
      delete truth.dataset.verdict;
    }
    if (input.source === 'gallery') text(note, 'prediction.fromGallery', { index: input.index });
    else if (input.source === 'draw') text(note, 'prediction.fromDrawing');
    else text(note, 'prediction.fromInput');
  }

  ctx.on('prediction', render);
  ctx.on('lang', render);
  ctx.on('dataset', render);
  render();
}
