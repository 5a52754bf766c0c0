// urlstate.js: the page settings a shared link reproduces, kept in the
// query string (?lang=zh&data=digits&layer=conv2d_1...). Setting a value
// replaces the history entry instead of adding one, so Back leaves the page
// rather than stepping through every slider move.

/** createURLState wraps a location and a history (window's, or fakes in tests). */
export function createURLState(loc = globalThis.location, hist = globalThis.history) {
  const params = () => new URLSearchParams(loc.search);
  return {
    /** get is key's value, or null. */
    get(key) {
      return params().get(key);
    },
    /** set changes key; null or undefined removes it. */
    set(key, value) {
      const p = params();
      if (value === null || value === undefined || value === '') p.delete(key);
      else p.set(key, String(value));
      const q = p.toString();
      hist.replaceState(hist.state, '', `${loc.pathname}${q ? `?${q}` : ''}${loc.hash}`);
    },
  };
}
