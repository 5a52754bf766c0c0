// views/prediction/prediction.js: the network's answer for the current input: the ten
// class probabilities (predict's probs, from the engine) as bars with the
// class names, the top class standing out, and for a test image its true
// class with a right/wrong mark. Stable hooks for tests: ol#prediction with
// data-top, its items with data-class and data-prob.

import { bars, verdict } from './bars.js';
import { argmax } from '../shared/argmax.js';

const TEXTS = {
  en: {
    'prediction.title': 'The network\'s guess',
    'prediction.label': 'Class probabilities',
    'prediction.waiting': 'Draw something, or pick a test image, and the network\'s guess appears here.',
    'prediction.top': '{name}, with probability {pct}',
    'prediction.truth': 'True class: {name}',
    'prediction.right': '✓ right',
    'prediction.wrong': '✗ wrong',
    'prediction.fromDrawing': 'For your drawing. The ten probabilities add up to 1: softmax shares the network\'s confidence among the classes.',
    'prediction.fromGallery': 'For test image #{index}. The ten probabilities add up to 1: softmax shares the network\'s confidence among the classes.',
    'prediction.fromInput': 'For the current input. The ten probabilities add up to 1: softmax shares the network\'s confidence among the classes.',
    'prediction.item': '{name}: {pct}',
  },
  zh: {
    'prediction.title': '网络的判断',
    'prediction.label': '各类别的概率',
    'prediction.waiting': '画点什么，或者选一张测试图像，网络的判断就会显示在这里。',
    'prediction.top': '{name}，概率 {pct}',
    'prediction.truth': '真实类别：{name}',
    'prediction.right': '✓ 判断正确',
    'prediction.wrong': '✗ 判断错误',
    'prediction.fromDrawing': '针对你的画。十个概率加起来等于 1：softmax 把网络的把握分给了各个类别。',
    'prediction.fromGallery': '针对测试图像 #{index}。十个概率加起来等于 1：softmax 把网络的把握分给了各个类别。',
    'prediction.fromInput': '针对当前的输入。十个概率加起来等于 1：softmax 把网络的把握分给了各个类别。',
    'prediction.item': '{name}：{pct}',
  },
};

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
