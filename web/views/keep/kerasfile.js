// kerasfile.js: loading a Keras model file (.h5, .keras) in the keep panel.
// The engine reads and checks the file (loadKeras); when the file does not
// say what its model expects as input, the panel asks once (#keras-ask),
// offers a check of each answer on test images (kerasAccuracy: the engine's
// accuracy), and loads the file with the answer chosen. A refused file, or
// a question cancelled, leaves the model as it was.

import { INPUT_ANSWERS, CHECK_SAMPLES, bestAnswer, loadedParts } from './modelfile.js';

/**
 * createKerasFile mounts the question into host. say(key, vars, bad,
 * extra) and refuse(err) write the panel's status; act(fn) runs one action
 * at a time.
 */
export function createKerasFile(ctx, host, { say, refuse, act }) {
  const { fmt } = ctx;
  const box = document.createElement('fieldset');
  box.id = 'keras-ask';
  box.className = 'keras-ask';
  box.hidden = true;
  box.innerHTML = `
    <legend id="keras-ask-title"></legend>
    <p class="note" data-i18n="keep.kq.why"></p>
    <div class="keras-answers">
      ${INPUT_ANSWERS.map((a) => `
      <label class="keras-answer" data-answer="${a}">
        <input type="radio" name="keras-input" value="${a}">
        <span data-i18n="keep.kq.${a}" data-i18n-vars="{}"></span>
        <span class="keras-acc" data-answer="${a}" aria-live="polite"></span>
      </label>`).join('')}
    </div>
    <div class="controls">
      <button id="keras-check" type="button" data-i18n="keep.kq.check" data-i18n-vars='{"n":"${fmt.count(CHECK_SAMPLES)}"}'></button>
      <button id="keras-use" type="button" data-i18n="keep.kq.use" disabled></button>
      <button id="keras-cancel" type="button" data-i18n="keep.kq.cancel"></button>
    </div>`;
  host.append(box);
  const $ = (sel) => box.querySelector(sel);
  let pending = null; // {bytes, name, results}: the file asked about

  const chosen = () => {
    const r = box.querySelector('input[name=keras-input]:checked');
    return r ? r.value : null;
  };

  /** showStats writes the data set's mean and std into the standardized answer. */
  function showStats() {
    const info = ctx.state.dataset.info;
    const span = box.querySelector('[data-i18n="keep.kq.standardized"]');
    ctx.setText(span, 'keep.kq.standardized', { mean: info ? info.mean.toFixed(2) : '?', std: info ? info.std.toFixed(2) : '?' });
  }

  function showResults() {
    const results = pending ? pending.results : {};
    const best = bestAnswer(results);
    for (const a of INPUT_ANSWERS) {
      const el = box.querySelector(`.keras-acc[data-answer="${a}"]`);
      const r = results[a];
      el.classList.toggle('best', a === best);
      if (!r) {
        el.textContent = '';
        delete el.dataset.accuracy;
      } else if (r instanceof Error) {
        ctx.setText(el, 'keep.kq.checkFailed', { detail: r.message });
      } else {
        el.dataset.accuracy = String(r.accuracy);
        ctx.setText(el, a === best ? 'keep.kq.accBest' : 'keep.kq.acc', { acc: fmt.pct(r.accuracy), n: fmt.count(r.samples) });
      }
    }
  }

  function close() {
    pending = null;
    box.hidden = true;
    for (const r of box.querySelectorAll('input[name=keras-input]')) r.checked = false;
    showResults();
  }

  function loaded(model, name) {
    close();
    ctx.setModel(model, { kind: 'file', label: name });
    const [[key, vars], ...extra] = loadedParts(model.keras, name, model.layers.length);
    say(key, vars, false, extra);
  }

  /** open reads a Keras file: loads it, or asks what its input is. */
  async function open(bytes, name) {
    let r;
    try {
      r = await ctx.request('loadKeras', { bytes });
    } catch (err) {
      refuse(err);
      return;
    }
    if (!r.needsInput) {
      loaded(r, name);
      return;
    }
    pending = { bytes, name, info: r.keras, results: {}, data: ctx.state.dataset.name };
    ctx.setText($('#keras-ask-title'), 'keep.kq.title', { file: name });
    showStats();
    showResults();
    $('#keras-use').disabled = true;
    box.hidden = false;
    say('keep.kq.asked', { file: name, format: r.keras.format });
    box.scrollIntoView({ block: 'nearest' });
  }

  /** check evaluates each answer in turn (one request each, run in slices: the engine answers others meanwhile). */
  async function check() {
    const p = pending;
    if (!p) return;
    p.results = {};
    showResults();
    for (const input of INPUT_ANSWERS) {
      try {
        p.results[input] = await ctx.request('kerasAccuracy', { bytes: p.bytes, input, samples: CHECK_SAMPLES }, { timeoutMs: 600000 });
      } catch (err) {
        p.results[input] = err;
      }
      if (pending !== p) return;
      showResults();
    }
    const best = bestAnswer(p.results);
    if (best && !chosen()) {
      box.querySelector(`input[value="${best}"]`).checked = true;
      $('#keras-use').disabled = false;
    }
    say(best ? 'keep.kq.checked' : 'keep.kq.checkNone', { best: best ? ctx.t(`keep.kq.${best}.short`) : '' }, !best);
  }

  async function use() {
    const p = pending;
    const input = chosen();
    if (!p || !input) return;
    let model;
    try {
      model = await ctx.request('loadKeras', { bytes: p.bytes, input });
    } catch (err) {
      refuse(err);
      return;
    }
    loaded(model, p.name);
  }

  box.addEventListener('change', () => {
    $('#keras-use').disabled = !chosen();
  });
  $('#keras-check').addEventListener('click', () => act(check));
  $('#keras-use').addEventListener('click', () => act(use));
  $('#keras-cancel').addEventListener('click', () => {
    const name = pending && pending.name;
    close();
    say('keep.kq.cancelled', { file: name || '' });
  });
  ctx.on('dataset', () => {
    // Another data set: the answers' figures were the old one's. (Not each
    // chunk of the same set arriving, which also sends 'dataset'.)
    if (pending && ctx.state.dataset.name !== pending.data) close();
  });
  ctx.on('lang', showResults);
  ctx.translate(box);

  return {
    open,
    /** setDisabled turns the question's buttons off while another action runs. */
    setDisabled(off) {
      $('#keras-check').disabled = off;
      $('#keras-use').disabled = off || !chosen();
    },
    pending: () => pending && { name: pending.name, results: { ...pending.results } },
  };
}
