// urlkeys.js: every setting a shared link carries, in one table (as
// TensorFlow Playground's state.ts lists its properties). Each key has its
// name in the query string, the panel that owns it, parse (the query text,
// never null, to a value, or null when malformed) and format (a value to its
// text, or null to leave the key out, as for a default). The formats are
// those links already in circulation use: changing one breaks shared links,
// so urlkeys.test.js pins an example of each.
//
// The views read and write these keys only through urlstate.js's read(name)
// and write(name, value), which look them up here.

import { LANGS } from './i18n.js';
import { parseIndex } from './views/draw/gallery.js';
import { SCALES } from './views/network/scale.js';
import { parsePos, formatPos } from './views/convstep/state.js';
import { parseSandbox, formatSandbox } from './views/sandbox/state.js';
import { parsePool, formatPool } from './views/pooling/shift.js';
import { specFromURL, specToURL } from './views/arch/spec.js';
import { settingsFromURL, settingsToURL } from './views/train/format.js';
import { parseView, formatView } from './views/densevsconv/plan.js';
import { parsePart, parseIndex as parseWhyIndex, parsePatch, formatPatch, parseWant, formatWant } from './views/why/state.js';

const text = (t) => (t === '' ? null : t);
const same = (v) => String(v);

/**
 * URL_KEYS lists the keys: {name, panel, parse, format, example, ofModel}; example is a text as a
 * link holds it; ofModel marks a key that names a layer or filter of the model the link was made
 * with, so a page opened from such a link shows that model from the start (core.js resetModel).
 */
export const URL_KEYS = [
  // The page's header and core.
  { name: 'lang', panel: 'app', parse: (t) => (LANGS.includes(t) ? t : null), format: same, example: 'zh' },
  { name: 'data', panel: 'app', parse: text, format: (d) => (d === 'fashion' ? null : d), example: 'digits' },
  { name: 'model', panel: 'app', parse: text, format: same, example: 'reference' },
  // img: a test image's index; whether it exists is known once the data set is in.
  { name: 'img', panel: 'draw', parse: (t) => parseIndex(t, Infinity), format: same, example: '4321' },
  // layer: the open layer's name; scale: the colour scale, 'layer' (the default) left out.
  { name: 'layer', panel: 'network', ofModel: true, parse: text, format: same, example: 'conv2d_1' },
  { name: 'scale', panel: 'network', parse: (t) => (SCALES.includes(t) ? t : null), format: (s) => (s === 'layer' ? null : s), example: 'global' },
  // conv: layer index, output row, column and filter.
  { name: 'conv', panel: 'convstep', ofModel: true, parse: parsePos, format: formatPos, example: '0,3,4,2' },
  // sandbox: n,k,s and the padding (valid, same, or a number of cells).
  { name: 'sandbox', panel: 'sandbox', parse: parseSandbox, format: formatSandbox, example: '9,3,2,1' },
  // pool: layer index, channel.
  { name: 'pool', panel: 'pooling', ofModel: true, parse: parsePool, format: formatPool, example: '2,5' },
  // arch: the editor's layers, e.g. C8.3.1.s.relu_M2.2_F_D10.softmax.
  { name: 'arch', panel: 'arch', parse: (t) => specFromURL(t), format: specToURL, example: 'C8.3.1.s.relu_M2.2_F_D10.softmax' },
  // train: the settings that differ from the defaults, e.g. m=custom,lr=0.05.
  { name: 'train', panel: 'train', parse: settingsFromURL, format: (s) => settingsToURL(s) || null, example: 'm=custom,o=sgd,lr=0.05,e=3' },
  // dvc: the Why convolution lesson: training size, shift right and down, the unit (from 1); the defaults 500,3,0,1 left out.
  { name: 'dvc', panel: 'densevsconv', parse: parseView, format: formatView, example: '55000,-2,1,4' },
  // The why lesson: why, the part a link opens at (look, cover, want, fool, place); whycls, the class it
  // explains (the predicted one left out); whycam, Grad-CAM's layer index; whyocc, occlusion's patch,stride
  // (4,2 left out); whymax, what to maximize (layer,filter or c,class); whygal, the gallery's layer index.
  { name: 'why', panel: 'why', parse: parsePart, format: same, example: 'want' },
  { name: 'whycls', panel: 'why', parse: parseWhyIndex, format: same, example: '3' },
  { name: 'whycam', panel: 'why', ofModel: true, parse: parseWhyIndex, format: same, example: '4' },
  { name: 'whyocc', panel: 'why', parse: parsePatch, format: formatPatch, example: '6,1' },
  { name: 'whymax', panel: 'why', ofModel: true, parse: parseWant, format: formatWant, example: '3,12' },
  { name: 'whygal', panel: 'why', ofModel: true, parse: parseWhyIndex, format: same, example: '1' },
  // scene: the segmentation lesson's fixed test scene (0-999), as convplay's scenes number them.
  { name: 'scene', panel: 'segment', parse: (t) => parseIndex(t, 1000), format: same, example: '12' },
];

/** urlKey is the table's entry for name; an unknown name is a bug and throws. */
export function urlKey(name, keys = URL_KEYS) {
  const k = keys.find((e) => e.name === name);
  if (!k) throw new Error(`urlkeys: no URL key ${JSON.stringify(name)}`);
  return k;
}
