// Students count from 1: every text that names a filter, channel, row,
// column, unit, map or position by a placeholder gets it through nth().
// This test reads each panel's calls of such a text and checks that those
// placeholders are passed as nth(...) (or an already counted i + 1).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nth } from './count.js';

const views = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const WORDS = /\b(filter|channel|row|column|unit|map|index|position) \{(\w+)\}/g;

test('nth counts from 1', () => {
  assert.equal(nth(0), 1);
});

test('every numbered filter, channel, row and column is counted from 1', async () => {
  let checked = 0;
  for (const p of fs.readdirSync(views)) {
    const file = path.join(views, p, 'strings.js');
    if (!fs.existsSync(file)) continue;
    const { TEXTS } = await import(file);
    const sources = fs.readdirSync(path.join(views, p)).filter((f) => f.endsWith('.js') && f !== 'strings.js' && !f.endsWith('.test.js'))
      .map((f) => fs.readFileSync(path.join(views, p, f), 'utf8')).join('\n');
    for (const [key, text] of Object.entries(TEXTS.en)) {
      const names = [...text.matchAll(WORDS)].map((m) => m[2]);
      if (!names.length) continue;
      const calls = [...sources.matchAll(new RegExp(`'${key.replace(/\./g, '\\.')}'[^{;]*\\{([^}]*)\\}`, 'g'))];
      for (const [, obj] of calls) {
        for (const name of names) {
          const arg = new RegExp(`\\b${name}: ([\\w.]*\\()?(nth\\(|[\\w.]+ \\+ 1\\b)`);
          assert.match(obj, arg, `${p}: ${key} passes ${name} as nth(...): { ${obj.trim()} }`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked >= 10, `checked ${checked} placeholders`);
});
