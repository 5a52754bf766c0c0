// errors.js: why the engine refused a weights file, in plain words.
// The engine's error (nn/load.go, nn/npz.go, nn/save.go) is English and
// exact; explainLoadError sorts it into a kind the keep panel explains in
// the page's language, with the numbers it names, and keeps the engine's
// text as the detail. DOM-free, tested in errors.test.js.

const strip = (m) => String(m).replace(/^(worker|nn): /, '').replace(/^(worker|nn): /, '');

/** A Keras file's refused layer (keras.UnsupportedError's text). */
const KERAS_LAYER = /^keras: layer "(.*)" \(([^)]*)\) is not supported: (.*)\. convplay reads (.*)$/s;

/**
 * explainLoadError returns {key, vars} for the keep panel's texts:
 *   keep.err.shape    {layer, name, param, file, here}: an array of another shape (another architecture)
 *   keep.err.count    {file, here}: another number of weight arrays (another architecture)
 *   keep.err.npzBuild {}: an .npz holds no architecture to build
 *   keep.err.kerasLayer {layer, cls, reason, supported}: a Keras file with a layer convplay cannot run
 *   keep.err.fit      {}: a model whose input or output is not the data set's
 *   keep.err.corrupt  {}: not a weights or Keras model file, damaged, or cut short
 *   keep.err.formats  {}: the formats module (Keras and .npz files, fetched on demand) could not start: offline, a failed download
 *   keep.err.other    {}: anything else
 * vars.detail is always the engine's message without its package prefix.
 *
 * @param {string} message the WorkerError's message
 */
export function explainLoadError(message) {
  const detail = strip(message);
  const out = (key, vars = {}) => ({ key, vars: { ...vars, detail } });
  let m = /npz (arr_\d+|\S+) is (\([^)]*\)), layer (\d+) \(([^)]+)\) (\w+) is (\([^)]*\))/.exec(detail);
  if (m) return out('keep.err.shape', { layer: m[3], name: m[4], param: m[5], file: m[2], here: m[6] });
  m = /layer (\d+) \(([^)]+)\) (\w+) is (\([^)]*\)) in the file, (\([^)]*\)) here/.exec(detail);
  if (m) return out('keep.err.shape', { layer: m[1], name: m[2], param: m[3], file: m[4], here: m[5] });
  m = /npz has (\d+) arrays, the model (\d+) weight arrays/.exec(detail);
  if (m) return out('keep.err.count', { file: m[1], here: m[2] });
  m = /the file has (\d+) weight arrays, this model (\d+|more)/.exec(detail);
  if (m) return out('keep.err.count', { file: m[1], here: m[2] });
  if (/an \.npz file holds weights only/.test(detail)) return out('keep.err.npzBuild');
  m = KERAS_LAYER.exec(detail);
  if (m) return out('keep.err.kerasLayer', { layer: m[1], cls: m[2], reason: m[3], supported: m[4] });
  if (/^invalid weights file|^npz: |^npz |^keras: invalid model file/.test(detail)) return out('keep.err.corrupt');
  if (/^the model takes inputs of shape|^the model outputs /.test(detail)) return out('keep.err.fit');
  if (/^the converter for Keras and \.npz files /.test(detail)) return out('keep.err.formats');
  return out('keep.err.other');
}
