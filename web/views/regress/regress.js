// views/regress/regress.js: one number or a vector. The same features end
// in two heads, side models in the engine (the page's model stays): ten
// softmax units for the classes, trained with cross-entropy, and a single
// linear unit that predicts the image's ink area (the percentage of its
// pixels at least half dark), trained with mean squared error. The student
// trains both, compares their losses, and sees each output layer's units
// on the current drawing. heads.js holds the models and the formats.

import { esc } from '../../format.js';
import { HEADS, RUN, OPTIMIZER, percentText, lossText } from './heads.js';
import { TEXTS } from './strings.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  const n = (x) => ctx.fmt.count(x);
  section.classList.add('reg');
  section.innerHTML = `
    <h2 data-i18n="reg.title"></h2>
    <p data-i18n="reg.intro"></p>
    <div class="reg-heads">
      ${HEADS.map((h) => `<figure data-kind="${h.kind}">
        <figcaption><strong data-i18n="reg.${h.kind}.title"></strong></figcaption>
        <p class="note reg-layer"></p>
        <ol class="reg-units" aria-live="polite"></ol>
        <p class="reg-value"></p>
        <p class="note" data-i18n="reg.${h.kind}.loss"></p>
        <table class="reg-history"><thead><tr><th scope="col" data-i18n="reg.epoch"></th><th scope="col" class="num" data-i18n="reg.loss"></th><th scope="col" class="num" data-i18n="reg.valLoss"></th></tr></thead><tbody></tbody></table>
      </figure>`).join('')}
    </div>
    <div class="controls"><button type="button" class="reg-train"></button></div>
    <p class="reg-progress" aria-live="polite"></p>
    <p class="note" data-i18n="reg.why"></p>
    <p class="note bad reg-error" hidden></p>`;
  ctx.translate(section);
  const $ = (sel) => section.querySelector(sel);
  const fig = (kind) => section.querySelector(`.reg-heads figure[data-kind="${kind}"]`);
  const info = {};
  const runs = {};
  const traces = {};
  let built = null;
  let training = false;
  const hook = { get info() { return info; }, get runs() { return runs; }, get traces() { return traces; }, get training() { return training; } };
  if (globalThis.convplay) globalThis.convplay.views.regress = hook;

  function fail(err) {
    $('.reg-error').hidden = false;
    $('.reg-error').textContent = t('reg.error', { error: err.message });
  }

  function build() {
    built = (async () => {
      for (const h of HEADS) {
        info[h.kind] = await ctx.request('sideBuild', { name: h.name, spec: h.spec, target: h.target, optimizer: OPTIMIZER, seed: 1 });
        delete runs[h.kind];
      }
    })();
    built.then(() => {
      render();
      publish();
      trace();
    }, fail);
    return built;
  }

  function render() {
    ctx.setText($('.reg-train'), 'reg.train', { n: n(RUN.subset), epochs: RUN.epochs });
    for (const h of HEADS) {
      const f = fig(h.kind);
      const d = info[h.kind];
      if (d) {
        const last = d.layers.at(-1);
        f.querySelector('.reg-layer').textContent = t('reg.layer', { name: last.name, units: n(last.units), activation: last.activation, loss: d.loss, params: n(last.params) });
      }
      const tr = traces[h.kind];
      const units = f.querySelector('.reg-units');
      const value = f.querySelector('.reg-value');
      if (tr) {
        const out = tr.trace.at(-1).output;
        units.innerHTML = [...out].map((v, i) => `<li data-unit="${i}"><span class="reg-bar"></span><span class="mono">${esc(h.kind === 'ink' ? percentText(v) : ctx.fmt.pct(v))}</span><span class="reg-name">${esc(h.kind === 'ink' ? t('reg.ink.unit') : ctx.className(i))}</span></li>`).join('');
        for (const [i, li] of [...units.children].entries()) {
          const v = h.kind === 'ink' ? Math.max(0, Math.min(1, out[i] / 100)) : out[i];
          li.querySelector('.reg-bar').style.height = `${Math.round(v * 100)}%`;
        }
        if (h.kind === 'ink') {
          value.textContent = t('reg.ink.value', { pred: percentText(out[0]), actual: percentText(tr.ink) });
          value.dataset.pred = out[0];
          value.dataset.actual = tr.ink;
        } else {
          let k = 0;
          for (let i = 1; i < out.length; i++) if (out[i] > out[k]) k = i;
          value.textContent = t('reg.class.value', { name: ctx.className(k), pct: ctx.fmt.pct(out[k]), n: out.length });
        }
      } else {
        units.innerHTML = '';
        value.textContent = t('reg.noInput');
      }
      const r = runs[h.kind];
      f.querySelector('.reg-history tbody').innerHTML = r
        ? r.history.map((e, i) => `<tr><td>${i + 1}</td><td class="num mono">${lossText(e.loss)}</td><td class="num mono">${lossText(e.val_loss)}</td></tr>`).join('')
        : '';
    }
  }

  /**
   * publish tells the page the ink head's last layer and its one unit's
   * value on the current drawing (null without one): the layer strip shows
   * it beside the model's last layer (views/network).
   */
  function publish() {
    const d = info.ink;
    if (!d) return;
    const tr = ctx.state.prediction ? traces.ink : null;
    ctx.emit('regressHead', { layer: d.layers.at(-1), value: tr ? tr.trace.at(-1).output[0] : null, ink: tr ? tr.ink : null });
  }

  let busy = false;
  let again = false;
  async function trace() {
    const pred = ctx.state.prediction;
    if (!pred || !built) {
      publish();
      return render();
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      await built;
      for (const h of HEADS) traces[h.kind] = await ctx.request('sideTrace', { name: h.name, pixels: pred.input.pixels.slice() });
      render();
      publish();
    } catch (err) {
      fail(err);
    } finally {
      busy = false;
    }
    if (again) {
      again = false;
      trace();
    }
  }

  async function train() {
    if (training) return;
    training = true;
    $('.reg-train').disabled = true;
    $('.reg-error').hidden = true;
    try {
      await build();
      for (const h of HEADS) await ctx.request('sideTrain', { name: h.name, ...RUN });
      const left = new Set(HEADS);
      while (left.size) {
        for (const h of [...left]) {
          const r = await ctx.request('sideStep', { name: h.name, ms: 40 });
          runs[h.kind] = r;
          if (r.done) left.delete(h);
        }
        const r = runs.ink || runs.class;
        ctx.setText($('.reg-progress'), 'reg.progress', { epoch: Math.min(r.epoch + 1, r.epochs), epochs: r.epochs, batch: r.batch + 1, batches: r.batches });
        render();
      }
      ctx.setText($('.reg-progress'), 'reg.done', { n: n(runs.ink.samples) });
      await trace();
    } catch (err) {
      fail(err);
    } finally {
      training = false;
      $('.reg-train').disabled = false;
    }
  }

  $('.reg-train').addEventListener('click', train);
  ctx.on('engine', () => {
    if (ctx.state.engine === 'ready') build();
  });
  ctx.on('prediction', trace);
  ctx.on('lang', render);
  render();
  if (ctx.state.engine === 'ready') build();
}
