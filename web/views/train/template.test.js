import test from 'node:test';
import assert from 'node:assert/strict';
import { template } from './template.js';
import { TEXTS } from './strings.js';
import { DEFAULTS } from './format.js';

test('the panel has the stable ids, a control per setting and a known text for every key', () => {
  const html = template();
  for (const id of ['train-start', 'train-pause', 'train-stop', 'train-step', 'train-reset', 'train-status', 'train-progress', 'train-model']) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  for (const name of Object.keys(DEFAULTS)) assert.match(html, new RegExp(`data-setting="${name}"`), name);
  const keys = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]);
  for (const k of keys) {
    assert.ok(k in TEXTS.en, `en ${k}`);
    assert.ok(k in TEXTS.zh, `zh ${k}`);
  }
  // Every knob explains itself.
  const knobs = html.split('class="knob').length - 1;
  const hints = html.split('class="hint"').length - 1;
  assert.equal(hints, knobs);
});

test('every English text has its Chinese', () => {
  assert.deepEqual(Object.keys(TEXTS.en).filter((k) => !(k in TEXTS.zh)), []);
});
