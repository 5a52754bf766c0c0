// pixels.js: the preprocessing view's DOM-free pieces (tested with
// node --test): the text explaining each of the engine's warnings. Its
// images are painted with ../shared/paint.js (grayRGBA, divergingRGBA).

/**
 * warningText is the i18n key and placeholders explaining one preprocess
 * warning ({code, value, limit, typical}); num formats a number with the
 * given digits. An unknown code gets a generic text naming it.
 */
export function warningText(w, num) {
  const pct = (x) => `${num(100 * x, 0)}%`;
  switch (w.code) {
    case 'empty':
      return ['sees.warn.empty', {}];
    case 'tiny':
      return ['sees.warn.tiny', { size: pct(w.value), limit: pct(w.limit) }];
    case 'edge':
      return ['sees.warn.edge', { sides: w.value }];
    case 'clipped':
      return ['sees.warn.clipped', { share: pct(w.value) }];
    case 'offcentre':
      return ['sees.warn.offcentre', { value: num(w.value, 1), limit: num(w.limit, 1), typical: num(w.typical, 1) }];
    case 'thin':
      return ['sees.warn.thin', { value: num(w.value, 1), limit: num(w.limit, 1), typical: num(w.typical, 1) }];
    case 'sparse':
      return ['sees.warn.sparse', { value: pct(w.value), limit: pct(w.limit), typical: pct(w.typical) }];
    case 'hollow':
      return ['sees.warn.hollow', { value: pct(w.value), limit: pct(w.limit), typical: pct(w.typical) }];
    case 'small':
      return ['sees.warn.small', { value: pct(w.value), limit: pct(w.limit), typical: pct(w.typical) }];
    case 'pointing':
      return ['sees.warn.pointing', { value: num(-w.value, 1), limit: num(-w.limit, 1) }]; // Lean is rightwards: the text says how far left
    default:
      return ['sees.warn.other', { code: String(w.code) }];
  }
}
