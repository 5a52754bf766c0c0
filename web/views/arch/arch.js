// views/arch/arch.js: the architecture editor (#arch-panel). The student starts
// from the small or the reference model's spec, adds, removes, reorders
// (up/down buttons, keyboard operable) and edits layers; after each change
// the engine checks the stack (checkSpec: it builds nothing the page uses)
// and the editor shows every layer's output shape and parameter count, or
// explains in words why the stack cannot work. The spec goes to the
// training panel with the 'arch' event ({spec, error, explanation,
// totalParams}); it lives in the URL (arch=...) so a link shares it.

import { LAYER_TYPES, ACTIVATIONS, FIELDS, editable, addLayer, removeLayer, moveLayer, setField } from './spec.js';
import { TEXTS } from './strings.js';

const CHECK_DELAY_MS = 120;

const shapeText = (s) => (s && s.length ? s.join('×') : '–');

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const typeOptions = LAYER_TYPES.map((t) => `<option value="${t}" data-i18n="arch.type.${t}"></option>`).join('');
  section.innerHTML = `
    <h2 data-i18n="arch.title"></h2>
    <p class="note" data-i18n="arch.intro"></p>
    <div class="controls">
      <span data-i18n="arch.from"></span>
      <button type="button" id="arch-from-small" data-i18n="arch.fromSmall"></button>
      <button type="button" id="arch-from-reference" data-i18n="arch.fromReference"></button>
    </div>
    <p class="arch-input"><span data-i18n="arch.input"></span> <code id="arch-input-shape"></code></p>
    <ol id="arch-layers" class="arch-layers"></ol>
    <div class="controls arch-add">
      <label for="arch-add-type" class="visually-hidden" data-i18n="arch.addType"></label>
      <select id="arch-add-type">${typeOptions}</select>
      <button type="button" id="arch-add" data-i18n="arch.add"></button>
    </div>
    <p id="arch-total" class="arch-total"></p>
    <p id="arch-explain" class="note" role="status" aria-live="polite"></p>
    <div class="controls"><button type="button" id="arch-use" data-i18n="arch.use"></button></div>`;
  const $ = (id) => section.querySelector(`#${id}`);
  const list = $('arch-layers');

  let spec = ctx.url.read('arch'); // the editor's spec (spec.js form)
  let fieldError = null; // {n, field, key, vars}: an input that does not parse
  let result = null; // checkSpec's last result, for spec
  let seq = 0; // the newest check; older replies are dropped
  let timer = 0;

  const setText = ctx.setText;

  function classes() {
    const info = ctx.state.dataset.info;
    return info ? info.classes.length : 10;
  }

  async function fromPreset(name) {
    const r = await ctx.request('checkSpec', { preset: name });
    spec = editable({ input: [28, 28, 1], layers: r.layers.map((l) => l.spec) });
    fieldError = null;
    ctx.url.write('arch', null); // a preset needs no link of its own
    render();
    check(true);
  }

  // --- rendering ---

  function fieldInput(i, f, value) {
    const id = `arch-${i}-${f.name}`;
    let control;
    if (f.kind === 'padding' || f.kind === 'activation') {
      const opts = (f.kind === 'padding' ? ['valid', 'same'] : ACTIVATIONS).map((o) => `<option value="${o}"${o === value ? ' selected' : ''}>${o}</option>`).join('');
      control = `<select id="${id}" data-field="${f.name}">${opts}</select>`;
    } else {
      const step = f.kind === 'rate' ? '0.05' : '1';
      control = `<input id="${id}" type="number" min="${f.min}" max="${f.max}" step="${step}" value="${value}" data-field="${f.name}">`;
    }
    return `<span class="arch-field"><label for="${id}" data-i18n="arch.field.${f.name}"></label>${control}</span>`;
  }

  function render() {
    $('arch-input-shape').textContent = shapeText(spec.input);
    const n = spec.layers.length;
    list.innerHTML = spec.layers
      .map(
        (l, i) => `
      <li class="arch-layer" data-index="${i}">
        <div class="arch-head">
          <span class="arch-num" data-i18n="arch.layer" data-i18n-vars='{"n":${i + 1}}'></span>
          <strong class="arch-type">${l.type}</strong>
          <code class="arch-name"></code>
          <span class="arch-moves">
            <button type="button" class="icon" data-move="-1" ${i === 0 ? 'disabled' : ''} data-i18n-attr="aria-label:arch.up;title:arch.up" data-i18n-vars='{"n":${i + 1}}'>↑</button>
            <button type="button" class="icon" data-move="1" ${i === n - 1 ? 'disabled' : ''} data-i18n-attr="aria-label:arch.down;title:arch.down" data-i18n-vars='{"n":${i + 1}}'>↓</button>
            <button type="button" class="icon" data-remove ${n === 1 ? 'disabled' : ''} data-i18n-attr="aria-label:arch.remove;title:arch.remove" data-i18n-vars='{"n":${i + 1}}'>✕</button>
          </span>
        </div>
        <div class="arch-fields">${FIELDS[l.type].map((f) => fieldInput(i, f, l[f.name])).join('')}</div>
        <div class="arch-shape"><span data-i18n="arch.out"></span> <code class="arch-out">…</code> · <span class="arch-params">…</span> <span data-i18n="arch.params"></span></div>
        <p class="arch-why note bad" hidden></p>
      </li>`,
      )
      .join('');
    ctx.translate(list);
    showResult();
  }

  /** showResult writes the engine's shapes, counts and explanation into the rendered rows. */
  function showResult() {
    const rows = list.querySelectorAll('.arch-layer');
    const err = result && result.error;
    rows.forEach((row, i) => {
      const l = result && result.layers[i];
      const bad = err && err.index === i;
      row.classList.toggle('invalid', Boolean(bad));
      row.dataset.valid = l && !bad ? 'true' : 'false';
      row.querySelector('.arch-name').textContent = l ? l.name : bad ? err.name : '';
      row.querySelector('.arch-out').textContent = l ? shapeText(l.outShape) : '–';
      row.querySelector('.arch-params').textContent = l ? ctx.fmt.count(l.params) : '–';
      row.dataset.out = l ? l.outShape.join('x') : '';
      row.dataset.params = l ? String(l.params) : '';
      const why = row.querySelector('.arch-why');
      why.hidden = !bad;
      if (bad) setText(why, ...explanation(err));
      else if (!l && result && !fieldError) setText(why, 'arch.notChecked');
    });
    const total = $('arch-total');
    const explain = $('arch-explain');
    explain.classList.remove('bad');
    if (fieldError) {
      explain.classList.add('bad');
      setText(explain, 'arch.fieldBad', { n: fieldError.n, field: ctx.t(`arch.field.${fieldError.field}`), why: ctx.t(fieldError.key, fieldError.vars) });
    } else if (!result) {
      setText(explain, 'arch.checking');
    } else if (err) {
      explain.classList.add('bad');
      setText(explain, ...explanation(err));
    } else {
      setText(explain, 'arch.ok', { in: shapeText(spec.input), classes: classes() });
    }
    section.dataset.state = fieldError || (result && result.error) ? 'invalid' : result ? 'valid' : 'checking';
    if (result) setText(total, err ? 'arch.totalSoFar' : 'arch.total', { total: ctx.fmt.count(result.totalParams), n: result.layers.length });
    total.dataset.total = result ? String(result.totalParams) : '';
    $('arch-use').disabled = section.dataset.state !== 'valid';
  }

  /** explanation is the [key, vars] that explains a checkSpec error in words. */
  function explanation(err) {
    if (err.kind === 'spec') return ['arch.why.spec', { message: err.message }];
    const key = `arch.why.${err.kind}`;
    return [key in TEXTS.en ? key : 'arch.why.invalid', { n: err.index + 1, name: err.name, type: err.type, in: shapeText(err.inShape), size: err.size, message: err.message }];
  }

  // --- checking ---

  function check(now) {
    clearTimeout(timer);
    if (fieldError) {
      result = result && { ...result, error: null };
      announce();
      showResult();
      return;
    }
    if (now) run();
    else timer = setTimeout(run, CHECK_DELAY_MS);
  }

  async function run() {
    const mine = ++seq;
    const sent = spec;
    let r;
    try {
      r = await ctx.request('checkSpec', { spec: sent, classes: classes() });
    } catch (err) {
      r = { layers: [], totalParams: 0, error: { kind: 'spec', message: err.message } };
    }
    if (mine !== seq) return;
    result = r;
    showResult();
    announce();
  }

  function announce() {
    const err = fieldError ? { message: 'field' } : result && result.error;
    const [key, vars] = result && result.error && !fieldError ? explanation(result.error) : [null, null];
    ctx.emit('arch', { spec, error: err || null, explanation: key ? ctx.t(key, vars) : null, totalParams: result ? result.totalParams : 0 });
  }

  // --- editing ---

  function change(next, focus) {
    spec = next;
    fieldError = null;
    result = null;
    ctx.url.write('arch', spec);
    render();
    check(true);
    if (focus) {
      const el = list.querySelector(focus);
      if (el && !el.disabled) el.focus();
      else {
        const row = list.querySelector(focus.split(' ')[0]);
        if (row) row.querySelector('button:not([disabled])')?.focus();
      }
    }
  }

  list.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    const i = Number(b.closest('.arch-layer').dataset.index);
    if (b.dataset.move) {
      const d = Number(b.dataset.move);
      const j = Math.max(0, Math.min(spec.layers.length - 1, i + d));
      change(moveLayer(spec, i, d), `.arch-layer[data-index="${j}"] button[data-move="${d}"]`);
    } else if (b.hasAttribute('data-remove')) {
      change(removeLayer(spec, i), `.arch-layer[data-index="${Math.min(i, spec.layers.length - 2)}"] button[data-remove]`);
    }
  });

  function onField(e) {
    const input = e.target;
    const name = input.dataset.field;
    if (!name) return;
    const i = Number(input.closest('.arch-layer').dataset.index);
    try {
      spec = setField(spec, i, name, input.value);
      input.removeAttribute('aria-invalid');
      fieldError = null;
      ctx.url.write('arch', spec);
    } catch {
      const f = FIELDS[spec.layers[i].type].find((x) => x.name === name);
      input.setAttribute('aria-invalid', 'true');
      fieldError = { n: i + 1, field: name, key: f.kind === 'rate' ? 'arch.range.rate' : 'arch.range.int', vars: { min: f.min, max: f.max } };
    }
    check(false);
  }
  list.addEventListener('input', onField);
  list.addEventListener('change', onField);

  $('arch-add').addEventListener('click', () => {
    const n = spec.layers.length;
    change(addLayer(spec, $('arch-add-type').value), `.arch-layer[data-index="${n}"] button[data-remove]`);
  });
  $('arch-from-small').addEventListener('click', () => fromPreset('small'));
  $('arch-from-reference').addEventListener('click', () => fromPreset('reference'));
  $('arch-use').addEventListener('click', () => {
    ctx.emit('trainsetup', { settings: { model: 'custom', continueWeights: false }, start: false });
    document.getElementById('train-panel')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });

  ctx.on('engine', (st) => {
    if (st.engine !== 'ready') return;
    if (!spec) fromPreset('small');
    else {
      render();
      check(true);
    }
  });
  ctx.on('dataset', () => {
    if (spec && result) check(false);
  });
  ctx.on('lang', () => showResult());

  window.convplay.views.arch = {
    spec: () => spec,
    result: () => result,
    set(next) {
      change(next);
    },
  };

  ctx.translate(section);
}
