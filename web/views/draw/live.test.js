// Unit tests of live.js: the latest-only runner and the pacer.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createLatest, createPacer } from './live.js';

/** deferred is a promise with its resolve and reject. */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

test('createLatest: runs collapse while busy, into one more run that sees the newest state', async () => {
  let state = 0;
  const seen = [];
  const pending = [];
  const runner = createLatest(() => {
    seen.push(state);
    const d = deferred();
    pending.push(d);
    return d.promise;
  });
  state = 1;
  runner.run();
  assert.equal(runner.busy, true);
  for (state = 2; state <= 5; state++) runner.run(); // four changes while the first is in flight
  state = 5;
  pending.shift().resolve();
  await tick();
  assert.deepEqual(seen, [1, 5], 'one more run, with the newest drawing');
  pending.shift().resolve();
  await tick();
  assert.equal(runner.busy, false);
  assert.deepEqual(seen, [1, 5]);
});

test('createLatest: an error is reported and the runner goes on', async () => {
  const errors = [];
  let calls = 0;
  const runner = createLatest(async () => {
    calls++;
    if (calls === 1) throw new Error('boom');
  }, (err) => errors.push(err.message));
  runner.run();
  await tick();
  runner.run();
  await tick();
  assert.deepEqual(errors, ['boom']);
  assert.equal(calls, 2);
  assert.equal(runner.busy, false);
});

/** fakeTimers is a manual clock for the pacer. */
function fakeTimers() {
  let now = 0;
  let id = 0;
  const due = new Map();
  return {
    setTimeout(fn, ms) {
      due.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(i) {
      due.delete(i);
    },
    advance(ms) {
      now += ms;
      for (const [i, t] of [...due]) {
        if (t.at <= now) {
          due.delete(i);
          t.fn();
        }
      }
    },
  };
}

test('createPacer: at most once per interval while poked, once after the last poke, flush at once', () => {
  const timers = fakeTimers();
  let calls = 0;
  const pacer = createPacer(() => calls++, 100, timers);
  // Drawing: a poke every 16 ms for 250 ms.
  for (let t = 0; t < 250; t += 16) {
    pacer.poke();
    timers.advance(16);
  }
  assert.equal(calls, 2, 'at 100 and 200 ms');
  assert.equal(pacer.armed, true, 'the pokes after 200 ms wait for the next call');
  timers.advance(100);
  assert.equal(calls, 3);
  assert.equal(pacer.armed, false);
  timers.advance(1000);
  assert.equal(calls, 3, 'nothing without pokes');
  pacer.poke();
  pacer.flush();
  assert.equal(calls, 4);
  timers.advance(200);
  assert.equal(calls, 4, 'flush disarmed the timer');
  pacer.poke();
  pacer.cancel();
  timers.advance(200);
  assert.equal(calls, 4);
});
