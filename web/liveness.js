// liveness.js: how the page tells a dead engine worker from a slow one.
// DOM-free; client.js's createClient runs one watch per worker.
//
// A worker closed or killed (out of memory) sends no error: only its
// silence shows it. But silence also comes from a worker busy with one long
// task on a loaded machine (its event loop, and the alive events it posts
// every HEARTBEAT_MS, stand still), and from this page's own thread being
// busy (the messages wait in its queue). So the watch checks every
// silenceMs / 4; a check that itself comes late judges nothing (this
// thread was busy); and a worker silent for silenceMs is asked before it is
// judged: a ping (any message answers it; a busy worker answers when its
// task ends) and, where the worker named the Web Lock it holds while it
// lives, the browser's lock manager, which knows without the worker's
// event loop: a busy worker holds its lock, a dead one has released it. A
// held lock counts as a sign of life (a stall); a released one is a death
// at once; with no lock to ask, no answer within silenceMs / 2 is.

/**
 * watchLiveness watches one worker. heard(msg) records a message from it
 * (any message is a sign of life; an alive event's lock names its lock);
 * start() starts the checks, stop() ends them; stalls counts the silences
 * the lock explained. dead(reason) is called once, for a dead worker.
 *
 * @param {{silenceMs: number, timers: {setTimeout: Function, clearTimeout: Function}, now: () => number,
 *   locks?: {query: Function} | null, ping: () => void, dead: (reason: string) => void}} options
 */
export function watchLiveness({ silenceMs, timers, now, locks, ping, dead }) {
  let heard = 0; // now() when the worker last sent anything
  let timer = null; // the next check, once started
  let stopped = false;
  let lockName = null; // the Web Lock the worker holds while it lives
  let asked = null; // {at, query}: when the silent worker was asked, and the lock query in flight
  let stalls = 0;
  const every = silenceMs / 4;
  const silence = `no sign of life for ${silenceMs / 1000} s`;

  function die(reason) {
    stop();
    dead(reason);
  }

  function check(last) {
    timer = timers.setTimeout(() => {
      const t = now();
      if (t - last > 2 * every) check(t); // this check is late: this thread was busy, judge at the next
      else if (t - heard <= silenceMs) {
        asked = null;
        check(t);
      } else if (asked === null) {
        ask(t);
        check(t);
      } else if ((asked.query === null && t - asked.at > silenceMs / 2) || t - asked.at > silenceMs) {
        die(`${silence} (its worker was closed or killed, perhaps out of memory)`);
      } else check(t); // still waiting for the ping or the lock's answer
    }, every);
  }

  function ask(t) {
    const a = { at: t, query: null };
    asked = a;
    ping();
    if (!lockName || !locks || typeof locks.query !== 'function') return;
    const name = lockName;
    a.query = Promise.resolve()
      .then(() => locks.query())
      .then(
        (state) => {
          if (stopped || asked !== a) return;
          a.query = null;
          if (((state && state.held) || []).some((l) => l.name === name)) {
            heard = now(); // busy, not dead: its worker holds its lock
            asked = null;
            stalls++;
          } else die(`${silence}, and its worker let go of its lock (it was closed or killed, perhaps out of memory)`);
        },
        () => {
          if (asked === a) a.query = null; // no answer from the locks: the ping decides
        },
      );
  }

  function stop() {
    stopped = true;
    if (timer !== null) timers.clearTimeout(timer);
  }

  return {
    heard(msg) {
      heard = now();
      if (msg && msg.event === 'alive' && typeof msg.lock === 'string') lockName = msg.lock;
    },
    start() {
      if (timer === null && !stopped) check(heard);
    },
    stop,
    get started() {
      return timer !== null;
    },
    get stalls() {
      return stalls;
    },
  };
}
