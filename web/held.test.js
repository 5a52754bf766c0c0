// Unit tests of held.js: the worker's events that come before the client listens.
import test from 'node:test';
import assert from 'node:assert/strict';
import { holdEvents } from './held.js';

test('events before the first listener wait for it, in order; later ones go straight to the listeners', () => {
  const target = new EventTarget();
  target.postMessage = (m) => (target.posted = m);
  target.terminate = () => (target.ended = true);
  const port = holdEvents(target);
  const send = (type, data) => {
    const e = new Event(type);
    e.data = data;
    target.dispatchEvent(e);
  };
  send('message', 1);
  send('error', 'boom');
  send('message', 2);
  const seen = [];
  port.addEventListener('message', (e) => seen.push(['a', e.data]));
  assert.deepEqual(seen, [['a', 1], ['a', 2]]);
  port.addEventListener('message', (e) => seen.push(['b', e.data])); // the second listener gets only what comes next
  send('message', 3);
  assert.deepEqual(seen.slice(2), [['a', 3], ['b', 3]]);
  const errors = [];
  port.addEventListener('error', { handleEvent: (e) => errors.push(e.type) });
  assert.deepEqual(errors, ['error']);
  port.addEventListener('messageerror', () => errors.push('messageerror')); // none came: nothing to give
  assert.deepEqual(errors, ['error']);
  port.postMessage('hi');
  port.terminate();
  assert.equal(target.posted, 'hi');
  assert.equal(target.ended, true);
});
