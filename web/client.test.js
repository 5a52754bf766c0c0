// Unit tests of client.js, the page's DOM-free client of the engine's
// worker, run by `make test-js` (node --test web/). A fake port stands in
// for the Worker and fake timers for setTimeout, so nothing waits.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createClient, CRASH, WorkerError } from './client.js';
import { SILENCE_MS } from './protocol.js';

class FakePort {
  constructor() {
    this.sent = []; // [{msg, transfer}]
    this.listeners = {};
  }
  postMessage(msg, transfer) {
    this.sent.push({ msg, transfer });
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  fire(type, event) {
    for (const fn of this.listeners[type] || []) fn(event);
  }
  reply(msg) {
    this.fire('message', { data: msg });
  }
}

class FakeTimers {
  constructor() {
    this.next = 1;
    this.live = new Map(); // id -> {fn, ms}
  }
  setTimeout(fn, ms) {
    const id = this.next++;
    this.live.set(id, { fn, ms });
    return id;
  }
  clearTimeout(id) {
    this.live.delete(id);
  }
  fireAll() {
    const due = [...this.live.values()];
    this.live.clear();
    for (const t of due) t.fn();
  }
  /** fire runs the live timers set for ms milliseconds. */
  fire(ms) {
    for (const [id, t] of [...this.live]) {
      if (t.ms !== ms) continue;
      this.live.delete(id);
      t.fn();
    }
  }
  /** delays lists the live timers' delays, the silence check's aside. */
  delays() {
    return [...this.live.values()].map((t) => t.ms).filter((ms) => ms !== CHECK_MS);
  }
}

/** The client checks for silence this often. */
const CHECK_MS = SILENCE_MS / 4;

// setup makes a client over a fake port. Unless booted is false, the worker
// has already announced ready, so the boot timer is gone.
function setup({ booted = true, ...options } = {}) {
  const port = new FakePort();
  const timers = new FakeTimers();
  const client = createClient(port, { timers, ...options });
  if (booted) port.reply({ event: 'ready', version: { go: 'go1.26.8' } });
  const crashes = [];
  client.on(CRASH, (e) => {
    assert.equal(e.error, `the engine stopped: ${e.reason}`);
    crashes.push(e.error);
  });
  return { port, timers, client, crashes };
}

test('ids start at 1, increase and are never reused', () => {
  const { port, client } = setup();
  client.request('ping');
  client.request('version');
  client.request('ping', { id: 99, type: 'evil' }); // arguments cannot override id or type
  assert.deepEqual(
    port.sent.map((s) => s.msg),
    [
      { id: 1, type: 'ping' },
      { id: 2, type: 'version' },
      { id: 3, type: 'ping' },
    ],
  );
  port.reply({ id: 1, ok: true, result: 'pong' });
  client.request('ping');
  assert.equal(port.sent[3].msg.id, 4);
});

test('arguments and the transfer list are passed on', () => {
  const { port, client } = setup();
  const pixels = new Float32Array(4);
  client.request('predict', { pixels }, { transfer: [pixels.buffer] });
  assert.equal(port.sent[0].msg.pixels, pixels);
  assert.deepEqual(port.sent[0].transfer, [pixels.buffer]);
});

test('replies resolve their own request, in any order', async () => {
  const { port, client } = setup();
  const a = client.request('ping');
  const b = client.request('version');
  const c = client.request('buildModel', { preset: 'small' });
  assert.equal(client.pending, 3);
  port.reply({ id: 3, ok: true, result: { totalParams: 7 } });
  port.reply({ id: 1, ok: true, result: 'pong' });
  port.reply({ id: 2, ok: true, result: { go: 'go1.26.8' } });
  assert.deepEqual(await Promise.all([a, b, c]), ['pong', { go: 'go1.26.8' }, { totalParams: 7 }]);
  assert.equal(client.pending, 0);
});

test('an error reply rejects with a WorkerError naming the request', async () => {
  const { port, client } = setup();
  const p = client.request('buildModel', { spec: {} });
  port.reply({ id: 1, ok: false, error: 'nn: model has no input shape' });
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof WorkerError);
    assert.equal(err.type, 'buildModel');
    assert.equal(err.message, 'nn: model has no input shape');
    return true;
  });
});

test('unknown, duplicate and malformed replies are ignored', async () => {
  const { port, client, crashes } = setup();
  const p = client.request('ping');
  port.reply({ id: 42, ok: true, result: 'stray' });
  port.reply(null);
  port.reply('text');
  port.reply({ ok: true });
  assert.equal(client.pending, 1);
  port.reply({ id: 1, ok: true, result: 'pong' });
  port.reply({ id: 1, ok: false, error: 'second reply' }); // exactly one reply counts
  assert.equal(await p, 'pong');
  assert.equal(client.pending, 0);
  assert.deepEqual(crashes, []);
});

test('ready resolves with the version; events reach every subscriber until unsubscribed', async () => {
  const { port, client } = setup({ booted: false });
  const seen = [];
  const off = client.on('ready', (e) => seen.push(['a', e.version.go]));
  client.on('ready', (e) => seen.push(['b', e.version.go]));
  port.reply({ event: 'ready', version: { go: 'go1.26.8' } });
  assert.deepEqual(await client.ready, { go: 'go1.26.8' });
  off();
  port.reply({ event: 'ready', version: { go: 'again' } });
  assert.deepEqual(seen, [
    ['a', 'go1.26.8'],
    ['b', 'go1.26.8'],
    ['b', 'again'],
  ]);
});

test('a worker error event is a crash: pending and later requests reject', async () => {
  const { port, client, crashes } = setup({ booted: false });
  const a = client.request('ping');
  const b = client.request('version');
  let prevented = false;
  port.fire('error', { message: 'importScripts failed', preventDefault: () => (prevented = true) });
  assert.ok(prevented);
  await assert.rejects(a, /the engine stopped: worker error: importScripts failed/);
  await assert.rejects(b, /the engine stopped/);
  await assert.rejects(client.ready, /the engine stopped/);
  await assert.rejects(client.request('ping'), /the engine stopped/);
  assert.equal(port.sent.length, 2, 'nothing is sent to a dead worker');
  assert.deepEqual(crashes, ['the engine stopped: worker error: importScripts failed']);
  assert.ok(client.crashed instanceof Error);
});

test('a fatal event is a crash, reported once', async () => {
  const { port, client, crashes } = setup();
  const p = client.request('ping');
  port.reply({ event: 'fatal', error: 'the engine exited (code 2)' });
  port.fire('error', { message: 'later' });
  port.reply({ id: 1, ok: true, result: 'pong' }); // too late: already rejected
  await assert.rejects(p, /the engine exited \(code 2\)/);
  assert.deepEqual(crashes, ['the engine stopped: the engine exited (code 2)']);
});

test('a request without a reply within timeoutMs is a crash', async () => {
  const { port, timers, client, crashes } = setup({ timeoutMs: 500 });
  const answered = client.request('ping');
  const hung = client.request('predict');
  assert.deepEqual(timers.delays(), [500, 500]);
  port.reply({ id: 1, ok: true, result: 'pong' });
  assert.equal(await answered, 'pong');
  assert.deepEqual(timers.delays(), [500], 'a reply clears its timer');
  timers.fireAll();
  await assert.rejects(hung, /no reply to predict \(request 2\) within 500 ms/);
  assert.equal(crashes.length, 1);
});

test('a request may wait longer than timeoutMs', async () => {
  const { port, timers, client } = setup({ timeoutMs: 500 });
  const p = client.request('evaluate', {}, { timeoutMs: 120000 });
  client.request('ping');
  assert.deepEqual(timers.delays(), [120000, 500]);
  port.reply({ id: 1, ok: true, result: 'done' });
  assert.equal(await p, 'done');
});

test('no ready event within bootTimeoutMs is a crash', async () => {
  const { timers, client, crashes } = setup({ booted: false, bootTimeoutMs: 900 });
  assert.deepEqual([...timers.live.values()].map((t) => t.ms), [900]);
  const p = client.request('ping', {}, { timeoutMs: 5000 });
  timers.live.get(1).fn(); // the boot timer fires first
  await assert.rejects(client.ready, /did not start within 900 ms/);
  await assert.rejects(p, /did not start within 900 ms/);
  assert.deepEqual(crashes, ['the engine stopped: the engine did not start within 900 ms']);
  assert.equal(timers.live.size, 0, 'the crash cleared every timer');
});

test('the ready event clears the boot timer and starts the silence check', () => {
  const { port, timers } = setup({ booted: false });
  assert.deepEqual([...timers.live.values()].map((t) => t.ms), [120000]);
  port.reply({ event: 'ready', version: {} });
  assert.deepEqual([...timers.live.values()].map((t) => t.ms), [CHECK_MS]);
  port.reply({ event: 'ready', version: {} }); // a second ready starts no second check
  assert.equal(timers.live.size, 1);
});

// clocked sets up a client whose clock the test moves: clock.at = ms;
// options (locks) go to createClient.
function clocked(options = {}) {
  const clock = { at: 0 };
  const env = setup({ now: () => clock.at, ...options });
  return { ...env, clock, check: (at) => ((clock.at = at), env.timers.fire(CHECK_MS)) };
}

/** pings lists the ids of the pings the client sent on its own (not requests it awaits). */
const pings = (port, client) => port.sent.filter((s) => s.msg.type === 'ping').map((s) => s.msg.id);

test('a worker silent for silenceMs is pinged, and is dead when that gets no answer within silenceMs / 2', async () => {
  const { port, client, crashes, clock, check } = clocked();
  const p = client.request('stop');
  check(1000);
  clock.at = 1500;
  port.reply({ event: 'alive' });
  for (const at of [2000, 3000, 4000, 5000]) check(at);
  assert.deepEqual(crashes, [], 'silent for 3.5 s: not yet');
  clock.at = 5400;
  port.reply('not even an object'); // still a sign of life
  for (const at of [6000, 7000, 8000, 9000]) check(at);
  assert.deepEqual(pings(port), []);
  check(9500); // 4.1 s after the last message: asked, not judged
  assert.equal(pings(port).length, 1, 'a ping');
  assert.equal(client.pending, 1, 'the ping is not a pending request');
  check(10500);
  check(11500);
  assert.deepEqual(crashes, [], 'the ping has silenceMs / 2 to be answered');
  check(12000);
  assert.equal(crashes.length, 1);
  assert.match(crashes[0], /the engine stopped: no sign of life for 4 s/);
  await assert.rejects(p, /no sign of life/);
  assert.equal(client.pending, 0);
});

test('a late silence check judges nothing: the page, not the worker, was stalled', () => {
  const { port, crashes, clock, check } = clocked();
  check(30000); // this thread was busy for 30 s; the worker's messages may be queued
  assert.deepEqual(crashes, []);
  assert.deepEqual(pings(port), [], 'nor asks anything');
  clock.at = 30100;
  port.reply({ event: 'alive' });
  check(31000);
  assert.deepEqual(crashes, []);
  for (const at of [32000, 33000, 34000, 35000, 36000, 37000]) check(at);
  assert.deepEqual(crashes, [], 'asked at 35 s');
  check(37500);
  assert.equal(crashes.length, 1, 'then silence counts again');
});

test('the crash event says what kind of crash it was', () => {
  const kinds = [];
  for (const [what, fire] of [
    ['error', ({ port }) => port.fire('error', { message: 'x' })],
    ['fatal', ({ port }) => port.reply({ event: 'fatal', error: 'exited' })],
    ['messageerror', ({ port }) => port.fire('messageerror', {})],
    ['timeout', ({ timers, client }) => (client.request('ping').catch(() => {}), timers.fire(60000))],
    ['silent', ({ check }) => [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000].forEach(check)],
  ]) {
    const env = clocked();
    env.client.on(CRASH, (e) => kinds.push([what, e.kind]));
    fire(env);
  }
  assert.deepEqual(kinds, [
    ['error', 'error'],
    ['fatal', 'fatal'],
    ['messageerror', 'messageerror'],
    ['timeout', 'timeout'],
    ['silent', 'silent'],
  ]);
});

// tables reads the tables in a source file's opening comment, as
// wasm/protocol_test.go does: a table starts with a header row after a
// blank comment line and runs to the next one; rows are indented with a
// tab after "//" and returned as their fields.
