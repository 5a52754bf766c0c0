// urlstate.js: the page settings a shared link reproduces, kept in the
// query string (?lang=zh&data=digits&layer=conv2d_1...). Setting a value
// replaces the history entry instead of adding one, so Back leaves the page
// rather than stepping through every slider move.
//
// The keys and their text forms are in one table (urlkeys.js): read(name)
// and write(name, value) go through it, so a view deals in values (a
// position, a spec, settings) and never in the query text.

import { URL_KEYS, urlKey } from './urlkeys.js';

/**
 * createURLState wraps a location and a history (window's, or fakes in
 * tests) and the table of keys.
 */
export function createURLState(loc = globalThis.location, hist = globalThis.history, keys = URL_KEYS) {
  const params = () => new URLSearchParams(loc.search);
  /** get is key's text, or null. */
  function get(key) {
    return params().get(key);
  }
  /** set changes key's text; null, undefined or '' removes it. */
  function set(key, value) {
    const p = params();
    if (value === null || value === undefined || value === '') p.delete(key);
    else p.set(key, String(value));
    const q = p.toString();
    hist.replaceState(hist.state, '', `${loc.pathname}${q ? `?${q}` : ''}${loc.hash}`);
  }
  return {
    get,
    set,
    /** read is key name's value parsed by its table entry: null when absent or malformed. */
    read(name) {
      const k = urlKey(name, keys);
      const text = get(name);
      return text === null ? null : k.parse(text);
    },
    /** write stores value with its table entry's format; null or undefined (or a format giving null) removes the key. */
    write(name, value) {
      const k = urlKey(name, keys);
      set(name, value === null || value === undefined ? null : k.format(value));
    },
  };
}
