import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createURLState } from './urlstate.js';

function fakes(search = '') {
  const loc = { pathname: '/index.html', search, hash: '' };
  const calls = [];
  const hist = {
    state: null,
    replaceState(state, title, url) {
      calls.push(url);
      const q = url.indexOf('?');
      loc.search = q < 0 ? '' : url.slice(q, url.indexOf('#') < 0 ? undefined : url.indexOf('#'));
    },
  };
  return { loc, hist, calls };
}

test('get reads the query string', () => {
  const { loc, hist } = fakes('?lang=zh&layer=conv2d_1');
  const url = createURLState(loc, hist);
  assert.equal(url.get('lang'), 'zh');
  assert.equal(url.get('layer'), 'conv2d_1');
  assert.equal(url.get('nope'), null);
});

test('set replaces the history entry, keeping the other keys', () => {
  const { loc, hist, calls } = fakes('?lang=zh');
  const url = createURLState(loc, hist);
  url.set('conv', '0,3,4,1');
  assert.deepEqual(calls, ['/index.html?lang=zh&conv=0%2C3%2C4%2C1']);
  assert.equal(url.get('conv'), '0,3,4,1');
});

test('null, undefined and empty remove a key; the last one leaves a bare path', () => {
  const { loc, hist, calls } = fakes('?lang=zh&data=digits');
  const url = createURLState(loc, hist);
  url.set('lang', null);
  url.set('data', '');
  assert.deepEqual(calls, ['/index.html?data=digits', '/index.html']);
});

test('read and write go through the table of keys (urlkeys.js)', () => {
  const { loc, hist, calls } = fakes('?conv=0,3,4,2&scale=loud');
  const url = createURLState(loc, hist);
  assert.deepEqual(url.read('conv'), { layer: 0, y: 3, x: 4, filter: 2 });
  assert.equal(url.read('scale'), null, 'malformed');
  assert.equal(url.read('pool'), null, 'absent');
  url.write('pool', { layer: 2, channel: 5 });
  url.write('scale', 'layer'); // the default: left out
  url.write('conv', null);
  assert.deepEqual(calls, [
    '/index.html?conv=0%2C3%2C4%2C2&scale=loud&pool=2%2C5',
    '/index.html?conv=0%2C3%2C4%2C2&pool=2%2C5',
    '/index.html?pool=2%2C5',
  ]);
  assert.throws(() => url.read('nope'), /no URL key/);
  assert.throws(() => url.write('nope', 1), /no URL key/);
});

test('a table of one key', () => {
  const { loc, hist } = fakes('?n=7');
  const url = createURLState(loc, hist, [{ name: 'n', panel: 'test', parse: Number, format: String }]);
  assert.equal(url.read('n'), 7);
  assert.throws(() => url.read('conv'), /no URL key/);
});
