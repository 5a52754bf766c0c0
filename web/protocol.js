// convplay worker protocol: the messages between the page (web/protocol.js)
// and the Go engine in the Web Worker (wasm/), and between that worker and
// its helpers. Both files open with these same tables; the tests
// (wasm/protocol_test.go, web/protocol.test.js) fail when they differ, or
// when a side's names and constants (ops, slot fields, states, globals,
// timings) differ from them. These tables make both files long (about 400
// lines): each side keeps them whole and in one place, compared text for text.
//
// A request is {id, type, ...arguments}. The worker answers every request
// (but debugExit) exactly once, {id, ok: true, result} or {id, ok: false,
// error: "message"}, in order of arrival, except evaluate (and kerasAccuracy),
// whose reply comes when it has run (in slices, answering the requests sent
// meanwhile). Events
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
//	exportWeights  [format: "cpw", "npz", "keras"] {bytes, format, filename}
//	predict        {pixels}                        {probs, trace: [{name, type, shape, output, choices?}]}
//	getFilters     {layer}                         {name, type, kernel, kernelShape, bias, biasShape}
//	describeLayers -                               {input, layers: [{index, name, type, inShape, outShape, activation, kernel, filters, strides, padding, poolSize, units, params, paramsCum, paramShare, macs, macShare, area, channels, values, size, count}], groups: [{kind, layers, params, macs, paramShare, macShare}], totalParams, totalMacs}
//	scores         {pixels}                        {layer, activation, logits, probs}: the last layer's pre-activation values and output
//	loadDataset    {manifest}                      {name, title, classes, shape, counts, files, testDuplicates, mean, std, pixelSteps}
//	addChunk       {name, bytes}                   {file, available, complete}, also as a data event
//	getSample      {split, index}                  {image, pixels, label, count}
//	preprocess     {rgba, width, height, fit}      {steps: [{name, image, width, height, box?}], image, pixels, width, height, fit, mean, std, warnings: [{code, value, limit, typical}]}
//	train          {optimizer, epochs, ...}        {epochs, batches, samples, validationSamples, stepSamples, sampleMs, workers, samplesAll}
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
//	describeSpec   {spec} or {preset}               as describeLayers, for a spec that is not the model: the model stays
//	sideBuild      {name, spec} or {name, preset}, [target, seed, optimizer, backgroundWeight] as describeSpec, and {name, target, loss, summary}: a side model, the model stays
//	sideTrain      {name, subset, epochs, ...}     {samples, validationSamples, epochs, batches}
//	sideStep       {name, [ms]}                    {done, epoch, epochs, batch, batches, loss, accuracy, samples, workers, history: [{loss, accuracy, val_loss, val_accuracy}]}
//	sideTrace      {name, pixels, [dx], [dy]}      {trace, shiftedTrace, shifted, dx, dy, ink}
//	sideUnit       {name, layer, unit}             {name, type, unit, units, weights, shape, bias}
//	loadKeras      {bytes}, [input]                model and {keras: {format, kerasVersion, logits, scalingKnown, input}}, or {needsInput: true, keras}: the model stays
//	kerasAccuracy  {bytes, input}, [samples]       as evaluate's, on the first samples test images: the model stays
//	debugPanic     [message]                       never ok: panics, to test the recovery
//	debugExit      [code], [helper], [silent]      never answered: the Go program (or a helper's) exits, or with silent its worker closes without a word (worker.js), to test crash handling
//	saliency       {pixels, [class]}               {class, scoresAreLogits, score, probs, shape, grad, gradTimesInput}
//	gradCam        {pixels, [class], [layer]}      {class, scoresAreLogits, layer, name, score, shape, weights, map, upsampled, height, width}
//	occlusion      {pixels, [class], [patch], [stride], [fill], [mask]} {class, scoresAreLogits, fill, prob, patch, stride, rows, cols, probs, drop, map, top, forwards}; with mask {class, scoresAreLogits, fill, prob, maskedProb, probs, probsBefore, input}
//	maximize       {layer, channel} or {class}, [steps], ... {layer?, name?, channel?, class?, steps, done, image, objective, field, stopped}: after the last step, maximizeStep events meanwhile
//	maximizeStop   -                               {stopped}: the maximize reply comes first
//	fgsm           {pixels, epsilon, [target], [label], [steps], [stepSize], [stopWhenFooled], [clamp]} {epsilon, target, label, steps, classBefore, classAfter, probsBefore, probsAfter, adversarial, perturbation, loss, lo, hi}
//	embedding      [count], [split], [pixels]      {count, split, dim, layer, name, labels, predicted, points, explained, variance, total, iterations, point?, pointClass?}
//	standardize    {image}                         {pixels}: image (Uint8Array, the data set's shape, 0..255) standardized as getSample's; needs only the manifest
//	sideLoad       {name, bytes}, [target, optimizer, backgroundWeight] as sideBuild's: a .cpw file's model as the side model name
//	scene          {split, index}                  {split, index, image, pixels, labels, items: [{image, class, row, col}], shape}
//	segment        {name, pixels} or {name, image} {shape, probs, classes, counts, trace}
//	debugStall     {ms}                            {ms}: the Go program blocks its worker (its event loop, its alive events) for ms (at most 60000), to test that a busy worker is not taken for a dead one
//
//	event       fields
//	ready       {version}: the engine is running, as the version result
//	fatal       {error}: sent by worker.js when the Go program fails to load or exits
//	data        {file, available: {train, validation, test}, complete}: a chunk was verified and loaded
//	progress    {epoch, epochs, batch, batches, loss, accuracy, samplesPerSec, etaSec, total, batchMs, sliceMs, workers, memoryMB, samples, samplesAll, validationSamples}: samples, the training images in use (more join as the data arrive, up to samplesAll)
//	epoch       {epoch, loss, accuracy, val_loss?, val_accuracy?, checkpoint, earlyStopping}
//	done        {reason, error?, history, restored, chance, verdict}: training ended
//	evaluating  {split, done, total}: an evaluation's progress, at most every 200 ms
//	alive       {lock}: sent by worker.js every heartbeat ms (below) while its event loop runs; lock: the Web Lock its worker holds while it lives, or null
//	maximizeStep {id, step, steps, objective, image, field}: one step of a maximization (id: the maximize request's)
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
// same). describeSpec builds a spec (checked as checkSpec bounds it) only
// to describe it, for lessons that compare models the student has not built.
// The side ops build, train and trace small named models beside the page's
// model, which they never touch (wasm/side.go): the dense-against-convolution
// lesson's pair and the regression lesson's head. target "class" trains
// with sparse categorical cross-entropy on the labels, "ink" with mean
// squared error on each image's ink area (the percentage of its pixels at
// least half dark); optimizer defaults to adam. sideTrain takes epochs,
// batchSize, subset and validationSubset (the first N samples; all),
// seed and workers as train does (helpers share its batches while the page
// model is not training with them; workers in sideStep's reply is how many
// computed the last step); sideStep runs that training for about ms (40)
// milliseconds per request. sideTrace traces pixels and its copy shifted
// (dx, dy) as shiftCompare does, every layer's output for both, and ink,
// the input's ink area, for an ink model. sideUnit is one unit's weights:
// a Dense unit's column (shape: the image's, after a first Flatten) or a
// Conv2D filter's (K, K, C) kernel.
//
// loadKeras reads a Keras model file (.h5 or .keras, bytes; wasm/keras.go,
// package keras) and checks it completely against the data set. input is
// what its model expects of 0-255 pixels: standardized, unit (pixels/255)
// or raw; a file whose first layer is a Rescaling says so itself
// (scalingKnown, input raw). Without either the model stays and the reply
// is needsInput; with one the model replaces the current one, wrapped to
// take standardized pixels as every op sends them (keras.ForStandardized:
// a first Rescaling layer input_scaling for unit or raw, a last softmax
// softmax_of_logits when the file's model outputs logits). kerasAccuracy
// evaluates the file's model with one input answer on the first samples
// (default 1,000) test images, to check the answer; like evaluate it runs
// in slices, with evaluating events, and replies when done.
//
// The "why did it say that?" ops (wasm/why*.go, nn/why*.go) work on pixels as
// predict's; like evaluate, occlusion (without a mask), maximize and a first
// embedding run in slices and reply when done; class defaults to the predicted
// class. The class score is the pre-softmax logit of a softmax model
// (scoresAreLogits), else the output. saliency gives d score / d pixels (grad,
// in the input's shape) and grad * pixels. gradCam at layer (default the last
// Conv2D; any layer with maps): weights (F) the mean gradient of each map, map
// (OH, OW) ReLU(sum of weights * maps), upsampled to height x width bilinearly
// (align_corners=False). occlusion slides a patch x patch square (default 4,
// stride 2) of fill (a number in model units, or "mean" = 0, "black", "white":
// the data set's darkest or brightest pixel) over the input: probs, drop (prob
// - probs) and top (the predicted class) per position (rows x cols, row-major),
// map (H, W) the mean drop of the patches covering each pixel, forwards the
// positions that needed a forward pass (a patch over values all equal to fill
// changes nothing); with mask (Float32Array, H*W values in [0, 1], 1 covered)
// it gives the class's prob before and maskedProb after. maximize climbs from
// grey (seeded noise) toward the output of a filter's centre unit (layer,
// channel) or a class score (class): learningRate (0.1, normalized gradient),
// decay (L2, 0.01), jitter (0 pixels for a filter, 1 for a class), blurEvery
// (4 steps; 0 never), blurSigma (0.5), seed (1), clamp (true: to the data
// set's pixel range), stream (true: a maximizeStep event per step); its reply
// comes after the last step (done: steps run; field [top, left, bottom,
// right), the box of input pixels the gradient reached), or stopped: true
// after maximizeStop or a newer maximize. fgsm moves every value by epsilon (model units) along the sign of
// the cross-entropy's gradient: away from label (default the predicted class)
// or, with target, toward it for steps steps of stepSize (default 2.5 * epsilon
// / steps) kept within epsilon of the input, and of the pixel range unless
// clamp is false; stopWhenFooled ends at the first step that changes the
// prediction (or reaches target); loss holds the cross-entropy before each step
// and after the last. embedding lays the penultimate features (the input of the
// last layer with weights) of the first count (2000) images of split (test) out
// on their two principal components: points (N x 2), labels, predicted,
// explained (the share of variance on each axis); with pixels, point: where
// that input falls. It runs in slices and replies later the first time; it is
// cached until the model, its weights or the data change.
//
// Segmentation (wasm/side_scenes.go, package scenes) is a side model with
// target "scenes": a model mapping a 64x64 scene (64, 64, 1) to a map of
// scores (64, 64, 11), background and the ten classes at every pixel
// (nn.ValidateForMaps), trained with per-pixel sparse categorical
// cross-entropy (given backgroundWeight w, its background pixels weighted
// by w: nn.BackgroundWeighted). Its scenes are composed in the worker from the loaded data
// set's images by the seeded generator (scenes are made from whole splits:
// a split not yet loaded whole is an error): sideTrain's subset is the
// training scenes per epoch (256; new ones every epoch, from seed), or,
// given crop (a window side), that many windows of crop x crop pixels
// around one item of each new scene, trained through the model resized to
// them (the same weights: scenes.CropTraining) and validated on scenes;
// validationSubset the fixed validation scenes (64), and sideStep's history
// adds val_mean_iou (null when no class is present). sideLoad makes a .cpw
// file's model a side model, checked as sideBuild's. scene is fixed
// validation or test scene index (seed 2026, the scenes the command line
// scores): image and labels (Uint8Array, 64*64: 0..255, and 0 background or
// 1+k for class k), pixels standardized, its items (image index in the
// split, class, top-left corner). segment traces pixels (or image, a scene
// as 0..255 pixels, standardized with the data set's mean and std) through a
// scenes model: trace as predict's, probs (Float32Array (H, W, C)), classes
// (Int32Array (H, W), each pixel's most probable class) and counts (pixels
// per class).
//
// Data-parallel training adds a channel inside the worker (wasm/parallel.go,
// worker.js): the page's worker (the leader) starts helper workers, named
// "convplay-helper-" and their slot, sends them the messages below, and
// meets them in one SharedArrayBuffer per training (the team's): the
// regions below, in this order, each 8-aligned. helperInit's layout is
// JSON: {workers, params, in, targets, maxN} (in and targets: values per
// sample; maxN: samples x and y hold), each region's byte offset by its
// name, and size. ctrl holds one slot of int32 fields per worker (slot 0,
// the leader's, unused), as many as the slot table has rows. The Go
// program and worker.js call each other through the convplay globals. The
// timings make a silent death (a closed or killed worker sends no error)
// visible: the page asks a leader that sent nothing for silence ms (a ping,
// and the lock manager whether its worker still holds the alive event's
// lock: a busy worker does, a dead one does not) and gives up on it unless
// it holds its lock or answers within silence / 2 ms;
// the leader on a helper whose beat stood still for helperSilence ms while
// it waited.
//
//	message     from -> to        fields
//	helperBoot  leader -> helper  {helperBoot: {module}}: the compiled engine; the helper starts its Go program
//	helperInit  leader -> helper  {helperInit: {init: {sab, layout, spec}, slot}}: serve this team from this slot
//	helperPark  leader -> helper  {helperPark: true}: the training ended; stay booted for the next one
//	debugExit   leader -> helper  {id, type, code, silent}: a test's debugExit with helper, passed on
//	fatal       helper -> leader  {event, error}: the helper's Go program failed to load or exited
//	engineBoot  page -> leader    {engineBoot: {bytes} or {error}}: the engine the page downloaded (startWorker with an engine names its leader "convplay-leader", which compiles these bytes instead of fetching convplay.wasm)
//
//	global             set by     called by           arguments and result
//	convplayAttach     worker.js  Go, at start        (handler): the Go program's request handler
//	convplayPost       worker.js  Go                  (message): a reply or event for the page, typed arrays transferred
//	convplayMemory     worker.js  Go                  the engine's WebAssembly.Memory (SIMD kernels, memoryMB)
//	convplayHelpers    worker.js  Go, the leader      (n, init {sab, layout, spec}): n helpers serve the team; 0 parks them all
//	convplayShardInit  Go         worker.js, helpers  (init, slot) -> null or an error message: the helper's model is ready
//	convplayShard      Go         worker.js, helpers  (): computes the slot's shard if its cmd is new
//
//	region   values
//	ctrl     int32, one slot per worker
//	loss     float64, one per worker: its shard's mean loss
//	weights  float32, params: the leader's weights, at the slots' version
//	x        float32, maxN * in: the helpers' samples of the current step
//	y        float32, maxN * targets: their targets
//	grads    float32, params per helper: its shard's gradients
//
//	slot      int32  written by  meaning
//	cmd       0      leader      the command's number: bumped and notified to start a shard
//	done      1      helper      the last command answered, notified
//	state     2      all         the helper's state, below
//	offset    3      leader      the shard's first sample in x and y
//	n         4      leader      the shard's sample count
//	version   5      leader      the version of the weights region
//	correct   6      helper      the shard's correctly classified samples
//	memoryMB  7      helper      its WebAssembly memory in MiB after its last shard
//	beat      8      helper      bumped at least every 50 ms while it serves and waits
//
//	state    value  set by             meaning
//	booting  0      -                  not set up yet: the leader computes its shard
//	ready    1      helper             serving (convplayShardInit succeeded)
//	dead     2      worker.js, leader  its Go program exited, its worker failed, or it went silent
//	failed   3      helper             a panic while computing its shard
//
//	timing         ms
//	heartbeat      500   the leader's worker.js posts alive this often while its event loop runs
//	silence        4000  the page asks a leader silent this long if it lives (above); if not, it starts a new one
//	helperSilence  2000  the leader gives up on a helper, marking it dead, and training ends with an error
//
// Keras and .npz files are converted by the formats module, a second,
// smaller WebAssembly program (convplay-formats.wasm, wasm/formats) that
// the leader starts only when a request needs it, in a worker of its own
// (worker.js named "convplay-formats"; web/formats.js relays): the engine
// itself reads and writes only .cpw. The page's requests stay as above:
// the relay turns loadKeras and kerasAccuracy's bytes into model (the
// file's model as .cpw) and keras (readKeras's), an .npz loadWeights into
// the model's .cpw with its weights (readNPZ), and answers an npz or keras
// exportWeights from the engine's cpw one (writeNPZ, writeKeras), holding
// the requests that arrive meanwhile so the engine answers in order. The
// formats worker talks as the engine does (convplayAttach, convplayPost,
// ready, {id, ok, result} or {id, ok: false, error}); a module that cannot
// start is that request's error, and the model stays.
//
//	formats     arguments       result
//	readKeras   {bytes}         {model, keras: {format, kerasVersion, logits, scalingKnown, skipped}}: model, the Keras file's model as .cpw bytes
//	writeKeras  {model}         {bytes}: the .cpw model as a Keras 3 .keras file
//	writeNPZ    {model}         {bytes}: the .cpw model's weights as .npz, in get_weights() order
//	readNPZ     {model, bytes}  {model}: the .cpw model with the .npz file's weights, every array checked first
//
// Below the tables, the names and constants both sides use, and how the
// page starts the leader (downloadEngine, startWorker). The page's client,
// which sends the requests and watches the worker, is client.js: worker.js
// imports this module (it is a module worker: start it with startWorker,
// or new Worker(WORKER_URL, WORKER_OPTIONS)) and fetches none of that.


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
  'describeSpec',
  'sideBuild',
  'sideTrain',
  'sideStep',
  'sideTrace',
  'sideUnit',
  'loadKeras',
  'kerasAccuracy',
  'debugPanic',
  'debugExit',
  'saliency',
  'gradCam',
  'occlusion',
  'maximize',
  'maximizeStop',
  'fgsm',
  'embedding',
  'standardize',
  'sideLoad',
  'scene',
  'segment',
  'debugStall',
];

/** Events the worker sends, as in the table above. */
export const EVENTS = ['ready', 'fatal', 'data', 'progress', 'epoch', 'done', 'evaluating', 'alive',
  'maximizeStep'];

/** The messages the leader sends its helpers: the table's leader -> helper rows that are not requests. */
export const HELPER_MESSAGES = ['helperBoot', 'helperInit', 'helperPark'];

/** A helper worker's name is this prefix and its slot. */
export const HELPER_PREFIX = 'convplay-helper-';

/** The globals worker.js and the Go program set for each other, by who sets them: the global table. */
export const GLOBALS = {
  'worker.js': ['convplayAttach', 'convplayPost', 'convplayMemory', 'convplayHelpers'],
  Go: ['convplayShardInit', 'convplayShard'],
};

/** The int32 fields of a helper's ctrl slot in the team's shared buffer: the slot table. */
export const SLOT = Object.freeze({ cmd: 0, done: 1, state: 2, offset: 3, n: 4, version: 5, correct: 6, memoryMB: 7, beat: 8 });

/** The int32 values in one ctrl slot. */
export const SLOT_INTS = Object.keys(SLOT).length;

/** A helper's state, its slot's state field: the state table. */
export const HELPER_STATE = Object.freeze({ booting: 0, ready: 1, dead: 2, failed: 3 });

/** The leader's worker.js posts an alive event this often (the timing table's heartbeat). */
export const HEARTBEAT_MS = 500;

/** The client gives up on a worker that sent nothing for this long (the timing table's silence). */
export const SILENCE_MS = 4000;

/** The leader's worker.js holds a Web Lock named so while it lives (the alive event's lock). */
export const LOCK_PREFIX = 'convplay-engine-';

/** The engine's worker script and its options: a module worker. */
export const WORKER_URL = 'worker.js';
export const WORKER_OPTIONS = Object.freeze({ type: 'module' });

/** The engine: Go's program compiled to WebAssembly (make wasm). */
export const ENGINE_URL = 'convplay.wasm';

/** The page's message giving its leader the engine it compiled: the message table's page -> leader row. */
export const ENGINE_BOOT = 'engineBoot';

/** The name of a leader that waits for ENGINE_BOOT instead of fetching the engine itself. */
export const LEADER_GIVEN_ENGINE = 'convplay-leader';

/** The formats module (Keras and .npz conversions, wasm/formats) and the name of the worker that runs it. */
export const FORMATS_URL = 'convplay-formats.wasm';
export const FORMATS_WORKER = 'convplay-formats';

/** The formats module's requests: the formats table. */
export const FORMATS_OPS = ['readKeras', 'writeKeras', 'writeNPZ', 'readNPZ'];

/**
 * downloadEngine downloads the engine on the page, so its download starts
 * before the page's other modules queue up (index.html preloads it) and a
 * restarted worker gets it at once. It resolves to its bytes (an
 * ArrayBuffer), which the worker compiles (a module compiled here and
 * shared with the worker stalled it for seconds under DevTools, in
 * TestKeepTheModel).
 */
export async function downloadEngine({ fetch = globalThis.fetch } = {}) {
  const resp = await fetch(ENGINE_URL);
  if (!resp.ok) throw new Error(`${ENGINE_URL}: HTTP ${resp.status} (run make wasm)`);
  return resp.arrayBuffer();
}

/**
 * startWorker starts the engine's worker (the leader). With engine (a
 * promise of downloadEngine's bytes) the worker boots from a copy of them,
 * posted to it when downloaded, or fails with the download's error.
 */
export function startWorker(url = WORKER_URL, engine = null) {
  if (!engine) return new Worker(url, WORKER_OPTIONS);
  const w = new Worker(url, { ...WORKER_OPTIONS, name: LEADER_GIVEN_ENGINE });
  engine.then(
    (bytes) => w.postMessage({ [ENGINE_BOOT]: { bytes } }),
    (err) => w.postMessage({ [ENGINE_BOOT]: { error: String((err && err.message) || err) } }),
  );
  return w;
}
