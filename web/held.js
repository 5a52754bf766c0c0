// held.js: holds a worker's events until someone listens. A dedicated
// worker's messages that arrive while the page has no listener are lost;
// boot.js starts the engine's worker before app.js's modules are in, so
// its first messages (the engine's ready, an early error) wait here for
// the client (client.js's createClient) that app.js attaches later.

/**
 * holdEvents returns a stand-in for target (a Worker: addEventListener,
 * removeEventListener, postMessage, terminate) that keeps the events of
 * the given types arriving before the first listener of a type is added,
 * and gives them to that listener, in order, when it is.
 */
export function holdEvents(target, types = ['message', 'error', 'messageerror']) {
  const held = new Map(); // type -> {events, hold}: the events kept, the listener keeping them
  for (const type of types) {
    const events = [];
    const hold = (e) => events.push(e);
    target.addEventListener(type, hold);
    held.set(type, { events, hold });
  }
  return {
    addEventListener(type, fn, opts) {
      target.addEventListener(type, fn, opts);
      const h = held.get(type);
      if (!h) return;
      held.delete(type);
      target.removeEventListener(type, h.hold);
      for (const e of h.events) typeof fn === 'function' ? fn(e) : fn.handleEvent(e);
    },
    removeEventListener: (type, fn, opts) => target.removeEventListener(type, fn, opts),
    postMessage: (msg, transfer) => target.postMessage(msg, transfer),
    terminate: () => target.terminate(),
  };
}
