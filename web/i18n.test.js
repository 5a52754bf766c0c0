import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strings, t, setLang, getLang, pickLang, has, keys, translate } from './i18n.js';

strings({
  en: { 'test.hello': 'Hello, {name}!', 'test.only': 'English only', 'test.title': 'A title' },
  zh: { 'test.hello': '你好，{name}！', 'test.title': '标题' },
});

test('t fills placeholders in the current language', () => {
  setLang('en');
  assert.equal(t('test.hello', { name: 'Ada' }), 'Hello, Ada!');
  setLang('zh');
  assert.equal(t('test.hello', { name: 'Ada' }), '你好，Ada！');
  assert.equal(getLang(), 'zh');
  setLang('en');
});

test('a placeholder without a value stays visible, an unknown key shows itself', () => {
  assert.equal(t('test.hello'), 'Hello, {name}!');
  assert.equal(t('test.nope'), 'test.nope');
});

test('a key missing in Chinese falls back to English and warns once', () => {
  const warnings = [];
  const warn = console.warn;
  console.warn = (m) => warnings.push(m);
  try {
    setLang('zh');
    assert.equal(t('test.only'), 'English only');
    assert.equal(t('test.only'), 'English only');
  } finally {
    console.warn = warn;
    setLang('en');
  }
  assert.deepEqual(warnings, ['i18n: no zh text for test.only']);
  assert.equal(has('test.only', 'zh'), false);
  assert.ok(keys('en').includes('test.only'));
});

test('setLang refuses an unknown language', () => {
  assert.throws(() => setLang('fr'), /unknown language "fr"/);
  assert.equal(getLang(), 'en');
});

test('pickLang takes the first supported browser language', () => {
  assert.equal(pickLang(['zh-CN', 'en-US']), 'zh');
  assert.equal(pickLang(['fr-FR', 'zh-TW', 'en']), 'zh');
  assert.equal(pickLang(['en-GB']), 'en');
  assert.equal(pickLang(['de']), 'en');
  assert.equal(pickLang([]), 'en');
});

test('translate sets texts and attributes by key, with JSON placeholders', () => {
  // A tiny stand-in for DOM elements: what translate touches.
  const el = (dataset) => ({ dataset, textContent: '', attrs: {}, setAttribute(k, v) { this.attrs[k] = v; } });
  const a = el({ i18n: 'test.hello', i18nVars: '{"name":"Grace"}' });
  const b = el({ i18nAttr: 'title:test.title; aria-label:test.hello', i18nVars: '{"name":"Lin"}' });
  const root = {
    matches: () => false,
    querySelectorAll: (sel) => (sel === '[data-i18n]' ? [a] : [b]),
  };
  setLang('zh');
  translate(root);
  setLang('en');
  assert.equal(a.textContent, '你好，Grace！');
  assert.deepEqual(b.attrs, { title: '标题', 'aria-label': '你好，Lin！' });
});

test('plural forms follow Intl.PluralRules', async () => {
  const { fill } = await import('./i18n.js');
  const s = 'differs in {count:one=# way|other=# ways}';
  assert.equal(fill(s, { count: 1 }, 'en'), 'differs in 1 way');
  assert.equal(fill(s, { count: 3 }, 'en'), 'differs in 3 ways');
  assert.equal(fill(s, { count: 0 }, 'en'), 'differs in 0 ways');
  assert.equal(fill('{n:one=its one channel|other=all # channels}', { n: '1,024' }, 'en'), 'all 1,024 channels');
  assert.equal(fill('{n:one=its one channel|other=all # channels}', { n: 1 }, 'en'), 'its one channel');
  assert.equal(fill('{n:other=# 处} {x}', { n: 1, x: 'y' }, 'zh'), '1 处 y');
  assert.equal(fill('{n:one=a|other=b}', {}, 'en'), '{n:one=a|other=b}', 'a missing value stays visible');
});

test('no English text writes a plural as "(s)"', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const views = new URL('./views/', import.meta.url).pathname;
  for (const p of fs.readdirSync(views)) {
    const file = path.join(views, p, 'strings.js');
    if (!fs.existsSync(file)) continue;
    const { TEXTS } = await import(file);
    for (const [k, v] of Object.entries(TEXTS.en)) {
      assert.doesNotMatch(v, /\w\(s\)/, `${p}: ${k}`);
      assert.doesNotMatch(v, /\{\w+:[^}]*\{/, `${p}: ${k}: a plural form may not hold a placeholder (use #)`);
    }
  }
});
