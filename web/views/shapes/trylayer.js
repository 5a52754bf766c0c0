// views/shapes/trylayer.js: "type a layer": the student sets a convolution's
// input size, input channels, filters, kernel, stride and padding, and the
// engine (describeSpec, which leaves the model alone) answers with its
// weights, biases, parameter count, output size and multiply-adds. Its
// defaults are the notes' own example: 3 channels in, 192 out, 3x3 kernels,
// (3·3·3)·192 = 5,184 weights plus the 192 biases Keras adds.

import { esc, shapeText } from '../../format.js';
import { sizeFormula, paramFormula, weightsFormula, trySpec } from './format.js';

const FIELDS = [
  { name: 'n', min: 1, max: 64, value: 32 },
  { name: 'cin', min: 1, max: 512, value: 3 },
  { name: 'filters', min: 1, max: 1024, value: 192 },
  { name: 'k', min: 1, max: 11, value: 3 },
  { name: 's', min: 1, max: 4, value: 1 },
];

/** mountTry fills box with the form and keeps its answer up to date. */
export function mountTry(ctx, box) {
  const t = ctx.t;
  const n = (x) => ctx.fmt.count(x);
  box.innerHTML = `
    <h3 data-i18n="shapes.try.title"></h3>
    <p class="note" data-i18n="shapes.try.intro"></p>
    <form class="shapes-try-form controls">
      ${FIELDS.map((f) => `<label><span data-i18n="shapes.try.${f.name}"></span> <input type="number" name="${f.name}" min="${f.min}" max="${f.max}" step="1" value="${f.value}" required></label>`).join('')}
      <label><span data-i18n="shapes.try.padding"></span> <select name="padding"><option value="same">same</option><option value="valid">valid</option></select></label>
      <button type="button" class="shapes-try-notes" data-i18n="shapes.try.notes"></button>
    </form>
    <div class="shapes-try-out" aria-live="polite"></div>`;
  ctx.translate(box);
  const form = box.querySelector('form');
  const out = box.querySelector('.shapes-try-out');
  let answer = null; // {values, info} or {error}
  let asked = 0;

  function values() {
    const v = { padding: form.elements.padding.value };
    for (const f of FIELDS) {
      const x = Number(form.elements[f.name].value);
      if (!Number.isInteger(x) || x < f.min || x > f.max) return { bad: f.name, min: f.min, max: f.max };
      v[f.name] = x;
    }
    return v;
  }

  async function ask() {
    const v = values();
    const mine = ++asked;
    if (v.bad) {
      answer = { error: t('shapes.try.range', { field: t(`shapes.try.${v.bad}`), min: v.min, max: v.max }) };
      return render();
    }
    try {
      const info = await ctx.request('describeSpec', { spec: trySpec(v) });
      if (mine === asked) answer = { values: v, info };
    } catch (err) {
      if (mine === asked) answer = { error: t('shapes.try.error', { error: err.message }) };
    }
    if (mine === asked) render();
  }

  function render() {
    if (!answer) return;
    if (answer.error) {
      out.innerHTML = `<p class="note bad">${esc(answer.error)}</p>`;
      return;
    }
    const { info, values: v } = answer;
    const l = info.layers[0];
    const c = l.count;
    const notes = v.cin === 3 && v.filters === 192 && v.k === 3;
    const rows = [
      ['weights', weightsFormula(l.type, c), t('shapes.try.weightsNote', { k: c.kh, cin: n(c.cin), f: n(c.cout) })],
      ['biases', n(c.biases), t('shapes.try.biasesNote', { f: n(c.cout) })],
      ['params', paramFormula(l.type, c, l.params), t('shapes.try.paramsNote')],
      ['out', `${sizeFormula(l.size).text} → ${shapeText(l.outShape)}`, t('shapes.try.outNote', { s: l.strides, padding: l.padding })],
      ['macs', `${l.size.out}·${l.size.out}·${n(c.weights)} = ${n(l.macs)}`, t('shapes.try.macsNote')],
    ];
    out.innerHTML = `
      <div class="table-wrap"><table class="shapes-table shapes-try-table"><tbody>
        ${rows.map(([key, formula, note]) => `<tr data-row="${key}"><th scope="row">${esc(t(`shapes.try.row.${key}`))}</th><td><span class="formula mono">${esc(formula)}</span><br><span class="note">${esc(note)}</span></td></tr>`).join('')}
      </tbody></table></div>
      ${notes ? `<p class="shapes-try-match" data-weights="${c.weights}" data-biases="${c.biases}" data-params="${l.params}">${esc(t('shapes.try.match', { weights: n(c.weights), biases: n(c.biases), params: n(l.params) }))}</p>` : ''}`;
  }

  form.addEventListener('input', ask);
  form.addEventListener('change', ask);
  form.addEventListener('submit', (e) => e.preventDefault());
  box.querySelector('.shapes-try-notes').addEventListener('click', () => {
    for (const f of FIELDS) form.elements[f.name].value = String(f.value);
    form.elements.padding.value = 'same';
    ask();
  });
  ctx.on('lang', render);
  // The engine may start (or restart) after the view: ask once it is ready.
  ctx.on('engine', () => {
    if (ctx.state.engine === 'ready') ask();
  });
  if (ctx.state.engine === 'ready') ask();
}
