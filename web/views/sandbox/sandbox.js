// views/sandbox/sandbox.js: the output-size sandbox. The student sets the input
// size n, kernel size k, stride s and padding (valid, same, or p cells of
// zeros each side) of a small square map; the engine's convSize (the same
// rule the model's layers are built with) gives the output size, the
// padding and where each window starts, or why the combination cannot
// work. The grid shows the padded input and the window; the settings live
// in the URL (sandbox=n,k,s,p).

import { sizeRequest, DEFAULTS, LIMITS, PRESETS, choosePadding, shownP } from './state.js';
import { TEXTS } from './strings.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.classList.add('sandbox');
  const num = (name, [lo, hi]) => `<label><span data-i18n="sandbox.${name}"></span> <input type="number" class="sb-${name}" min="${lo}" max="${hi}" step="1" inputmode="numeric"></label>`;
  section.innerHTML = `
    <h2 data-i18n="sandbox.title"></h2>
    <p data-i18n="sandbox.intro"></p>
    <div class="controls">
      ${num('n', LIMITS.n)}
      ${num('k', LIMITS.k)}
      ${num('s', LIMITS.s)}
      <label><span data-i18n="sandbox.padding"></span>
        <select class="sb-padding">
          <option value="valid" data-i18n="sandbox.valid"></option>
          <option value="same" data-i18n="sandbox.same"></option>
          <option value="explicit" data-i18n="sandbox.explicit"></option>
        </select></label>
      ${num('p', LIMITS.p)}
    </div>
    <div class="controls sb-presets"><span data-i18n="sandbox.presets"></span>
      ${PRESETS.map((p, i) => `<button type="button" data-preset="${i}" data-i18n="${p.key}"></button>`).join('')}
    </div>
    <p class="sb-waiting note" data-i18n="sandbox.waiting"></p>
    <div class="sb-valid" hidden>
      <p class="sb-formula"></p>
      <p class="sb-result"></p>
      <p class="note sb-sym" data-i18n="sandbox.formulaSym"></p>
      <ul class="note sb-notes"></ul>
      <div class="sb-maps">
        <figure>
          <div class="sb-grid sb-in" role="img" data-i18n-attr="aria-label:sandbox.gridLabel"></div>
          <figcaption class="note sb-in-cap"></figcaption>
        </figure>
        <figure>
          <div class="sb-grid sb-out" role="grid" tabindex="0" data-i18n-attr="aria-label:sandbox.outLabel"></div>
          <figcaption class="note sb-out-cap"></figcaption>
        </figure>
      </div>
      <p class="note" data-i18n="sandbox.legend"></p>
    </div>
    <div class="sb-invalid" hidden role="alert">
      <p class="bad"><strong data-i18n="sandbox.invalid"></strong> <span class="sb-problem"></span></p>
    </div>`;
  const $ = (sel) => section.querySelector(sel);
  const inputs = { n: $('.sb-n'), k: $('.sb-k'), s: $('.sb-s'), p: $('.sb-p') };
  const ui = {
    padding: $('.sb-padding'), waiting: $('.sb-waiting'), valid: $('.sb-valid'), invalid: $('.sb-invalid'),
    formula: $('.sb-formula'), result: $('.sb-result'), sym: $('.sb-sym'), notes: $('.sb-notes'),
    grid: $('.sb-in'), out: $('.sb-out'), inCap: $('.sb-in-cap'), outCap: $('.sb-out-cap'), problem: $('.sb-problem'),
  };

  let v = ctx.url.read('sandbox') || { ...DEFAULTS };
  let at = { i: 0, j: 0 }; // the window shown: output row i, column j
  let last = null; // the last convSize result
  let lastFor = null; // the padding mode last answered
  let asked = 0; // requests sent; only the newest answer is shown
  const hook = { get settings() { return v; }, get last() { return last; }, get at() { return at; }, set, show };
  if (globalThis.convplay) globalThis.convplay.views.sandbox = hook;

  function showControls() {
    for (const name of ['n', 'k', 's']) inputs[name].value = String(v[name]);
    inputs.p.value = String(shownP(v, lastFor === v.padding ? last : null));
    ui.padding.value = v.padding;
    inputs.p.disabled = v.padding !== 'explicit';
  }

  function set(next) {
    v = { ...v, ...next };
    showControls();
    ctx.url.write('sandbox', v);
    ask();
  }

  async function ask() {
    if (ctx.state.engine !== 'ready') return;
    const id = ++asked;
    try {
      const r = await ctx.request('convSize', sizeRequest(v));
      if (id !== asked) return;
      last = r;
      lastFor = v.padding;
      inputs.p.value = String(shownP(v, last));
      if (r.valid) at = { i: Math.min(at.i, r.out - 1), j: Math.min(at.j, r.out - 1) };
      render();
    } catch (err) {
      if (id !== asked) return;
      last = null;
      ui.valid.hidden = true;
      ui.invalid.hidden = false;
      ui.problem.textContent = err.message;
    }
  }

  const setText = ctx.setText;

  function render() {
    const r = last;
    ui.waiting.hidden = true;
    ui.valid.hidden = !r.valid;
    ui.invalid.hidden = r.valid;
    if (!r.valid) {
      const size = r.n + (r.padding === 'explicit' ? 2 * r.p : 0);
      setText(ui.problem, `sandbox.problem.${r.problem}`, { n: r.n, k: r.k, s: r.s, p: r.p, size });
      return;
    }
    const vars = { n: r.n, k: r.k, s: r.s, pb: r.padBefore, pa: r.padAfter, num: r.numerator, out: r.out };
    setText(ui.formula, 'sandbox.formula', vars);
    setText(ui.result, 'sandbox.result', vars);
    ui.sym.hidden = r.padBefore !== r.padAfter;
    const notes = [];
    if (r.padding === 'same') notes.push(['sandbox.sameNote', { out: r.out, total: r.padBefore + r.padAfter, pb: r.padBefore, pa: r.padAfter }]);
    if (r.unused > 0) notes.push(['sandbox.unused', { unused: r.unused }]);
    if (r.uncovered > 0) notes.push(['sandbox.uncovered', { count: r.uncovered }]);
    ui.notes.replaceChildren(...notes.map(([key, nv]) => {
      const li = document.createElement('li');
      setText(li, key, nv);
      return li;
    }));
    ui.notes.hidden = notes.length === 0;
    renderGrids();
  }

  function renderGrids() {
    const r = last;
    const size = r.padded;
    const covered = new Set(); // padded coordinates (one axis) some window covers
    for (const s0 of r.starts) for (let d = 0; d < r.k; d++) covered.add(s0 + d);
    const top = r.starts[at.i];
    const left = r.starts[at.j];
    ui.grid.style.gridTemplateColumns = `repeat(${size}, var(--sb-cell))`;
    ui.grid.style.setProperty('--sb-cell', `min(1.9rem, calc(min(86vw, 24rem) / ${size}))`);
    const cells = [];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const cell = document.createElement('span');
        const iy = y - r.padBefore;
        const ix = x - r.padBefore;
        const real = iy >= 0 && iy < r.n && ix >= 0 && ix < r.n;
        cell.textContent = real ? String(((iy * 3 + ix * 7) % 9) + 1) : '0';
        if (!real) cell.classList.add('pad');
        else if (!covered.has(y) || !covered.has(x)) cell.classList.add('unseen');
        if (y >= top && y < top + r.k && x >= left && x < left + r.k) cell.classList.add('in-window');
        cells.push(cell);
      }
    }
    ui.grid.replaceChildren(...cells);
    ui.grid.dataset.size = String(size);
    ui.out.style.gridTemplateColumns = `repeat(${r.out}, var(--sb-cell))`;
    ui.out.style.setProperty('--sb-cell', `min(1.9rem, calc(min(86vw, 24rem) / ${r.out}))`);
    const outs = [];
    for (let i = 0; i < r.out; i++) {
      for (let j = 0; j < r.out; j++) {
        const cell = document.createElement('button');
        cell.type = 'button';
        cell.tabIndex = -1;
        cell.textContent = '';
        cell.title = `(${i}, ${j})`;
        if (i === at.i && j === at.j) cell.classList.add('current');
        cell.addEventListener('click', () => show(i, j));
        cell.addEventListener('pointerenter', (e) => {
          if (e.pointerType === 'mouse') show(i, j);
        });
        outs.push(cell);
      }
    }
    ui.out.replaceChildren(...outs);
    ui.out.dataset.size = String(r.out);
    setText(ui.inCap, size === r.n ? 'sandbox.inputCaption0' : 'sandbox.inputCaption', { n: r.n, size, i: at.i, j: at.j });
    setText(ui.outCap, 'sandbox.outputCaption', { out: r.out });
  }

  function show(i, j) {
    if (!last || !last.valid) return;
    const n = last.out;
    at = { i: Math.max(0, Math.min(n - 1, i)), j: Math.max(0, Math.min(n - 1, j)) };
    renderGrids();
  }

  for (const name of ['n', 'k', 's', 'p']) {
    inputs[name].addEventListener('input', () => {
      const x = Number(inputs[name].value);
      const [lo, hi] = LIMITS[name];
      if (inputs[name].value === '' || !Number.isInteger(x) || x < lo || x > hi) return;
      set({ [name]: x });
    });
  }
  ui.padding.addEventListener('change', () => set(choosePadding(v, ui.padding.value)));
  section.querySelector('.sb-presets').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-preset]');
    if (!b) return;
    const { n, k, s, padding, p } = PRESETS[Number(b.dataset.preset)];
    at = { i: 0, j: 0 };
    set({ n, k, s, padding, p });
  });
  ui.out.addEventListener('keydown', (e) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[e.key]) return;
    e.preventDefault();
    show(at.i + moves[e.key][0], at.j + moves[e.key][1]);
  });

  ctx.on('engine', (st) => {
    if (st.engine === 'ready') ask();
  });
  ctx.on('model', () => {
    if (!last) ask();
  });
  showControls();
  ask();
}
