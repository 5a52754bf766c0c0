// Unit tests of offline.js's DOM-free part, the offline note's lines, run
// by `make test-js`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { offlineLines, keptLine } from './offline.js';
import { setLang, t } from './i18n.js';

const name = (dir) => ({ 'data/fashion/': 'Fashion-MNIST', 'data/digits/': 'MNIST' })[dir];
const text = (lines) => lines.map(([key, vars]) => t(key, vars)).join(' ');
const status = (datasets) => ({ build: 'b1', online: false, datasets });

test('online: no note, unless a new version waits', () => {
  setLang('en');
  assert.deepEqual(offlineLines({ online: true, controlled: true, status: status([{ dir: 'data/digits/', files: 24, cached: 0 }]) }, name), []);
  assert.equal(text(offlineLines({ online: true, controlled: true, update: true }, name)), 'A new version of the page is ready: it opens at your next visit.');
});

test('offline: runs from this device, and names the data sets not saved here', () => {
  setLang('en');
  const lines = offlineLines({ online: false, controlled: true, status: status([
    { dir: 'data/fashion/', files: 28, cached: 28 },
    { dir: 'data/digits/', files: 24, cached: 0 },
  ]) }, name);
  assert.equal(text(lines), 'Offline: the page runs from the copy saved on this device. Not saved here, so unavailable until the network is back: MNIST.');
  const partial = offlineLines({ online: false, controlled: true, status: status([
    { dir: 'data/fashion/', files: 28, cached: 1 },
    { dir: 'data/digits/', files: 24, cached: 0 },
  ]) }, name);
  assert.equal(text(partial), 'Offline: the page runs from the copy saved on this device. Not saved here, so unavailable until the network is back: Fashion-MNIST (1 of 28 files), MNIST.');
  assert.match(text(offlineLines({ online: false, controlled: true, status: status([{ dir: 'data/digits/', files: 1, cached: 0 }]) }, name)), /MNIST\.$/);
});

test('offline without a saved copy says so', () => {
  setLang('en');
  assert.equal(text(offlineLines({ online: false, controlled: false, status: null }, name)),
    'Offline: this page was not saved on this device, so what it has not loaded yet is unavailable.');
});

test('in Chinese', () => {
  setLang('zh');
  const lines = offlineLines({ online: false, controlled: true, status: status([
    { dir: 'data/fashion/', files: 28, cached: 3 },
    { dir: 'data/digits/', files: 24, cached: 0 },
  ]) }, name);
  assert.equal(text(lines), '离线：本页正在使用保存在这台设备上的副本。 以下内容没有保存在这里，联网后才能使用：Fashion-MNIST（28 个文件中的 3 个）、MNIST。');
  setLang('en');
});

test('the footer names the data sets kept whole, or nothing', () => {
  setLang('en');
  assert.equal(keptLine(null, name), null);
  assert.equal(keptLine(status([{ dir: 'data/fashion/', files: 28, cached: 27 }]), name), null);
  const both = keptLine(status([{ dir: 'data/fashion/', files: 28, cached: 28 }, { dir: 'data/digits/', files: 24, cached: 24 }]), name);
  assert.equal(t(...both), 'Saved on this device for offline use: Fashion-MNIST, MNIST.');
  setLang('zh');
  assert.equal(t(...keptLine(status([{ dir: 'data/fashion/', files: 28, cached: 28 }, { dir: 'data/digits/', files: 0, cached: 0 }]), name)), '已保存在这台设备上，可离线使用：Fashion-MNIST。');
  setLang('en');
});
