// Unit tests of protocol.js: its tables against its constants and against
// wasm/protocol.go's copy, and how the page starts the leader. Run by
// `make test-js` (node --test web/).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REQUESTS, EVENTS, HELPER_MESSAGES, GLOBALS, SLOT, SLOT_INTS, HELPER_STATE, HEARTBEAT_MS, SILENCE_MS, ENGINE_BOOT, LEADER_GIVEN_ENGINE, FORMATS_OPS, downloadEngine } from './protocol.js';

const KINDS = ['request', 'event', 'message', 'global', 'region', 'slot', 'state', 'timing', 'formats'];
function tables(source) {
  const out = {};
  let section = null;
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) {
      if (Object.keys(out).length) break;
      continue;
    }
    const text = line.slice(2);
    const fields = text.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0 || !text.startsWith('\t')) section = null;
    else if (section === null && KINDS.includes(fields[0])) out[(section = fields[0])] = [];
    else if (section !== null) out[section].push(fields);
  }
  return out;
}

const ownTables = () => tables(readFileSync(new URL('./protocol.js', import.meta.url), 'utf8'));
const names = (rows) => rows.map((r) => r[0]);

test('the table lists exactly REQUESTS and EVENTS', () => {
  const t = ownTables();
  assert.deepEqual(names(t.request), REQUESTS);
  assert.deepEqual(names(t.event), EVENTS);
  assert.deepEqual(names(t.formats), FORMATS_OPS);
});

test('the helper channel\'s constants are the tables\'', () => {
  const t = ownTables();
  assert.deepEqual(Object.fromEntries(t.slot.map((r) => [r[0], Number(r[1])])), SLOT);
  assert.deepEqual(names(t.slot), Object.keys(SLOT), 'in order');
  assert.equal(SLOT_INTS, t.slot.length);
  assert.deepEqual(Object.fromEntries(t.state.map((r) => [r[0], Number(r[1])])), HELPER_STATE);
  const setBy = {};
  for (const [name, by] of t.global) (setBy[by] ||= []).push(name);
  assert.deepEqual(setBy, GLOBALS);
  const leaderToHelper = t.message.filter((r) => r.slice(1, 4).join(' ') === 'leader -> helper').map((r) => r[0]);
  assert.deepEqual(leaderToHelper, [...HELPER_MESSAGES, 'debugExit']);
  for (const [name] of t.message) assert.ok(HELPER_MESSAGES.includes(name) || REQUESTS.includes(name) || EVENTS.includes(name) || name === ENGINE_BOOT, name);
  assert.deepEqual(t.message.filter((r) => r[2] === '->' && r[1] === 'page').map((r) => r[0]), [ENGINE_BOOT]);
  assert.ok(t.message.find((r) => r[0] === ENGINE_BOOT).join(' ').includes(`"${LEADER_GIVEN_ENGINE}"`), 'the row names the leader');
  const ms = Object.fromEntries(t.timing.map((r) => [r[0], Number(r[1])]));
  assert.equal(ms.heartbeat, HEARTBEAT_MS);
  assert.equal(ms.silence, SILENCE_MS);
  assert.ok(HEARTBEAT_MS * 4 <= SILENCE_MS, 'several beats fit in the silence');
});

test('the table is the same as wasm/protocol.go', () => {
  // The Go file's opening comment (after its build line) is the shared
  // text; protocol.js must open with the same lines.
  const js = readFileSync(new URL('./protocol.js', import.meta.url), 'utf8').split('\n');
  const go = readFileSync(new URL('../wasm/protocol.go', import.meta.url), 'utf8').split('\n');
  const start = go.findIndex((l, i) => i > 0 && l.startsWith('//'));
  const end = go.findIndex((l, i) => i > start && !l.startsWith('//'));
  const shared = go.slice(start, end);
  assert.ok(shared.length > 20, 'found the table in wasm/protocol.go');
  assert.deepEqual(tables(js.join('\n')), tables(shared.join('\n')));
  assert.deepEqual(Object.keys(tables(shared.join('\n'))), KINDS);
  assert.deepEqual(js.slice(0, shared.length), shared);
});

test('downloadEngine fetches the engine\'s bytes, or says in one line what went wrong', async () => {
  const fetched = [];
  const bytes = await downloadEngine({ fetch: async (u) => (fetched.push(u), { ok: true, status: 200, arrayBuffer: async () => new ArrayBuffer(8) }) });
  assert.equal(bytes.byteLength, 8);
  assert.deepEqual(fetched, ['convplay.wasm']);
  await assert.rejects(downloadEngine({ fetch: async () => ({ ok: false, status: 404 }) }), { message: 'convplay.wasm: HTTP 404 (run make wasm)' });
});
