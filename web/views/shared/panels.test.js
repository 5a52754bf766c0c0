// The house rules of web/views, checked over every panel folder: a panel
// <p> is views/<p>/ with its module <p>.js, its stylesheet <p>.css (linked
// from index.html for the first prediction's views, by app.js for the
// others as they mount) and its texts in strings.js, exported as TEXTS = {en, zh}
// and registered with ctx.strings(TEXTS). Every text exists in English and
// Chinese with the same placeholders; a panel's keys share one prefix that
// no other panel uses; and no panel imports another panel's files (what
// several share is in views/shared).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIRST, viewStyle } from '../../mount.js';

const views = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const panels = fs.readdirSync(views, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => d.name)
  .sort();
// A placeholder is {name} or a plural choice {name:one=...|other=...} (i18n.js's fill).
const placeholders = (s) => [...new Set([...s.matchAll(/\{(\w+)(?::[^{}]*)?\}/g)].map((m) => m[1]))].sort();

test('there are panels', () => {
  assert.ok(panels.length >= 15, panels.join());
});

test('each panel has its module, its stylesheet (index.html links the first views\' own) and its strings', () => {
  const html = fs.readFileSync(path.join(views, '..', 'index.html'), 'utf8');
  for (const p of panels) {
    for (const f of [`${p}.js`, `${p}.css`, 'strings.js']) assert.ok(fs.existsSync(path.join(views, p, f)), `${p}/${f}`);
    // index.html links the first prediction's views' stylesheets; app.js the others' as they mount (mount.js).
    assert.equal(html.includes(`href="views/${p}/${p}.css"`), FIRST.includes(p), `index.html links views/${p}/${p}.css only for the first views`);
    assert.equal(viewStyle(p), `views/${p}/${p}.css`);
    const src = fs.readFileSync(path.join(views, p, `${p}.js`), 'utf8');
    assert.match(src, /import \{ TEXTS \} from '\.\/strings\.js';/, `${p}.js imports its strings`);
    assert.match(src, /ctx\.strings\(TEXTS\)/, `${p}.js registers its strings`);
  }
});

test('every text in English and Chinese, one prefix per panel, no key in two panels', async () => {
  const owner = new Map(); // prefix -> panel
  for (const p of panels) {
    const { TEXTS } = await import(path.join(views, p, 'strings.js'));
    const en = Object.keys(TEXTS.en);
    assert.ok(en.length > 0, p);
    assert.deepEqual(Object.keys(TEXTS.zh).sort(), [...en].sort(), `${p}: the same keys in en and zh`);
    const prefixes = new Set(en.map((k) => k.split('.')[0]));
    assert.equal(prefixes.size, 1, `${p}: one prefix, got ${[...prefixes]}`);
    const [prefix] = prefixes;
    assert.ok(!owner.has(prefix), `${p} and ${owner.get(prefix)} share the prefix ${prefix}`);
    owner.set(prefix, p);
    for (const key of en) {
      assert.ok(TEXTS.en[key].trim() && TEXTS.zh[key].trim(), `${p}: ${key} is empty`);
      assert.deepEqual(placeholders(TEXTS.zh[key]), placeholders(TEXTS.en[key]), `${p}: ${key}'s placeholders`);
    }
  }
});

test('no panel imports another panel\'s files', () => {
  const imp = /(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const p of [...panels, 'shared']) {
    for (const f of fs.readdirSync(path.join(views, p)).filter((n) => n.endsWith('.js'))) {
      const src = fs.readFileSync(path.join(views, p, f), 'utf8');
      for (const [, spec] of src.matchAll(imp)) {
        const target = path.relative(views, path.resolve(views, p, spec));
        const top = target.split(path.sep)[0];
        const ok = top === p || top === 'shared' || top === '..';
        assert.ok(ok, `${p}/${f} imports ${spec}`);
      }
    }
  }
});
