// views/sandbox/sandbox.js: the output-size sandbox. The student sets the input
// size n, kernel size k, stride s and padding (valid, same, or p cells of
// zeros each side) of a small square map; the engine's convSize (the same
// rule the model's layers are built with) gives the output size, the
// padding and where each window starts, or why the combination cannot
// work. The grid shows the padded input and the window; the settings live
// in the URL (sandbox=n,k,s,p).

import { parseSandbox, formatSandbox, sizeRequest, DEFAULTS, LIMITS, PRESETS } from './state.js';

const TEXTS = {
  en: {
    'sandbox.title': 'Output size: try it yourself',
    'sandbox.intro': 'How big is a layer\'s output? It depends on four numbers: the input size n, the kernel size k, the stride s (how far the window jumps) and the padding p (rings of zeros around the input). Change them and watch the window positions and the formula.',
    'sandbox.n': 'Input size n',
    'sandbox.k': 'Kernel size k',
    'sandbox.s': 'Stride s',
    'sandbox.padding': 'Padding',
    'sandbox.valid': 'valid (none)',
    'sandbox.same': 'same (keep the size)',
    'sandbox.explicit': 'p zeros on each side',
    'sandbox.p': 'p',
    'sandbox.presets': 'Examples from the model:',
    'sandbox.presetSame': '3×3 conv, same',
    'sandbox.presetValid': '3×3 conv, valid',
    'sandbox.presetPool': '2×2 pooling',
    'sandbox.presetFloor': '7 → 3: pooling floors',
    'sandbox.presetStride': 'stride 2, p = 1',
    'sandbox.formula': 'out = ⌊(n + p_before + p_after − k) / s⌋ + 1 = ⌊({n} + {pb} + {pa} − {k}) / {s}⌋ + 1 = ⌊{num} / {s}⌋ + 1 = {out}',
    'sandbox.formulaSym': 'With the same padding p on both sides this is the familiar out = ⌊(n + 2p − k) / s⌋ + 1.',
    'sandbox.result': 'A {n}×{n} input gives a {out}×{out} output.',
    'sandbox.sameNote': '"same" picks the padding for you: the output is ⌈n / s⌉ = {out} cells, and the zeros needed for that ({total} in all) are split with the smaller half before and the rest after ({pb} before, {pa} after).',
    'sandbox.unused': 'The last window ends {unused} cell(s) before the end of the padded input: the floor in the formula drops what does not fill a whole step.',
    'sandbox.uncovered': '{count} input cell(s) per row and column are never under any window (shown crossed out): their values cannot reach the output.',
    'sandbox.inputCaption': 'Input {n}×{n} with padding ({size}×{size}); the frame is window ({i}, {j}).',
    'sandbox.inputCaption0': 'Input {n}×{n}, no padding; the frame is window ({i}, {j}).',
    'sandbox.outputCaption': 'Output {out}×{out}: one cell per window position. Click a cell (or use the arrow keys) to see its window.',
    'sandbox.gridLabel': 'Padded input grid with the current kernel window',
    'sandbox.outLabel': 'Output grid; arrow keys move the window',
    'sandbox.invalid': 'This combination does not work.',
    'sandbox.problem.input': 'The input needs at least one cell.',
    'sandbox.problem.kernel': 'The kernel needs at least one cell.',
    'sandbox.problem.stride': 'A stride of {s} never moves the window to a new place: the stride must be at least 1.',
    'sandbox.problem.padding': 'The padding cannot be negative.',
    'sandbox.problem.kernelLarger': 'The {k}×{k} kernel does not fit in the {size}×{size} input (with its padding): there is no position at all for the window. Use "same" padding, add padding, or pick a kernel of at most {size}.',
    'sandbox.legend': 'Numbers: the input\'s cells (any values would do: only the sizes matter here). 0 on a tinted cell: padding.',
    'sandbox.waiting': 'Waiting for the engine…',
  },
  zh: {
    'sandbox.title': '输出尺寸：自己试一试',
    'sandbox.intro': '一层的输出有多大？取决于四个数：输入尺寸 n、卷积核尺寸 k、步幅 s（窗口每次跳多远）和补零 p（在输入周围加几圈 0）。改一改这些数，看看窗口的位置和公式怎样变化。',
    'sandbox.n': '输入尺寸 n',
    'sandbox.k': '卷积核尺寸 k',
    'sandbox.s': '步幅 s',
    'sandbox.padding': '补零方式',
    'sandbox.valid': 'valid（不补零）',
    'sandbox.same': 'same（保持尺寸）',
    'sandbox.explicit': '每边补 p 个 0',
    'sandbox.p': 'p',
    'sandbox.presets': '模型里的例子：',
    'sandbox.presetSame': '3×3 卷积，same',
    'sandbox.presetValid': '3×3 卷积，valid',
    'sandbox.presetPool': '2×2 池化',
    'sandbox.presetFloor': '7 → 3：池化向下取整',
    'sandbox.presetStride': '步幅 2，p = 1',
    'sandbox.formula': 'out = ⌊(n + p_前 + p_后 − k) / s⌋ + 1 = ⌊({n} + {pb} + {pa} − {k}) / {s}⌋ + 1 = ⌊{num} / {s}⌋ + 1 = {out}',
    'sandbox.formulaSym': '两边补同样多的 p 时，就是常见的 out = ⌊(n + 2p − k) / s⌋ + 1。',
    'sandbox.result': '{n}×{n} 的输入得到 {out}×{out} 的输出。',
    'sandbox.sameNote': '"same" 会替你选好补零：输出是 ⌈n / s⌉ = {out} 格，为此需要的 0（共 {total} 个）分到两边，前面放较少的一半，其余放后面（前 {pb}，后 {pa}）。',
    'sandbox.unused': '最后一个窗口在补零后的输入结束前 {unused} 格就停了：公式里的向下取整丢掉了凑不满一步的部分。',
    'sandbox.uncovered': '每行、每列各有 {count} 个输入格子从未落在任何窗口里（画了叉）：它们的值到不了输出。',
    'sandbox.inputCaption': '{n}×{n} 的输入加上补零（{size}×{size}）；方框是第 ({i}, {j}) 个窗口。',
    'sandbox.inputCaption0': '{n}×{n} 的输入，不补零；方框是第 ({i}, {j}) 个窗口。',
    'sandbox.outputCaption': '{out}×{out} 的输出：每个窗口位置对应一格。点一个格子（或用方向键）查看它的窗口。',
    'sandbox.gridLabel': '补零后的输入网格，带当前的卷积核窗口',
    'sandbox.outLabel': '输出网格；方向键移动窗口',
    'sandbox.invalid': '这个组合行不通。',
    'sandbox.problem.input': '输入至少要有一个格子。',
    'sandbox.problem.kernel': '卷积核至少要有一个格子。',
    'sandbox.problem.stride': '步幅为 {s} 时窗口永远不会移动到新位置：步幅至少要是 1。',
    'sandbox.problem.padding': '补零不能是负数。',
    'sandbox.problem.kernelLarger': '{k}×{k} 的卷积核放不进 {size}×{size} 的输入（含补零）：窗口连一个位置都没有。请改用 "same" 补零、多补一些 0，或者选不超过 {size} 的卷积核。',
    'sandbox.legend': '数字：输入格子里的值（什么值都行，这里只关心尺寸）。带底色的 0：补零。',
    'sandbox.waiting': '等待引擎…',
  },
};

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

  let v = parseSandbox(ctx.url.get('sandbox')) || { ...DEFAULTS };
  let at = { i: 0, j: 0 }; // the window shown: output row i, column j
  let last = null; // the last convSize result
  let asked = 0; // requests sent; only the newest answer is shown
  const hook = { get settings() { return v; }, get last() { return last; }, get at() { return at; }, set, show };
  if (globalThis.convplay) globalThis.convplay.views.sandbox = hook;

  function showControls() {
    for (const name of ['n', 'k', 's', 'p']) inputs[name].value = String(v[name]);
    ui.padding.value = v.padding;
    inputs.p.disabled = v.padding !== 'explicit';
  }

  function set(next) {
    v = { ...v, ...next };
    showControls();
    ctx.url.set('sandbox', formatSandbox(v));
    ask();
  }

  async function ask() {
    if (ctx.state.engine !== 'ready') return;
    const id = ++asked;
    try {
      const r = await ctx.request('convSize', sizeRequest(v));
      if (id !== asked) return;
      last = r;
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
  ui.padding.addEventListener('change', () => set({ padding: ui.padding.value }));
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
