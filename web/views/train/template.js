// template.js: the training panel's markup, DOM-free: a string of
// HTML with data-i18n keys (translated by ctx.translate) and the stable ids
// the tests use. Every knob has a label and a one-line explanation.

import { BOUNDS } from './format.js';

const NUMBERS = [
  ['learningRate', 'train-lr', 'train.lr', 'any'],
  ['momentum', 'train-momentum', 'train.momentum', 'any'],
  ['batchSize', 'train-batch', 'train.batch', '1'],
  ['epochs', 'train-epochs', 'train.epochs', '1'],
  ['subset', 'train-subset', 'train.subset', '1'],
  ['validationSubset', 'train-val-subset', 'train.valSubset', '1'],
  ['seed', 'train-seed', 'train.seed', '1'],
  ['workers', 'train-workers', 'train.workers', '1'],
  ['patience', 'train-patience', 'train.patience', '1'],
  ['minDelta', 'train-min-delta', 'train.minDelta', 'any'],
];
const CHECKS = [
  ['continueWeights', 'train-continue', 'train.continue'],
  ['validation', 'train-validation', 'train.validation'],
  ['checkpoint', 'train-checkpoint', 'train.checkpoint'],
  ['early', 'train-early', 'train.early'],
  ['restoreBest', 'train-restore', 'train.restoreBest'],
];

function numberKnob([name, id, key, step]) {
  const [lo, hi] = BOUNDS[name];
  return `<div class="knob" data-knob="${name}">
      <label for="${id}" data-i18n="${key}"></label>
      <input id="${id}" type="number" inputmode="decimal" min="${lo}" max="${hi}" step="${step}" data-setting="${name}">
      <p class="hint" id="${id}-hint" data-i18n="${key}.hint"></p>
    </div>`;
}

function checkKnob([name, id, key]) {
  return `<div class="knob check" data-knob="${name}">
      <label><input id="${id}" type="checkbox" data-setting="${name}" aria-describedby="${id}-hint"> <span data-i18n="${key}"></span></label>
      <p class="hint" id="${id}-hint" data-i18n="${key}.hint"></p>
    </div>`;
}

/** template is the panel's inner HTML. */
export function template() {
  const n = Object.fromEntries(NUMBERS.map((k) => [k[0], numberKnob(k)]));
  const c = Object.fromEntries(CHECKS.map((k) => [k[0], checkKnob(k)]));
  return `
  <h2 data-i18n="train.title"></h2>
  <p class="note" data-i18n="train.intro"></p>
  <form id="train-form" class="train-form" novalidate>
    <fieldset>
      <div class="knob" data-knob="model">
        <label for="train-model" data-i18n="train.model"></label>
        <select id="train-model" data-setting="model">
          <option value="small" data-i18n="train.model.small"></option>
          <option value="reference" data-i18n="train.model.reference"></option>
          <option value="custom" data-i18n="train.model.custom"></option>
        </select>
        <p class="hint" data-i18n="train.model.hint"></p>
      </div>
      ${c.continueWeights}
      <div class="knob" data-knob="optimizer">
        <label for="train-optimizer" data-i18n="train.optimizer"></label>
        <select id="train-optimizer" data-setting="optimizer">
          <option value="sgd" data-i18n="train.optimizer.sgd"></option>
          <option value="adam" data-i18n="train.optimizer.adam"></option>
          <option value="rmsprop" data-i18n="train.optimizer.rmsprop"></option>
        </select>
        <p class="hint" data-i18n="train.optimizer.hint"></p>
      </div>
      ${n.learningRate}${n.momentum}${n.batchSize}${n.epochs}${n.subset}${n.validationSubset}${n.seed}${n.workers}
      ${c.validation}
    </fieldset>
    <fieldset class="callbacks">
      <legend data-i18n="train.callbacks"></legend>
      ${c.checkpoint}${c.early}${n.patience}${n.minDelta}${c.restoreBest}
    </fieldset>
  </form>
  <p id="train-warning" class="note" hidden></p>
  <p id="train-error" class="note bad" role="alert" hidden></p>
  <div class="controls train-controls">
    <button type="button" id="train-start" class="primary" data-i18n="train.start"></button>
    <button type="button" id="train-pause" data-i18n="train.pause" disabled></button>
    <button type="button" id="train-step" data-i18n="train.step" data-i18n-attr="title:train.step.hint" disabled></button>
    <button type="button" id="train-stop" data-i18n="train.stop" disabled></button>
    <button type="button" id="train-reset" data-i18n="train.reset"></button>
  </div>
  <div class="train-progress">
    <progress id="train-progress" max="1" value="0"></progress>
    <p id="train-status" data-state="idle" data-epoch="0" data-batch="0" data-loss="" role="status" aria-live="polite"></p>
  </div>
  <p id="train-started" class="note" hidden></p>
  <p id="train-data" class="note" role="status" hidden></p>
  <ol id="train-log" class="train-log"></ol>
  <p id="train-result" class="note" hidden></p>`;
}
