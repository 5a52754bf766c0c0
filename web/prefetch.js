// prefetch.js: downloads started early and handed over once. The core
// starts what the first prediction needs (the smallest model, the data
// set's manifest, its example image) while the engine downloads and
// compiles, and takes each response when it gets there.
//
// DOM-free: it takes a fetch function (prefetch.test.js gives it a fake).

/**
 * createPrefetch returns {prefetch(u), take(u, options)}: prefetch starts a
 * GET of u now (once); take returns the response promise a prefetch
 * started, the first time, or else (or with options) a new fetch. A failed
 * prefetch is not an unhandled rejection: take's caller sees it.
 */
export function createPrefetch(fetch) {
  const early = new Map(); // url -> response promise, until taken
  return {
    prefetch(u) {
      if (early.has(u)) return;
      const p = fetch(u);
      p.catch(() => {});
      early.set(u, p);
    },
    take(u, options) {
      const p = early.get(u);
      early.delete(u);
      return p && !options ? p : fetch(u, options);
    },
  };
}
