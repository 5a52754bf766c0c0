// modelfile.js: which files the keep panel takes, and the input question
// for a Keras model file, without the DOM (tested in modelfile.test.js).

/** The answers to "what does this model expect as input?", in the order offered. */
export const INPUT_ANSWERS = ['unit', 'standardized', 'raw'];

/** The test images each answer is checked on (the engine evaluates; see kerasAccuracy). */
export const CHECK_SAMPLES = 1000;

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89HDF\r\n\x1a\n"

const ext = (name) => {
  const m = /\.([^./\\]+)$/.exec(String(name || '').toLowerCase());
  return m ? m[1] : '';
};

/**
 * isKerasFile reports whether a file is a Keras model file: named .h5,
 * .hdf5 or .keras, or an HDF5 file by its first bytes (a .keras file is a
 * zip like an .npz, so only its name tells them apart).
 */
export function isKerasFile(name, bytes) {
  if (['h5', 'hdf5', 'keras'].includes(ext(name))) return true;
  return Boolean(bytes) && bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

/** isModelFileName reports whether a dropped file's name is one the keep panel loads. */
export function isModelFileName(name) {
  return ['h5', 'hdf5', 'keras', 'cpw', 'npz'].includes(ext(name));
}

/** dragHasFiles reports whether a drag (its DataTransfer's types) carries files. */
export function dragHasFiles(types) {
  return Array.from(types || []).includes('Files');
}

/**
 * bestAnswer is the answer whose check gave the highest accuracy, or null
 * before any check: results maps an answer to the engine's kerasAccuracy
 * result ({accuracy, samples}) or to an Error. Ties go to the earlier
 * answer in INPUT_ANSWERS.
 */
export function bestAnswer(results) {
  let best = null;
  for (const a of INPUT_ANSWERS) {
    const r = results[a];
    if (!r || r instanceof Error || typeof r.accuracy !== 'number') continue;
    if (best === null || r.accuracy > results[best].accuracy) best = a;
  }
  return best;
}

/**
 * loadedParts lists the text keys (with vars) that say what loading a Keras
 * file did, from loadKeras's keras result and the model's layer count.
 */
export function loadedParts(info, file, layers) {
  const parts = [['keep.kf.loaded', { file, format: info.format, version: info.kerasVersion || '?', layers }]];
  if (info.scalingKnown) parts.push(['keep.kf.rescaling', {}]);
  else if (info.input === 'unit' || info.input === 'raw') parts.push([`keep.kf.wrapped.${info.input}`, {}]);
  else parts.push(['keep.kf.standardized', {}]);
  if (info.logits) parts.push(['keep.kf.logits', {}]);
  if (info.skipped && info.skipped.length) parts.push(['keep.kf.skipped', { n: info.skipped.length, layers: info.skipped.join(', ') }]);
  parts.push(['keep.kf.kept', {}]);
  return parts;
}
