// The glossary's rules over every text: one translation per term, and the
// Chinese texts' spacing and quotes.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GLOSSARY, NAMES, term } from './glossary.js';

const web = path.dirname(new URL(import.meta.url).pathname);

async function allTexts() {
  const out = [];
  const views = path.join(web, 'views');
  for (const p of fs.readdirSync(views).sort()) {
    const f = path.join(views, p, 'strings.js');
    if (fs.existsSync(f)) out.push([p, (await import(f)).TEXTS]);
  }
  out.push(['bench', (await import(path.join(web, 'bench-strings.js'))).TEXTS]);
  return out;
}

const CJK = '\\u4e00-\\u9fff';
const PUNCT = '，。：；！？、（）“”《》';

test('a glossary term has one translation: no text uses a rejected one', async () => {
  for (const [p, T] of await allTexts()) {
    for (const [k, v] of Object.entries(T.zh)) {
      for (const g of GLOSSARY) for (const bad of g.not) assert.ok(!v.includes(bad), `${p}: ${k} says ${bad} for ${g.en}: the glossary says ${g.zh}`);
    }
  }
});

test('the glossary gives each English term one Chinese', () => {
  const seen = new Map();
  for (const g of GLOSSARY) {
    assert.ok(!seen.has(g.en), `${g.en} twice`);
    seen.set(g.en, g.zh);
    assert.ok(!g.not.includes(g.zh), g.en);
  }
});

test('Chinese texts: no stray spaces, no ASCII quotes, no English left where a term exists', async () => {
  const rules = [
    [new RegExp(` [${PUNCT}]`), 'a space before Chinese punctuation'],
    [new RegExp(`[${PUNCT}] `), 'a space after Chinese punctuation'],
    [new RegExp(`[${CJK}] +[${CJK}]`), 'a space between two Chinese characters'],
    [new RegExp(`"[${CJK}${PUNCT}]|[${CJK}${PUNCT}]"`), 'an ASCII quote beside Chinese: use “ ”'],
    [/\b(reference|original release|pretrained)\b/i, 'English left in a Chinese text'],
    [new RegExp(`[${CJK}] \\{(truth|pred)\\}|\\{(truth|pred)\\} [${CJK}]`), 'a space around a class name (Chinese in zh)'],
  ];
  for (const [p, T] of await allTexts()) {
    for (const [k, v] of Object.entries(T.zh)) {
      for (const [re, what] of rules) assert.doesNotMatch(v, re, `${p}: ${k}: ${what}: ${v}`);
    }
  }
});

test('term translates names from outside the texts', () => {
  assert.equal(term('Fashion-MNIST (2017 original release)', 'zh'), NAMES['Fashion-MNIST (2017 original release)']);
  assert.equal(term('Fashion-MNIST (2017 original release)', 'en'), 'Fashion-MNIST (2017 original release)');
  assert.equal(term('unknown', 'zh'), 'unknown');
});
