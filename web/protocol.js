// convplay worker protocol: the messages between the page (web/protocol.js)
// and the Go engine in the Web Worker (wasm/). Both files open with this
// same table; TestProtocolTablesMatch (wasm/protocol_test.go) fails when
// they differ.
//
// A request is {id, type, ...arguments}. The worker answers every request
// (but debugExit) exactly once, {id, ok: true, result} or {id, ok: false,
// error: "message"}, in order of arrival, except evaluate, whose reply comes
// when it has run (in slices, answering the requests sent meanwhile). Events
// are {event, ...fields}, sent unasked. Typed arrays cross as typed arrays;
// results and events are transferred, not copied. Requests sent before
// `ready` wait in worker.js.
//
//	request        arguments                       result
//	ping           -                               "pong"
//	version        -                               {go, module, version, revision, platform}
//	buildModel     {spec} or {preset}, [seed]      model: {summary, layers: [{name, type, outShape, params}], totalParams}
//	loadWeights    {bytes}, [build]                model, as buildModel's result
//	checkSpec      {spec} or {preset}, [classes]   {layers: [{name, type, inShape, outShape, params, spec}], totalParams, error}: the model stays
//	exportWeights  [format: "cpw" or "npz"]        {bytes, format, filename}
//	predict        {pixels}                        {probs, trace: [{name, type, shape, output, choices?}]}
//	getFilters     {layer}                         {name, type, kernel, kernelShape, bias, biasShape}
//	describeLayers -                               {input, layers: [{index, name, type, inShape, outShape, activation, kernel, filters, strides, padding, poolSize, units, params, paramsCum, paramShare, macs, macShare, area, channels, values, size, count}], groups: [{kind, layers, params, macs, paramShare, macShare}], totalParams, totalMacs}
//	scores         {pixels}                        {layer, activation, logits, probs}: the last layer's pre-activation values and output
//	loadDataset    {manifest}                      {name, title, classes, shape, counts, files, testDuplicates, mean, std}
//	addChunk       {name, bytes}                   {file, available, complete}, also as a data event
//	getSample      {split, index}                  {image, pixels, label, count}
//	preprocess     {rgba, width, height, fit}      {steps: [{name, image, width, height, box?}], image, pixels, width, height, fit, mean, std, warnings: [{code, value, limit, typical}]}
//	train          {optimizer, epochs, ...}        {epochs, batches, samples, validationSamples, stepSamples, sampleMs, workers}
//	pause          -                               position: {epoch, batch, total}
//	resume         -                               position
//	step           -                               position and {done}: one batch, while paused
//	stop           -                               position; the done event comes first
//	evaluate       [split], [dedup]                {loss, accuracy, samples, confusion, classAccuracy, classes, misclassified, predicted, labels, dedup?}
//	convWindow     {pixels, layer, y, x, filter}   {inShape, outShape, k, stride, padTop, padLeft, padBottom, padRight, top, left, window, kernel, products, inside, channelSums, sum, bias, preActivation, activation, activated, output}
//	convSize       {n, k, s, padding, [p]}         {valid, out, padBefore, padAfter, padded, numerator, starts, unused, uncovered} or {valid: false, problem, message}
//	poolCompare    {pixels, layer}                 {inShape, outShape, poolSize, stride, padding, padTop, padLeft, padBottom, padRight, windows, input, max, avg, choices, dropped, uncovered}
//	shiftCompare   {pixels, dx, dy}                {layers: [{name, type, shape, change}], probsBefore, probsAfter, shifted}
//	transposeDemo  {pixels, layer, channel, [steps]} {shape, channel, map, kinds: [{kind, k, stride, padding, kernel, stages: [{map, shape}]}]}
//	debugPanic     [message]                       never ok: panics, to test the recovery
//	debugExit      [code], [helper]                never answered: the Go program (or helper's) exits, to test crash handling
//
//	event       fields
//	ready       {version}: the engine is running, as the version result
//	fatal       {error}: sent by worker.js when the Go program fails to load or exits
//	data        {file, available: {train, validation, test}, complete}: a chunk was verified and loaded
//	progress    {epoch, epochs, batch, batches, loss, accuracy, samplesPerSec, etaSec, total, batchMs, sliceMs, workers, memoryMB}
//	epoch       {epoch, loss, accuracy, val_loss?, val_accuracy?, checkpoint, earlyStopping}
//	done        {reason, error?, history, restored, chance, verdict}: training ended
//	evaluating  {split, done, total}: an evaluation's progress, at most every 200 ms
//
// spec is an nn.ModelSpec ({input, layers}, Keras argument names); preset
// names a built-in spec; seed (default 1) seeds the weights. pixels holds one
// standardized input of the model's input shape (Float32Array, 28*28 values,
// row-major); probs (Float32Array) the model's outputs, one per class; a
// trace entry holds one layer's output (Float32Array, in its shape (H, W, C)
// or (D)) and, for max pooling, choices (Int32Array, per output element the
// index into the previous layer's output of the maximum it kept). bytes is a
// Uint8Array: weights in convplay's format (.cpw) or NumPy's .npz (told apart
// by their first bytes); build: true rebuilds the model from a .cpw file's own
// spec instead of loading the weights into the current model, which keeps
// the model unchanged on any error. layer is a layer's 0-based index or name;
// kernel is Keras's (K, K, C, F) for Conv2D. checkSpec checks a spec for the
// architecture editor without building the model: every layer up to the
// first invalid one, whose error is {index, name, type, inShape, kind,
// message, size?} (kind: dense-needs-flatten, needs-maps, pool-too-large,
// kernel-too-large, too-large, invalid; with classes also output-size,
// output-softmax: the last layer must be Dense(classes, softmax)). manifest is manifest.json's text
// or object; name is one of its files, bytes that file, verified by its
// SHA-256 (a bad chunk is an error naming it; the data already loaded stay).
// Training uses the samples loaded when it starts. train's arguments:
// optimizer (nn.OptimizerSpec, default {name: "sgd"}), epochs (1), batchSize
// (32), subset (the first N training samples; all), seed (0, shuffling),
// validation (true: validate on the validation split each epoch),
// validationSubset, checkpoint (true: keep the best val_loss weights, sent
// as the epoch event's checkpoint .cpw bytes, else null), earlyStopping
// ({patience, min_delta, restore_best_weights, monitor} or null), paused
// (start paused, for step), stepSamples (the most samples one step of
// training runs; by default measured: train times one sample's training
// pass, sampleMs, and a batch that would take over 50 ms runs in parts of
// stepSamples samples whose gradients add up to the batch's one optimizer
// step; 0: whole batches) and workers (default min(hardwareConcurrency,
// 4); data-parallel: each step's samples are shared out to workers-1 helper
// Web Workers, the gradients summed in shard order, one optimizer step; 1
// without cross-origin isolation; the result's workers is the count used).
// Training runs in slices of about 25 ms between which requests are
// answered. progress comes at most every 100 ms and after each step
// (workers: how many computed the last step; memoryMB: each worker's
// WebAssembly memory in MiB, this one's first); earlyStopping in an epoch
// event is {wait, best, bestEpoch}; done has reason "finished", "stopped", "early" (early stopping), "diverged" (a
// NaN or infinite loss: the weights from before the bad step are kept) or
// "error", history (Keras's history dict), restored (the best weights were
// restored, or the weights from before training when chance), chance (the run
// ended no better than chance: the page keeps the previous model) and verdict
// (the engine's sentence about it, or null when not judged). evaluate runs on split (default "test") and gives the confusion
// matrix (Int32Array, true class by row), the misclassified sample indices
// (Int32Array) with the class predicted for each and its true class (predicted
// and labels, Int32Array: the confusion matrix's column and row), classAccuracy (per true class,
// the fraction predicted right; null for a class without samples) and, where the manifest lists test duplicates (Fashion-MNIST's
// 2017 release), dedup: {loss, accuracy, samples, removed} on the test split
// without them (dedup: false skips it).
// preprocess fits a picture (rgba: a canvas's ImageData.data, width x
// height) into the loaded data set's image shape as its images were made
// (fit "fashion": longest edge to 28, box centred; "mnist": 20x20, centre of
// mass centred; package imageprep): steps ink, box, scaled, placed (gray
// Uint8Arrays; box {x, y, w, h}: where the step was cut from or went), image
// (Uint8Array), pixels standardized with the data set's mean and std, and
// warnings where the drawing is unlike the data set (codes empty, tiny,
// edge, clipped, offcentre, thin, sparse, hollow: imageprep.Warnings).
//
// The explaining ops (wasm/explain.go, nn/explain.go) work on pixels, one
// input as predict's, sent with each request. convWindow explains one
// output element (y, x, filter) of a Conv2D layer: the input under the
// kernel (window, (K, K, C), 0 in the padding; inside: per (K, K) cell, real
// or padding; top, left: the window's first input cell), the kernel slice,
// their products, the per-channel sums, sum, bias, preActivation = sum +
// bias, its activation, and output, the layer's own value there. convSize
// is the output size along one axis of n cells for a window k, stride s and
// padding valid, same or explicit (p cells each side): out = floor((n +
// padBefore + padAfter - k) / s) + 1; an impossible combination answers
// valid: false with problem input, kernel, stride, padding or kernelLarger.
// poolCompare pools a MaxPooling2D layer's input both ways (max as the layer,
// avg as AveragePooling2D), with the share of values dropped and the input
// cells per channel no window covers; windows (Int32Array (Ho, Wo, 4)) are
// the input rows [top, bottom) and columns [left, right) each output cell
// pools, padding cut off. shiftCompare traces the input shifted
// dx right and dy down (filled with its smallest value) and gives per layer
// change = mean |shifted - original| / mean |original|, and the shifted
// input. transposeDemo grows
// one channel of a layer's maps steps times (1-3) with Conv2DTranspose and
// two fixed kernels: copy (2x2 ones, stride 2) and blend (3x3 tent, stride 2,
// same).
//
// This module is DOM-free: createClient takes anything with postMessage and
// addEventListener (a Worker, or a fake in tests).

/** Request types, as in the table above. */
export const REQUESTS = [
  'ping',
  'version',
  'buildModel',
  'loadWeights',
  'checkSpec',
  'exportWeights',
  'predict',
  'getFilters',
  'describeLayers',
  'scores',
  'loadDataset',
  'addChunk',
  'getSample',
  'preprocess',
  'train',
  'pause',
  'resume',
  'step',
  'stop',
  'evaluate',
  'convWindow',
  'convSize',
  'poolCompare',
  'shiftCompare',
  'transposeDemo',
  'debugPanic',
  'debugExit',
];

/** Events the worker sends, as in the table above. */
export const EVENTS = ['ready', 'fatal', 'data', 'progress', 'epoch', 'done', 'evaluating'];

/** The client's own event: the worker died or stopped answering. */
export const CRASH = 'crash';

/** An error reply from the worker. */
export class WorkerError extends Error {
  constructor(type, message) {
    super(message);
    this.name = 'WorkerError';
    this.type = type; // the request type that failed
  }
}

/**
 * createClient wraps a worker. request(type, args, {transfer, timeoutMs})
 * sends a request, transferring the listed buffers, and returns a promise of
 * its result, rejected with a WorkerError on an error reply. on(event, fn) subscribes to an event and returns the unsubscribe
 * function. ready is a promise of the ready event's version.
 *
 * The client notices a crash: the worker's error event, a fatal event, no
 * ready event within bootTimeoutMs, or a request left without a reply for
 * timeoutMs (the engine hung; a request may allow itself longer). It then
 * rejects every pending request and every later one, and emits 'crash'
 * with {error, reason} (error is "the engine stopped: " + reason); the page
 * may start a new worker and a new client.
 *
 * @param {{postMessage: Function, addEventListener: Function}} port
 * @param {{timeoutMs?: number, bootTimeoutMs?: number, timers?: {setTimeout: Function, clearTimeout: Function}}} [options]
 */
export function createClient(port, { timeoutMs = 60000, bootTimeoutMs = 120000, timers = globalThis } = {}) {
  let nextId = 1; // ids are never reused, so a late reply cannot match a new request
  const pending = new Map(); // id -> {type, resolve, reject, timer}
  const listeners = new Map(); // event name -> Set of functions
  let dead = null; // the crash Error, once crashed

  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  ready.catch(() => {}); // a crash before ready is reported through 'crash' too
  const bootTimer = timers.setTimeout(() => crash(`the engine did not start within ${bootTimeoutMs} ms`), bootTimeoutMs);

  function emit(name, data) {
    for (const fn of [...(listeners.get(name) || [])]) fn(data);
  }

  function crash(reason) {
    if (dead) return;
    dead = new Error(`the engine stopped: ${reason}`);
    for (const p of pending.values()) {
      timers.clearTimeout(p.timer);
      p.reject(dead);
    }
    pending.clear();
    timers.clearTimeout(bootTimer);
    readyReject(dead);
    emit(CRASH, { error: dead.message, reason });
  }

  function onMessage(msg) {
    if (dead || !msg || typeof msg !== 'object') return;
    if (typeof msg.event === 'string') {
      if (msg.event === 'ready') {
        timers.clearTimeout(bootTimer);
        readyResolve(msg.version);
      }
      if (msg.event === 'fatal') {
        crash(msg.error);
        return;
      }
      emit(msg.event, msg);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return; // not ours, or already answered: exactly one reply counts
    pending.delete(msg.id);
    timers.clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new WorkerError(p.type, String(msg.error)));
  }

  port.addEventListener('message', (e) => onMessage(e.data));
  port.addEventListener('error', (e) => {
    if (e && typeof e.preventDefault === 'function') e.preventDefault();
    crash(`worker error: ${(e && e.message) || 'the worker script failed'}`);
  });
  port.addEventListener('messageerror', () => crash('a message could not be decoded'));

  function request(type, args = {}, { transfer = [], timeoutMs: wait = timeoutMs } = {}) {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = timers.setTimeout(() => crash(`no reply to ${type} (request ${id}) within ${wait} ms`), wait);
      pending.set(id, { type, resolve, reject, timer });
      port.postMessage({ ...args, id, type }, transfer);
    });
  }

  function on(name, fn) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name).add(fn);
    return () => listeners.get(name).delete(fn);
  }

  return {
    request,
    on,
    ready,
    /** The number of requests waiting for a reply. */
    get pending() {
      return pending.size;
    },
    /** The crash Error, or null while the worker is alive. */
    get crashed() {
      return dead;
    },
  };
}
