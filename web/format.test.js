// Unit tests of format.js, run by `make test-js`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { archText, count, dateText, esc, pct, shapeText } from './format.js';

test('numbers', () => {
  assert.equal(pct(0.90512), '90.51%');
  assert.equal(pct(1), '100.00%');
  assert.equal(count(55000), '55,000');
  assert.equal(count(0), '0');
});

test('archText: the layers on one line', () => {
  const small = {
    totalParams: 5258,
    layers: [
      { type: 'Conv2D', outShape: [26, 26, 8] },
      { type: 'MaxPooling2D', outShape: [13, 13, 8] },
      { type: 'Conv2DTranspose', outShape: [28, 28, 3] },
      { type: 'Flatten', outShape: [2352] },
      { type: 'Dense', outShape: [10] },
    ],
  };
  assert.equal(archText(small), 'Conv2D(8) → MaxPooling2D → Conv2DTranspose(3) → Flatten → Dense(10) · 5,258 parameters');
  assert.equal(archText({ totalParams: 0, layers: [{ type: 'Flatten', outShape: [4] }] }), 'Flatten · 0 parameters');
});

test('dateText: local time, zero-padded', () => {
  assert.equal(dateText(new Date(2026, 0, 5, 7, 3, 59).getTime()), '2026-01-05 07:03');
  assert.equal(dateText(new Date(2026, 10, 26, 21, 40).getTime()), '2026-11-26 21:40');
});

test('shapeText: 28×28×32, or 1,152 for a vector', () => {
  assert.equal(shapeText([28, 28, 32]), '28×28×32');
  assert.equal(shapeText([1152]), '1,152');
});

test('esc: HTML-safe text', () => {
  assert.equal(esc(`<a href="x">Tom's & co</a>`), '&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;');
  assert.equal(esc(3), '3');
});
