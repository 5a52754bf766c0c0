// pixels.js: painting the preprocessing's images, DOM-free (tested
// with node --test). The values come from the engine (preprocess,
// getSample); this module only maps them to colours.

import { range, diverging } from '../network/scale.js';

/** grayRGBA paints gray values (0..255) as opaque RGBA pixels. */
export function grayRGBA(gray) {
  const out = new Uint8ClampedArray(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i];
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** extent is [min, max] of the values, [0, 0] for none. */
export function extent(values) {
  const { lo, hi } = range(values);
  return [lo, hi];
}

/** diverging maps v to blue (negative) - white (0) - red (positive), full colour at |v| = limit: the network view's scale. */
export { diverging };

/** divergingRGBA paints standardized values on the diverging scale, symmetric around 0. */
export function divergingRGBA(values) {
  const [lo, hi] = extent(values);
  const limit = Math.max(Math.abs(lo), Math.abs(hi));
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = diverging(values[i], limit);
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  return out;
}

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
    default:
      return ['sees.warn.other', { code: String(w.code) }];
  }
}
