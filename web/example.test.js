// Unit tests of example.js (node --test web/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExample } from './example.js';

const shipped = (name) => readFileSync(new URL(`./examples/${name}.json`, import.meta.url), 'utf8');

test('the shipped examples read as one 28x28 test image each', () => {
  for (const name of ['fashion', 'digits']) {
    const e = parseExample(shipped(name));
    assert.equal(e.image.length, 28 * 28, name);
    assert.ok(e.label >= 0 && e.label < 10, name);
    assert.ok(e.image.some((p) => p > 128), `${name} has ink`);
  }
});

test('a bad file is one clear line', () => {
  const good = JSON.parse(shipped('fashion'));
  const cases = [
    ['{', /^example: not JSON/],
    ['[]', /^example: want an object$/],
    ['null', /^example: want an object$/],
    [JSON.stringify({ ...good, split: 'train' }), /^example: split "train", want "test"$/],
    [JSON.stringify({ ...good, index: -1 }), /^example: index -1 is not a count from 0$/],
    [JSON.stringify({ ...good, label: 1.5 }), /^example: label 1.5 is not a count from 0$/],
    [JSON.stringify({ ...good, image: 'a!b=' }), /^example: image is not base64$/],
    [JSON.stringify({ ...good, image: 'abc' }), /^example: image is not base64$/],
    [JSON.stringify({ ...good, image: '' }), /^example: image is empty$/],
    [JSON.stringify({ ...good, image: 'A'.repeat(4 * 30000) }), /^example: image over 65536 pixels$/],
  ];
  for (const [text, want] of cases) assert.throws(() => parseExample(text), { message: want }, text.slice(0, 40));
});

test('random damage to a shipped file never gets past the checks unnoticed', () => {
  // A seeded fuzz: flip, cut or insert bytes; the result is an example or an Error, never another exception.
  let seed = 7;
  const rnd = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const base = shipped('digits');
  for (let i = 0; i < 2000; i++) {
    let s = base;
    for (let k = 0, m = 1 + rnd(4); k < m; k++) {
      const at = rnd(s.length);
      const op = rnd(3);
      if (op === 0) s = s.slice(0, at) + String.fromCharCode(32 + rnd(95)) + s.slice(at + 1);
      else if (op === 1) s = s.slice(0, at);
      else s = s.slice(0, at) + String.fromCharCode(32 + rnd(95)) + s.slice(at);
    }
    try {
      const e = parseExample(s);
      assert.ok(e.image instanceof Uint8Array && e.image.length > 0 && Number.isSafeInteger(e.index));
    } catch (err) {
      assert.ok(err instanceof Error && /^example: /.test(err.message), `${err.message} for ${JSON.stringify(s.slice(0, 60))}`);
    }
  }
});
