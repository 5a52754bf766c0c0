// Unit tests of urlkeys.js: the table of URL keys. Links people have shared
// must keep working, so each key's text form is pinned: the example parses
// and formats back to itself, and a few shared links parse to the values
// the views expect.
import test from 'node:test';
import assert from 'node:assert/strict';
import { URL_KEYS, urlKey } from './urlkeys.js';
import { DEFAULTS } from './views/train/format.js';

test('the table: nineteen keys, each named once, with an owner, a parse and a format', () => {
  assert.deepEqual(URL_KEYS.map((k) => k.name), ['lang', 'data', 'model', 'img', 'layer', 'scale', 'conv', 'sandbox', 'pool', 'arch', 'train', 'dvc', 'why', 'whycls', 'whycam', 'whyocc', 'whymax', 'whygal', 'scene']);
  for (const k of URL_KEYS) {
    assert.equal(typeof k.panel, 'string', k.name);
    assert.equal(typeof k.parse, 'function', k.name);
    assert.equal(typeof k.format, 'function', k.name);
  }
  assert.throws(() => urlKey('nope'), /no URL key "nope"/);
});

test('each example parses and formats back to itself', () => {
  for (const k of URL_KEYS) {
    const v = k.parse(k.example);
    assert.notEqual(v, null, `${k.name}=${k.example} parses`);
    assert.equal(k.format(v), k.example, k.name);
  }
});

test('the values the views get from shared links', () => {
  const read = (name, text) => urlKey(name).parse(text);
  assert.equal(read('lang', 'zh'), 'zh');
  assert.equal(read('lang', 'fr'), null);
  assert.equal(read('img', '4321'), 4321);
  assert.equal(read('img', '-1'), null);
  assert.equal(read('img', 'x'), null);
  assert.equal(read('layer', 'conv2d_1'), 'conv2d_1');
  assert.equal(read('scale', 'map'), 'map');
  assert.equal(read('scale', 'loud'), null);
  assert.deepEqual(read('conv', '0,3,4,2'), { layer: 0, y: 3, x: 4, filter: 2 });
  assert.equal(read('conv', '0,3,4'), null);
  assert.deepEqual(read('sandbox', '16,3,1,same'), { n: 16, k: 3, s: 1, padding: 'same', p: 0 });
  assert.equal(read('sandbox', '28,3,1,same'), null, 'beyond the controls');
  assert.deepEqual(read('sandbox', '9,3,2,1'), { n: 9, k: 3, s: 2, padding: 'explicit', p: 1 });
  assert.deepEqual(read('pool', '2,5'), { layer: 2, channel: 5 });
  assert.equal(read('pool', '2'), null);
  const spec = read('arch', 'C8.3.1.s.relu_M2.2_F_D10.softmax');
  assert.deepEqual(spec.layers.map((l) => l.type), ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
  assert.equal(read('arch', 'Z9'), null);
  const train = read('train', 'm=custom,lr=0.05,zz=3');
  assert.equal(train.model, 'custom');
  assert.equal(train.learningRate, 0.05);
  assert.equal(train.epochs, DEFAULTS.epochs, 'what does not parse keeps its default');
  assert.deepEqual(read('dvc', '5000,0,2,3'), { n: 5000, dx: 0, dy: 2, unit: 3 });
  assert.equal(read('dvc', '5000,0,2'), null);
  assert.equal(read('why', 'fool'), 'fool');
  assert.equal(read('why', 'gallery'), null);
  assert.equal(read('whycls', '7'), 7);
  assert.deepEqual(read('whyocc', '8,4'), { patch: 8, stride: 4 });
  assert.equal(read('whyocc', '3,2'), null, 'not a patch the controls offer');
  assert.deepEqual(read('whymax', 'c,9'), { cls: 9 });
  assert.deepEqual(read('whymax', '0,0'), { layer: 0, filter: 0 });
});

test('defaults are left out of the link', () => {
  assert.equal(urlKey('data').format('fashion'), null);
  assert.equal(urlKey('scale').format('layer'), null);
  assert.equal(urlKey('whyocc').format({ patch: 4, stride: 2 }), null);
  assert.equal(urlKey('train').format({ ...DEFAULTS }), null);
  assert.equal(urlKey('dvc').format({ n: 500, dx: 3, dy: 0, unit: 1 }), null);
});
