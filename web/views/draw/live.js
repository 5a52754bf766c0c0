// live.js: live prediction while drawing, DOM-free (tested with node
// --test). The pad must never wait for the engine: a change pokes a pacer
// that runs at most once per interval while the student draws (and once
// more after the last change), and the run itself goes through a latest-
// only runner: while one preprocess and prediction is in flight, further
// runs collapse into one, which reads the newest drawing when it starts.

/**
 * createLatest wraps an async job: run() starts it when idle; while it is
 * running, run() only marks it for one more start afterwards. The job
 * reads the current state itself, so the start after it sees the newest.
 * Errors go to onError; the runner keeps going.
 */
export function createLatest(job, onError = () => {}) {
  let running = false;
  let again = false;
  async function loop() {
    running = true;
    try {
      do {
        again = false;
        try {
          await job();
        } catch (err) {
          onError(err);
        }
      } while (again);
    } finally {
      running = false;
    }
  }
  return {
    run() {
      if (running) {
        again = true;
        return;
      }
      loop();
    },
    get busy() {
      return running;
    },
  };
}

/**
 * createPacer calls fn at most once every ms milliseconds while poke()
 * keeps being called, and always once after the last poke: the first poke
 * arms a timer, pokes meanwhile join it, and the timer's end calls fn.
 * flush() calls fn at once (the end of a stroke). timers replace
 * setTimeout/clearTimeout in tests.
 */
export function createPacer(fn, ms, timers = globalThis) {
  let timer = null;
  return {
    poke() {
      if (timer !== null) return;
      timer = timers.setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    flush() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      fn();
    },
    cancel() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
    get armed() {
      return timer !== null;
    },
  };
}
