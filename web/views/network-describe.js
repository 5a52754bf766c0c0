// network-describe.js: the engine's description of the current model
// (describeLayers), asked once per model and shared by the network, shapes
// and dense views. A model is the object ctx.state.model holds; a new one
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
