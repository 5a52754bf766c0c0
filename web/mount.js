// mount.js: which view (views/<panel>/<panel>.js) fills which <section> of
// index.html, and in what order they mount. The first prediction needs
// only the pad and the bars (FIRST): they mount first, and the engine's
// ready, the model and the first prediction follow as soon as they are in
// (app.js passes `first` to core.js's start). The other views download
// and mount once the first prediction is on screen (core.js's firstShown;
// measured, BENCHMARKS.md: mounting them earlier took the main thread and
// the CPU from the engine's compile and first replies, downloading them
// earlier put 0.25 MB more on the link before the first prediction, and
// preloading them too did not help), one at a time in the order of the
// page, with a pause between them so the pad stays responsive; not only
// when scrolled near, since a link (or a test) reaches any section at
// once. A view mounted late catches up on what happened before it
// (core.js, viewContext). No DOM here: app.js gives the mounting, the
// node test a fake.

/** The views in the order of their sections in index.html: [section id, view name]. */
export const VIEWS = [
  ['draw-panel', 'draw'],
  ['prediction-panel', 'prediction'],
  ['sees-panel', 'sees'],
  ['network-panel', 'network'],
  ['shapes-panel', 'shapes'],
  ['conv-panel', 'convstep'],
  ['sandbox-panel', 'sandbox'],
  ['pool-panel', 'pooling'],
  ['dense-panel', 'dense'],
  ['dvc-panel', 'densevsconv'],
  ['reg-panel', 'regress'],
  ['fcn-panel', 'fcn'],
  ['seg-panel', 'segment'],
  ['train-panel', 'train'],
  ['curves-panel', 'curves'],
  ['arch-panel', 'arch'],
  ['eval-panel', 'evaluate'],
  ['why-panel', 'why'],
  ['keep-panel', 'keep'],
];

/** The views the first prediction shows (the header is app.js's own): index.html preloads their modules. */
export const FIRST = ['draw', 'prediction'];

/** viewModule is a view's module, relative to the page. */
export const viewModule = (name) => `./views/${name}/${name}.js`;

/**
 * viewStyle is a view's stylesheet, relative to the page: index.html links
 * the FIRST views' own; the others are linked when their views are about
 * to mount (app.js, lateStyles), so that on HTTP/1.1's six connections
 * their 17 requests do not queue ahead of the first prediction's modules.
 */
export const viewStyle = (name) => `views/${name}/${name}.css`;

/** nextTask resolves in a later task, so input and the worker's replies get their turn. */
export function nextTask() {
  if (globalThis.scheduler && typeof globalThis.scheduler.yield === 'function') return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * mountViews imports and mounts every view: load(name) imports a view's
 * module, mountOne(id, name, {module} or {error}) mounts it into its
 * section (or says it failed), pause() lets the page breathe between two
 * late views, which are imported (all at once) and mounted only after
 * lateAfter (a promise) resolves and the FIRST views are in. It returns
 * {first, all}: promises that resolve when the FIRST views are mounted and
 * when every view is.
 */
export function mountViews({ load, mountOne, pause = nextTask, lateAfter = null }) {
  const settle = (name) => Promise.resolve().then(() => load(name)).then((module) => ({ module }), (error) => ({ error }));
  const firstViews = VIEWS.filter(([, name]) => FIRST.includes(name));
  const lateViews = VIEWS.filter(([, name]) => !FIRST.includes(name));
  const first = Promise.all(firstViews.map(async ([id, name]) => mountOne(id, name, await settle(name)))).then(() => {});
  const all = first.then(async () => {
    await lateAfter;
    const loading = lateViews.map(([, name]) => settle(name));
    for (const [i, [id, name]] of lateViews.entries()) {
      const loaded = await loading[i];
      await pause();
      mountOne(id, name, loaded);
    }
  });
  return { first, all };
}
