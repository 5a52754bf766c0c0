// model.js: the engine's description of the current model
// (describeLayers), asked once per model and shared by the network, shapes
// and dense views, and the current prediction's trace when it belongs to
// that model. A model is the object ctx.state.model holds; a new one
// (built, loaded, trained) is described afresh.

const asked = new WeakMap();

/** describe resolves to describeLayers' result for ctx.state.model, or null without a model. */
export function describe(ctx) {
  const model = ctx.state.model;
  if (!model) return Promise.resolve(null);
  if (!asked.has(model)) {
    const p = ctx.request('describeLayers', {});
    asked.set(model, p);
    p.catch(() => asked.delete(model)); // ask again next time
  }
  return asked.get(model);
}

/**
 * followModel keeps a view on ctx's model: now and on every new model it
 * calls show({info: null, error: null, described: false}) at once, then,
 * when the engine has described that model, show({info, error: null,
 * described: true}), or show({info: null, error: message, described: true})
 * when describing failed. A description that arrives after the model was
 * replaced is dropped (the new model's follows).
 */
export function followModel(ctx, show) {
  async function onModel() {
    const model = ctx.state.model;
    show({ info: null, error: null, described: false });
    if (!model) return;
    let info = null;
    let error = null;
    try {
      info = await describe(ctx);
    } catch (err) {
      error = err.message;
    }
    if (model !== ctx.state.model) return;
    show({ info, error, described: true });
  }
  ctx.on('model', onModel);
  onModel();
}

/** modelLayers is the current model's layer list (empty without a model). */
export function modelLayers(ctx) {
  return ctx.state.model ? ctx.state.model.layers : [];
}

/**
 * currentTrace is the current prediction's trace when it comes from the
 * current model (layer for layer), else null: right after a model change
 * the last prediction still holds the old model's layers.
 */
export function currentTrace(ctx) {
  const p = ctx.state.prediction;
  const ls = modelLayers(ctx);
  if (!p || !p.trace || p.trace.length !== ls.length) return null;
  return p.trace.every((e, i) => e.name === ls[i].name) ? p.trace : null;
}
