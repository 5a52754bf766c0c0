// views/arch/arch.js: the architecture editor (#arch-panel). The student starts
// from the small or the reference model's spec, adds, removes, reorders
// (up/down buttons, keyboard operable) and edits layers; after each change
// the engine checks the stack (checkSpec: it builds nothing the page uses)
// and the editor shows every layer's output shape and parameter count, or
// explains in words why the stack cannot work. The spec goes to the
// training panel with the 'arch' event ({spec, error, explanation,
// totalParams}); it lives in the URL (arch=...) so a link shares it.

import { LAYER_TYPES, ACTIVATIONS, FIELDS, editable, addLayer, removeLayer, moveLayer, setField, specToURL, specFromURL } from './spec.js';

const CHECK_DELAY_MS = 120;

const TEXT = {
  en: {
    'arch.title': 'Design your own network',
    'arch.intro':
      'Stack the layers yourself. Convolution and pooling layers work on feature maps (height × width × channels); Flatten lays them out in one vector; Dense layers work on vectors. The engine checks the stack as you type: each layer’s output shape and parameter count, or why it cannot work.',
    'arch.from': 'Start from',
    'arch.fromSmall': 'the small model',
    'arch.fromReference': 'the reference model',
    'arch.input': 'Input',
    'arch.layer': 'Layer {n}',
    'arch.out': 'output',
    'arch.params': 'parameters',
    'arch.up': 'Move layer {n} up',
    'arch.down': 'Move layer {n} down',
    'arch.remove': 'Remove layer {n}',
    'arch.add': 'Add a layer',
    'arch.addType': 'Type of the new layer',
    'arch.total': 'Total parameters: {total}',
    'arch.totalSoFar': 'Parameters of the {n} layers before the problem: {total}',
    'arch.checking': 'Checking…',
    'arch.ok': 'The stack works: it turns a {in} image into {classes} class probabilities. Choose “my architecture” in the training panel to train it.',
    'arch.use': 'Train this architecture',
    'arch.notChecked': 'not checked: an earlier layer is invalid',
    'arch.field.filters': 'filters',
    'arch.field.kernel_size': 'kernel',
    'arch.field.strides': 'stride',
    'arch.field.padding': 'padding',
    'arch.field.activation': 'activation',
    'arch.field.pool_size': 'pool size',
    'arch.field.units': 'units',
    'arch.field.rate': 'rate',
    'arch.fieldBad': 'Layer {n}, {field}: {why}',
    'arch.range.int': 'a whole number from {min} to {max}',
    'arch.range.rate': 'a number from {min} to {max}',
    'arch.type.Conv2D': 'Conv2D: filters slide over the maps',
    'arch.type.MaxPooling2D': 'MaxPooling2D: keep the largest value of each window',
    'arch.type.AveragePooling2D': 'AveragePooling2D: average each window',
    'arch.type.Flatten': 'Flatten: maps to one vector',
    'arch.type.Dense': 'Dense: every input to every unit',
    'arch.type.Dropout': 'Dropout: silence random inputs while training',
    'arch.why.dense-needs-flatten':
      'Layer {n} ({name}) is a Dense layer, but its input is still a stack of feature maps ({in}). A Dense layer takes a vector: put a Flatten layer before it, which lays the maps out in one row.',
    'arch.why.needs-maps':
      'Layer {n} ({name}, {type}) slides a window over feature maps, but its input is a vector ({in}): after Flatten the picture’s layout is gone. Move it above the Flatten layer.',
    'arch.why.pool-too-large':
      'Layer {n} ({name}) pools {size}×{size} windows, but its input is only {in}: not even one window fits. Earlier layers have already shrunk the maps this far; remove this pooling layer or an earlier one, or use a smaller pool.',
    'arch.why.kernel-too-large':
      'Layer {n} ({name}) has a {size}×{size} kernel, but its input is only {in} and with padding “valid” the kernel must fit inside it. Use padding “same” or a smaller kernel.',
    'arch.why.too-large': 'Layer {n} ({name}) would have far too many weights for a browser: give it fewer units or filters, or pool more before it.',
    'arch.why.invalid': 'Layer {n} ({name}) is not valid: {message}',
    'arch.why.output-size':
      'The last layer ({name}) must give one score per class, {size} in all: end the network with Dense({size}) and softmax.',
    'arch.why.output-softmax':
      'The last layer ({name}) should use the softmax activation, so that its {size} outputs are probabilities that add up to 1, as the loss expects.',
    'arch.why.spec': 'The engine cannot read this architecture: {message}',
  },
  zh: {
    'arch.title': '设计你自己的网络',
    'arch.intro':
      '自己把层堆起来。卷积层和池化层处理特征图（高 × 宽 × 通道）；Flatten 把特征图排成一个向量；Dense 层处理向量。你一边输入，引擎一边检查：给出每层的输出形状和参数个数，或者说明为什么行不通。',
    'arch.from': '起点',
    'arch.fromSmall': '小模型',
    'arch.fromReference': '参考模型',
    'arch.input': '输入',
    'arch.layer': '第 {n} 层',
    'arch.out': '输出',
    'arch.params': '参数',
    'arch.up': '把第 {n} 层上移',
    'arch.down': '把第 {n} 层下移',
    'arch.remove': '删除第 {n} 层',
    'arch.add': '添加一层',
    'arch.addType': '新层的类型',
    'arch.total': '参数总数：{total}',
    'arch.totalSoFar': '出问题之前的 {n} 层的参数：{total}',
    'arch.checking': '正在检查…',
    'arch.ok': '这个结构可以工作：它把 {in} 的图像变成 {classes} 个类别的概率。在训练面板里选择“我的结构”就能训练它。',
    'arch.use': '训练这个结构',
    'arch.notChecked': '未检查：前面有一层无效',
    'arch.field.filters': '滤波器数',
    'arch.field.kernel_size': '卷积核',
    'arch.field.strides': '步长',
    'arch.field.padding': '填充',
    'arch.field.activation': '激活函数',
    'arch.field.pool_size': '池化窗口',
    'arch.field.units': '单元数',
    'arch.field.rate': '丢弃率',
    'arch.fieldBad': '第 {n} 层，{field}：{why}',
    'arch.range.int': '应为 {min} 到 {max} 之间的整数',
    'arch.range.rate': '应为 {min} 到 {max} 之间的数',
    'arch.type.Conv2D': 'Conv2D：滤波器在特征图上滑动',
    'arch.type.MaxPooling2D': 'MaxPooling2D：每个窗口取最大值',
    'arch.type.AveragePooling2D': 'AveragePooling2D：每个窗口取平均',
    'arch.type.Flatten': 'Flatten：把特征图排成一个向量',
    'arch.type.Dense': 'Dense：每个输入连到每个单元',
    'arch.type.Dropout': 'Dropout：训练时随机屏蔽一些输入',
    'arch.why.dense-needs-flatten':
      '第 {n} 层（{name}）是 Dense 层，可它的输入还是一叠特征图（{in}）。Dense 层要的是向量：在它前面加一个 Flatten 层，把特征图排成一行。',
    'arch.why.needs-maps':
      '第 {n} 层（{name}，{type}）要在特征图上滑动窗口，可它的输入是一个向量（{in}）：经过 Flatten 之后，图像的空间排列已经没有了。把它移到 Flatten 层上面。',
    'arch.why.pool-too-large':
      '第 {n} 层（{name}）用 {size}×{size} 的窗口池化，可它的输入只有 {in}：连一个窗口都放不下。前面的层已经把特征图缩到这么小了；删掉这一层或前面的某个池化层，或者用更小的池化窗口。',
    'arch.why.kernel-too-large':
      '第 {n} 层（{name}）的卷积核是 {size}×{size}，可它的输入只有 {in}；填充为“valid”时卷积核必须整个放在输入里面。改用填充“same”或更小的卷积核。',
    'arch.why.too-large': '第 {n} 层（{name}）的权重多得浏览器装不下：减少单元数或滤波器数，或者在它前面多做几次池化。',
    'arch.why.invalid': '第 {n} 层（{name}）无效：{message}',
    'arch.why.output-size': '最后一层（{name}）必须为每个类别给出一个分数，一共 {size} 个：用 Dense({size}) 加 softmax 结尾。',
    'arch.why.output-softmax': '最后一层（{name}）应该用 softmax 激活函数，这样它的 {size} 个输出才是加起来等于 1 的概率，正是损失函数需要的。',
    'arch.why.spec': '引擎读不懂这个结构：{message}',
  },
};

const shapeText = (s) => (s && s.length ? s.join('×') : '–');

export function mount(ctx, section) {
  ctx.strings(TEXT);
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

  let spec = specFromURL(ctx.url.get('arch')) || null; // the editor's spec (spec.js form)
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
    ctx.url.set('arch', null); // a preset needs no link of its own
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
    return [key in TEXT.en ? key : 'arch.why.invalid', { n: err.index + 1, name: err.name, type: err.type, in: shapeText(err.inShape), size: err.size, message: err.message }];
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
    ctx.url.set('arch', specToURL(spec));
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
      ctx.url.set('arch', specToURL(spec));
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
