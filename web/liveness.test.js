// Unit tests of liveness.js, the silence watch, with fake timers, a fake
// clock and a fake lock manager (protocol.test.js tests it through
// createClient).
import test from 'node:test';
import assert from 'node:assert/strict';
import { watchLiveness } from './liveness.js';

const SILENCE = 4000;
const EVERY = SILENCE / 4;

// watching starts a watch whose clock and one timer the test moves:
// check(at) sets the clock to at and runs the pending check.
function watching(locks) {
  const clock = { at: 0 };
  let next = null;
  const timers = {
    setTimeout: (fn, ms) => ((next = { fn, ms }), 1),
    clearTimeout: () => (next = null),
  };
  const env = { clock, pings: 0, deaths: [] };
  env.watch = watchLiveness({ silenceMs: SILENCE, timers, now: () => clock.at, locks, ping: () => env.pings++, dead: (r) => env.deaths.push(r) });
  env.check = (at) => {
    clock.at = at;
    const t = next;
    next = null;
    assert.equal(t && t.ms, EVERY, 'a check is due');
    t.fn();
  };
  env.pending = () => next !== null;
  env.watch.start();
  return env;
}

/** settle lets the lock manager's promises run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

// fakeLocks is a lock manager whose held locks the test sets; answer:
// 'never' leaves its queries unanswered, 'fail' rejects them.
function fakeLocks(answer = 'yes') {
  const locks = {
    held: new Set(),
    queries: 0,
    query() {
      locks.queries++;
      if (answer === 'never') return new Promise(() => {});
      if (answer === 'fail') return Promise.reject(new Error('SecurityError'));
      return Promise.resolve({ held: [...locks.held].map((name) => ({ name, mode: 'exclusive' })), pending: [] });
    },
  };
  return locks;
}

test('a slow worker answers the ping late: not dead, and asked again at its next silence', () => {
  const env = watching(null);
  const { watch, check, clock, deaths } = env;
  for (const at of [1000, 2000, 3000, 4000]) check(at);
  assert.equal(env.pings, 0, 'silent 4 s: not yet asked');
  check(5000);
  assert.equal(env.pings, 1);
  check(6000);
  clock.at = 6900;
  watch.heard({ id: 7, ok: true, result: 'pong' }); // its long task ended
  check(7000);
  for (const at of [8000, 9000, 10000]) check(at);
  assert.equal(env.pings, 1, 'silent 3.1 s since the pong: not asked yet');
  check(11000);
  assert.equal(env.pings, 2, 'silent again: asked again');
  check(12000);
  check(13000);
  assert.deepEqual(deaths, [], 'silenceMs / 2 to answer');
  check(13100);
  assert.equal(deaths.length, 1);
  assert.match(deaths[0], /^no sign of life for 4 s \(its worker was closed or killed/);
  assert.equal(env.pending(), false, 'a dead worker is not checked again');
});

test('a worker that holds its lock is busy, not dead; once it lets go, its silence is its death', async () => {
  const locks = fakeLocks();
  locks.held.add('convplay-engine-x');
  const { watch, check, deaths } = watching(locks);
  watch.heard({ event: 'alive', lock: 'convplay-engine-x' });
  for (const at of [1000, 2000, 3000, 4000]) check(at);
  assert.equal(locks.queries, 0, 'a live worker costs no query');
  // Its event loop is blocked for 20 s by one long task: no message at all.
  for (let at = 5000; at <= 20000; at += 1000) {
    check(at);
    await settle();
  }
  assert.deepEqual(deaths, [], 'its worker holds its lock all along');
  assert.ok(watch.stalls >= 3, `asked at every silence (${watch.stalls})`);
  assert.equal(locks.queries, watch.stalls);
  // Then it is closed without a word: the lock manager says so at its next silence.
  locks.held.clear();
  const asked = locks.queries;
  for (let at = 21000; deaths.length === 0 && at <= 30000; at += 1000) {
    check(at);
    await settle();
  }
  assert.equal(locks.queries, asked + 1, 'one query tells');
  assert.match(deaths[0], /^no sign of life for 4 s, and its worker let go of its lock/);
});

test('without a lock to ask, or with a lock manager that fails or never answers, the ping decides', async () => {
  for (const [what, locks, lock, deadAt] of [
    ['no lock named', fakeLocks(), undefined, 8000],
    ['no lock manager', null, 'convplay-engine-x', 8000],
    ['a failing one', fakeLocks('fail'), 'convplay-engine-x', 8000],
    ['a silent one', fakeLocks('never'), 'convplay-engine-x', 10000],
  ]) {
    if (locks) locks.held.add('convplay-engine-x');
    const { watch, check, deaths } = watching(locks);
    watch.heard({ event: 'alive', lock });
    let at = 1000;
    for (; deaths.length === 0 && at <= 20000; at += 1000) {
      check(at);
      await settle();
    }
    assert.equal(deaths.length, 1, what);
    assert.equal(at - 1000, deadAt, `${what}: dead at ${at - 1000} ms`);
  }
});

test('the lock of a later alive event counts; a stopped watch neither checks nor dies', async () => {
  const locks = fakeLocks();
  locks.held.add('convplay-engine-new');
  const { watch, check, deaths, pending } = watching(locks);
  watch.heard({ event: 'alive', lock: 'convplay-engine-old' });
  watch.heard({ event: 'alive', lock: 'convplay-engine-new' });
  watch.heard({ event: 'progress', lock: 'not a lock: not an alive event' });
  for (const at of [1000, 2000, 3000, 4000, 5000]) check(at);
  await settle();
  assert.equal(watch.stalls, 1, 'the new lock is held');
  watch.stop();
  assert.equal(pending(), false);
  watch.start();
  assert.equal(pending(), false, 'stopped for good');
  assert.deepEqual(deaths, []);
});
