// views/why/state.js: the why lesson's settings as a shared link carries
// them (rows of web/urlkeys.js). Each parse takes the query text and gives
// a value or null when malformed (the view then keeps its default); each
// format is its inverse. Indices count from 0 as in the other panels' keys
// (conv, pool); the page shows them counting from 1.

/** PARTS are the lesson's five parts, in order: where it looked, cover it up, what a filter wants, fooling it, where it places it. */
export const PARTS = ['look', 'cover', 'want', 'fool', 'place'];

/** PATCHES and STRIDES are the occlusion controls' choices; DEFAULT_PATCH is what a link leaves out. */
export const PATCHES = [2, 4, 6, 8];
export const STRIDES = [1, 2, 4];
export const DEFAULT_PATCH = { patch: 4, stride: 2 };

const index = (t) => (/^\d{1,4}$/.test(t) ? Number(t) : null);

/** parsePart: a part's name. */
export const parsePart = (t) => (PARTS.includes(t) ? t : null);

/** parseIndex: a class or layer index, 0 to 9999. */
export const parseIndex = index;

/** parsePatch: "patch,stride", e.g. "6,1", each one of the controls' choices. */
export function parsePatch(t) {
  const m = /^(\d+),(\d+)$/.exec(t);
  if (!m) return null;
  const [patch, stride] = [Number(m[1]), Number(m[2])];
  return PATCHES.includes(patch) && STRIDES.includes(stride) ? { patch, stride } : null;
}

/** formatPatch is parsePatch's inverse; the default is left out (null). */
export function formatPatch({ patch, stride }) {
  return patch === DEFAULT_PATCH.patch && stride === DEFAULT_PATCH.stride ? null : `${patch},${stride}`;
}

/** parseWant: what to maximize, "layer,filter" ({layer, filter}) or "c,class" ({cls}). */
export function parseWant(t) {
  let m = /^(\d{1,4}),(\d{1,5})$/.exec(t);
  if (m) return { layer: Number(m[1]), filter: Number(m[2]) };
  m = /^c,(\d{1,4})$/.exec(t);
  return m ? { cls: Number(m[1]) } : null;
}

/** formatWant is parseWant's inverse. */
export function formatWant(w) {
  return 'cls' in w ? `c,${w.cls}` : `${w.layer},${w.filter}`;
}
